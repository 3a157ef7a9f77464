import { describe, expect, it } from "vitest";
import { callNames, ipcChannel, ipcEventChannel, type CallName, type CallResult } from "../../../electron/shared/contract.js";
import type { Carrier, Engine, EngineEventListener } from "../../../electron/engine/Engine.js";
import { forwardEngineEvents } from "../../../electron/main/forwardEngineEvents.js";
import type { InvokeEventLike } from "../../../electron/main/ipcSender.js";
import { registerIpcHandlers, type IpcMainLike } from "../../../electron/main/registerIpcHandlers.js";

type Listener = (event: InvokeEventLike, ...args: unknown[]) => unknown;

/** Records handlers the way Electron's ipcMain does, refusing a second handler on one channel. */
function recordingIpcMain(): IpcMainLike & { handlers: Map<string, Listener> } {
  const handlers = new Map<string, Listener>();
  return {
    handlers,
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, listener);
    },
    removeHandler(channel) {
      handlers.delete(channel);
    },
  };
}

function recordingEngine(): Pick<Engine, "dispatch"> & { seen: Array<{ name: CallName; input: unknown; carrier: Carrier }> } {
  const seen: Array<{ name: CallName; input: unknown; carrier: Carrier }> = [];
  return {
    seen,
    async dispatch<N extends CallName>(name: N, input: unknown, carrier: Carrier): Promise<CallResult<N>> {
      seen.push({ name, input, carrier });
      return { ok: false, error: { code: "test", message: name } };
    },
  };
}

const ourContents = { id: 1 };
const fromUs = (url = "app://polytune/index.html"): InvokeEventLike => ({ sender: ourContents, senderFrame: { url, parent: null } });

describe("IPC handler registration", () => {
  it("registers exactly one handler per contract call on its namespaced channel", () => {
    const ipc = recordingIpcMain();
    registerIpcHandlers(ipc, recordingEngine(), () => ourContents);
    expect([...ipc.handlers.keys()].sort()).toEqual(callNames.map(ipcChannel).sort());
    expect(ipc.handlers.size).toBe(callNames.length);
  });

  it("passes a trusted call's payload to the engine, carrier ipc", async () => {
    const ipc = recordingIpcMain();
    const engine = recordingEngine();
    registerIpcHandlers(ipc, engine, () => ourContents);
    const result = await ipc.handlers.get(ipcChannel("models.add"))!(fromUs("app://polytune/index.html#/models"), { path: "/m/a.gguf" }, "ignored extra");
    expect(engine.seen).toEqual([{ name: "models.add", input: { path: "/m/a.gguf" }, carrier: "ipc" }]);
    expect(result).toEqual({ ok: false, error: { code: "test", message: "models.add" } });
  });

  it("refuses foreign frames, other windows, subframes and a closed window before the engine sees anything", async () => {
    const ipc = recordingIpcMain();
    const engine = recordingEngine();
    let trusted: unknown = ourContents;
    registerIpcHandlers(ipc, engine, () => trusted);
    const call = ipc.handlers.get(ipcChannel("models.list"))!;
    const refused = [
      fromUs("https://evil.example/"),
      fromUs("file:///tmp/x.html"),
      fromUs("app://other/index.html"),
      { sender: { id: 2 }, senderFrame: { url: "app://polytune/index.html", parent: null } },
      { sender: ourContents, senderFrame: { url: "app://polytune/index.html", parent: { url: "app://polytune/index.html" } } },
      { sender: ourContents, senderFrame: null },
    ];
    for (const event of refused) {
      expect(await call(event, {})).toMatchObject({ ok: false, error: { code: "untrusted-sender" } });
    }
    trusted = null;
    expect(await call(fromUs(), {})).toMatchObject({ ok: false, error: { code: "untrusted-sender" } });
    expect(engine.seen).toEqual([]);
  });

  it("turns an engine that throws into an error envelope", async () => {
    const ipc = recordingIpcMain();
    registerIpcHandlers(ipc, { dispatch: async () => Promise.reject(new Error("boom")) }, () => ourContents);
    expect(await ipc.handlers.get(ipcChannel("app.info"))!(fromUs(), {})).toMatchObject({ ok: false, error: { code: "internal", message: "boom" } });
  });

  it("removes every handler on undo, so registering again works", () => {
    const ipc = recordingIpcMain();
    const undo = registerIpcHandlers(ipc, recordingEngine(), () => ourContents);
    undo();
    expect(ipc.handlers.size).toBe(0);
    expect(() => registerIpcHandlers(ipc, recordingEngine(), () => ourContents)).not.toThrow();
  });
});

describe("engine events", () => {
  it("go to the live window as {name, payload} on the event channel", () => {
    let emit: EngineEventListener = () => {};
    const engine: Pick<Engine, "onEvent"> = {
      onEvent(listener) {
        emit = listener;
        return () => {
          emit = () => {};
        };
      },
    };
    const sent: unknown[][] = [];
    let destroyed = false;
    let present = true;
    const contents = { isDestroyed: () => destroyed, send: (...args: unknown[]) => sent.push(args) };
    const stop = forwardEngineEvents(engine, () => (present ? contents : null));
    emit("models.changed", { reason: "added" });
    destroyed = true;
    emit("models.changed", { reason: "removed" });
    destroyed = false;
    present = false;
    emit("models.changed", { reason: "rechecked" });
    present = true;
    stop();
    emit("models.changed", { reason: "hashed" });
    expect(sent).toEqual([[ipcEventChannel, { name: "models.changed", payload: { reason: "added" } }]]);
  });
});
