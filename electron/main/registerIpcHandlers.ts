import { callNames, ipcChannel, type CallName, type CallResult } from "../shared/contract.js";
import { toErrorShape } from "../shared/PolytuneError.js";
import type { Engine } from "../engine/Engine.js";
import { isTrustedSender, type InvokeEventLike } from "./ipcSender.js";

/** The parts of Electron's ipcMain used here; `ipcMain` itself satisfies it. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

const untrusted = {
  ok: false as const,
  error: { code: "untrusted-sender", message: "This request did not come from Polytune's own window and was refused." },
};

/**
 * One `ipcMain.handle` per contract call on its namespaced channel. The sender is checked first; the
 * payload is validated by `engine.dispatch` against the contract's zod schema. Returns an undo.
 */
export function registerIpcHandlers(ipcMain: IpcMainLike, engine: Pick<Engine, "dispatch">, trustedSender: () => unknown): () => void {
  for (const name of callNames) {
    ipcMain.handle(ipcChannel(name), async (event, input): Promise<CallResult<CallName>> => {
      if (!isTrustedSender(event, trustedSender())) return untrusted;
      try {
        return await engine.dispatch(name, input, "ipc");
      } catch (error) {
        // dispatch promises never to throw; if it does, the page still gets an envelope, not a rejected invoke.
        return { ok: false, error: toErrorShape(error) };
      }
    });
  }
  return () => {
    for (const name of callNames) ipcMain.removeHandler(ipcChannel(name));
  };
}
