import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desktopActionNames, desktopChannel, TrainConfigSchema, type DesktopResult } from "../../../electron/shared/contract.js";
import { createEngine } from "../../../electron/engine/createEngine.js";
import type { Engine } from "../../../electron/engine/Engine.js";
import { openDatabase } from "../../../electron/engine/db/openDatabase.js";
import { writeTinyModel } from "../../../electron/engine/models/writeTinyModel.js";
import { RunStore } from "../../../electron/engine/runs/RunStore.js";
import type { InvokeEventLike } from "../../../electron/main/ipcSender.js";
import { registerDesktopHandlers } from "../../../electron/main/registerDesktopHandlers.js";
import type { IpcMainLike } from "../../../electron/main/registerIpcHandlers.js";
import { makeTempDir } from "../../support/tempDir.js";

type Listener = (event: InvokeEventLike, ...args: unknown[]) => unknown;

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

// Electron's shell and dialog stand in as recorders (Electron itself is not loaded in unit tests); the engine is real.
const shown: string[] = [];
const shell = { showItemInFolder: (path: string) => void shown.push(path) };
const dialog = {
  showOpenDialog: async () => ({ canceled: true, filePaths: [] as string[] }),
  showMessageBox: async () => ({ response: 0, checkboxChecked: false }),
};
const ourContents = { id: 1 };
const fromUs: InvokeEventLike = { sender: ourContents, senderFrame: { url: "app://polytune/index.html", parent: null } };
const fromElsewhere: InvokeEventLike = { sender: ourContents, senderFrame: { url: "https://example.com/", parent: null } };

const temp = makeTempDir("polytune-desktop-");
const home = join(temp.dir, "home");
const adapter = join(temp.dir, "out", "adapter.gguf");
let engine: Engine;
let finished = "";
let unfinished = "";
const ipc = recordingIpcMain();
const call = (name: string, input: unknown, event = fromUs) => ipc.handlers.get(desktopChannel(name as never))!(event, input) as Promise<DesktopResult>;

beforeAll(async () => {
  // A library with one model, then two runs written as the engine writes them: one finished with its adapter, one not.
  const model = join(temp.dir, "tiny.gguf");
  await writeTinyModel({ out: model, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 2 });
  const first = await createEngine({ home });
  const added = await first.dispatch("models.add", { path: model }, "ipc");
  await first.close();
  if (!added.ok) throw new Error(added.error.message);
  const modelId = added.value.added[0]!.id;
  const db = openDatabase(join(home, "polytune.db"));
  const runs = new RunStore(db);
  const config = TrainConfigSchema.parse({ model: modelId, data: join(temp.dir, "data.jsonl"), steps: 1 });
  finished = runs.create(config, modelId, (id) => join(home, "runs", id), 1).id;
  runs.setStatus(finished, "completed", { adapterPath: adapter });
  unfinished = runs.create(config, modelId, (id) => join(home, "runs", id), 1).id;
  runs.setStatus(unfinished, "failed", { error: { code: "test", message: "stopped" } });
  db.close();
  mkdirSync(join(temp.dir, "out"));
  writeFileSync(adapter, "GGUF");
  engine = await createEngine({ home });
  registerDesktopHandlers(ipc, { engine, dialog, shell, window: () => null, trustedSender: () => ourContents });
}, 60_000);

afterAll(async () => {
  await engine?.close();
  temp.cleanup();
});

describe("desktop action handlers", () => {
  it("registers one handler per desktop action on its own channel", () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(desktopActionNames.map(desktopChannel).sort());
  });

  it("shows the run's own adapter, looked up in the engine", async () => {
    shown.length = 0;
    expect(await call("desktop.showRunAdapter", { run: finished })).toEqual({ ok: true });
    expect(shown).toEqual([adapter]);
  });

  it("refuses another frame before doing anything", async () => {
    shown.length = 0;
    const result = await call("desktop.showRunAdapter", { run: finished }, fromElsewhere);
    expect(result).toMatchObject({ ok: false, error: { code: "untrusted-sender" } });
    expect(shown).toEqual([]);
  });

  it("refuses input that is not a run id, naming the field, and never takes a path from the page", async () => {
    shown.length = 0;
    expect(await call("desktop.showRunAdapter", { run: finished, path: "/etc/passwd" })).toMatchObject({ ok: false, error: { code: "invalid-input" } });
    const empty = await call("desktop.showRunAdapter", { run: "" });
    expect(empty).toMatchObject({ ok: false, error: { code: "invalid-input" } });
    expect(!empty.ok && empty.error.message).toContain("run:");
    expect(await call("desktop.addModelsFromDialog", { kind: "everything" })).toMatchObject({ ok: false, error: { code: "invalid-input" } });
    expect(shown).toEqual([]);
  });

  it("says why when the run is unknown or has no adapter", async () => {
    shown.length = 0;
    expect(await call("desktop.showRunAdapter", { run: "nosuchrun" })).toMatchObject({ ok: false });
    expect(await call("desktop.showRunAdapter", { run: unfinished })).toMatchObject({ ok: false, error: { code: "no-adapter" } });
    expect(shown).toEqual([]);
  });
});
