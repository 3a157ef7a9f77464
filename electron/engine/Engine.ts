import type { CallName, CallResult, EventName, EventPayload } from "../shared/contract.js";

export type Carrier = "ipc" | "http";
export type EngineEventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/** Everything the shells (Electron main, `serve`) need from the engine; the CLI uses its parts directly. */
export interface Engine {
  readonly home: string;
  readonly databasePath: string;
  /** Validates `input` against the contract, runs the call, and never throws: errors come back as `{ok:false}`. */
  dispatch<N extends CallName>(name: N, input: unknown, carrier: Carrier): Promise<CallResult<N>>;
  onEvent(listener: EngineEventListener): () => void;
  close(): Promise<void>;
}
