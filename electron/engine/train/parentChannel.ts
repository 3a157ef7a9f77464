// How a training process talks to the engine that started it: Electron's utilityProcess reaches its
// parent through process.parentPort (messages wrapped in {data}), Node's fork through process.send.
import type { TrainWorkerEvent, TrainWorkerRequest } from "./TrainWorkerProtocol.js";

interface ParentPort {
  on(event: "message", listener: (message: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** The parts of `process` used here, so a test can pass a stand-in. */
export interface ParentProcess {
  parentPort?: ParentPort;
  connected?: boolean;
  send?: (message: unknown) => unknown;
  on(event: "message", listener: (message: unknown) => void): unknown;
  on(event: "disconnect", listener: () => void): unknown;
}

export interface ParentChannel {
  /** Sends an event while the parent is there; a lost parent is noticed through onDisconnect. */
  send(event: TrainWorkerEvent): void;
  onRequest(listener: (request: TrainWorkerRequest) => void): void;
  /** The parent went away. A utility process ends with its app, so only fork's channel reports this. */
  onDisconnect(listener: () => void): void;
}

export function parentChannel(proc: ParentProcess = process as unknown as ParentProcess): ParentChannel {
  const port = proc.parentPort;
  if (port) {
    return {
      send: (event) => port.postMessage(event),
      onRequest: (listener) => void port.on("message", (message) => listener(message.data as TrainWorkerRequest)),
      onDisconnect: () => undefined,
    };
  }
  return {
    // Once the engine is gone there is nobody to tell (and send() would throw).
    send: (event) => {
      if (proc.connected !== false) proc.send?.(event);
    },
    onRequest: (listener) => void proc.on("message", (message) => listener(message as TrainWorkerRequest)),
    onDisconnect: (listener) => void proc.on("disconnect", listener),
  };
}
