import { isAppUrl } from "./appUrl.js";

/** The parts of Electron's IpcMainInvokeEvent the sender check reads. */
export interface InvokeEventLike {
  readonly sender: unknown;
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

/**
 * An IPC call is trusted only from the top frame of our own window showing app://polytune.
 * `trustedSender` is a getter because macOS recreates the window on activate.
 */
export function isTrustedSender(event: InvokeEventLike, trustedSender: unknown): boolean {
  if (trustedSender === null || trustedSender === undefined || event.sender !== trustedSender) return false;
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}
