import { callNames, desktopActionNames, desktopChannel, ipcChannel, isEventName, type CallName, type DesktopActionName, type DesktopResult, type CallResult, type EventName, type PreloadBridge } from "../shared/contract.js";

/** What the bridge needs from Electron's renderer side; preload.ts passes ipcRenderer and webUtils. */
export interface PreloadPorts {
  invoke(channel: string, input: unknown): Promise<unknown>;
  /** Subscribe to the one event channel; `message` is what main sent (`{name, payload}`). */
  onEventMessage(listener: (message: unknown) => void): void;
  getPathForFile(file: File): string;
}

type Listener = (payload: unknown) => void;

/**
 * `window.polytune`: exactly one method per contract call (named as the call), one per desktop action,
 * `on` for events and `pathForFile` for drag and drop. Nothing of Electron (no ipcRenderer, no IPC event objects) reaches the page.
 */
export function createPreloadBridge(ports: PreloadPorts): PreloadBridge {
  const listeners = new Map<EventName, Set<Listener>>();
  let subscribed = false;

  const deliver = (message: unknown): void => {
    if (typeof message !== "object" || message === null) return;
    const { name, payload } = message as { name?: unknown; payload?: unknown };
    if (!isEventName(name)) return;
    for (const listener of [...(listeners.get(name) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        console.error(`Polytune: a "${name}" listener failed`, error);
      }
    }
  };

  const methods = Object.fromEntries(
    callNames.map((name) => [name, (input: unknown) => ports.invoke(ipcChannel(name), input) as Promise<CallResult<CallName>>]),
  ) as { [N in CallName]: PreloadBridge[N] };
  const desktop = Object.fromEntries(
    desktopActionNames.map((name) => [name, (input: unknown) => ports.invoke(desktopChannel(name), input) as Promise<DesktopResult>]),
  ) as { [A in DesktopActionName]: PreloadBridge[A] };

  return {
    ...methods,
    ...desktop,
    on(event: EventName, listener: Listener): () => void {
      if (!isEventName(event)) throw new TypeError(`Unknown Polytune event "${String(event)}".`);
      if (typeof listener !== "function") throw new TypeError("The listener must be a function.");
      if (!subscribed) {
        ports.onEventMessage(deliver);
        subscribed = true;
      }
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      // Unsubscribe by closure: listener identity does not survive the context bridge.
      return () => {
        set.delete(listener);
      };
    },
    pathForFile(file: File): string {
      return ports.getPathForFile(file);
    },
  };
}
