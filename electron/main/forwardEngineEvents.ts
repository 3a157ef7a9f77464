import { ipcEventChannel } from "../shared/contract.js";
import type { Engine } from "../engine/Engine.js";

/** The parts of a WebContents that receive events; Electron's WebContents satisfies it. */
export interface EventSink {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/** Pushes every engine event to the window as `{name, payload}` on one channel; returns the unsubscribe. */
export function forwardEngineEvents(engine: Pick<Engine, "onEvent">, target: () => EventSink | null): () => void {
  return engine.onEvent((name, payload) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(ipcEventChannel, { name, payload });
  });
}
