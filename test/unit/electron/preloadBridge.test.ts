import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { callNames, desktopActionNames, desktopChannel, eventNames, ipcChannel, ipcEventChannel } from "../../../electron/shared/contract.js";
import { createPreloadBridge, type PreloadPorts } from "../../../electron/preload/createPreloadBridge.js";
import { makeTempDir } from "../../support/tempDir.js";

function fakePorts(): PreloadPorts & { invoked: Array<[string, unknown]>; push: (message: unknown) => void; subscriptions: number } {
  let deliver: (message: unknown) => void = () => {};
  const ports = {
    invoked: [] as Array<[string, unknown]>,
    subscriptions: 0,
    push: (message: unknown) => deliver(message),
    async invoke(channel: string, input: unknown) {
      ports.invoked.push([channel, input]);
      return { ok: true, value: channel };
    },
    onEventMessage(listener: (message: unknown) => void) {
      ports.subscriptions++;
      deliver = listener;
    },
    getPathForFile: () => "/models/dropped.gguf",
  };
  return ports;
}

describe("preload bridge", () => {
  it("has one method per contract call and per desktop action, plus on and pathForFile, and nothing else", () => {
    const bridge = createPreloadBridge(fakePorts());
    expect(Object.keys(bridge).sort()).toEqual([...callNames, ...desktopActionNames, "on", "pathForFile"].sort());
  });

  it("invokes each call on its own channel with the input as given", async () => {
    const ports = fakePorts();
    const bridge = createPreloadBridge(ports);
    expect(await bridge["models.list"]({})).toEqual({ ok: true, value: ipcChannel("models.list") });
    await bridge["models.add"]({ path: "/m/a.gguf" });
    expect(ports.invoked).toEqual([
      [ipcChannel("models.list"), {}],
      [ipcChannel("models.add"), { path: "/m/a.gguf" }],
    ]);
  });

  it("delivers only known events to their own listeners, and unsubscribes", () => {
    const ports = fakePorts();
    const bridge = createPreloadBridge(ports);
    const got: unknown[] = [];
    const off = bridge.on("models.changed", (payload) => got.push(payload));
    bridge.on("runs.changed", () => got.push("wrong listener"));
    ports.push({ name: "models.changed", payload: { reason: "added" } });
    ports.push({ name: "not.an.event", payload: 1 });
    ports.push({ name: "__proto__", payload: 1 });
    ports.push(null);
    ports.push("models.changed");
    off();
    ports.push({ name: "models.changed", payload: { reason: "removed" } });
    expect(got).toEqual([{ reason: "added" }]);
    expect(ports.subscriptions).toBe(1);
    expect(() => bridge.on("nope" as never, () => {})).toThrow(TypeError);
  });

  it("keeps delivering when one listener throws", () => {
    const ports = fakePorts();
    const bridge = createPreloadBridge(ports);
    const got: unknown[] = [];
    const quiet = console.error;
    console.error = () => {};
    try {
      bridge.on("progress", () => {
        throw new Error("view bug");
      });
      bridge.on("progress", (p) => got.push(p));
      ports.push({ name: "progress", payload: { task: "t", label: "l", done: 1, total: null } });
    } finally {
      console.error = quiet;
    }
    expect(got).toHaveLength(1);
  });

  it("invokes each desktop action on its own channel", async () => {
    const ports = fakePorts();
    const bridge = createPreloadBridge(ports);
    await bridge["desktop.showRunAdapter"]({ run: "r1" });
    expect(ports.invoked.at(-1)).toEqual([desktopChannel("desktop.showRunAdapter"), { run: "r1" }]);
  });

  it("answers pathForFile through webUtils", () => {
    expect(createPreloadBridge(fakePorts()).pathForFile({} as File)).toBe("/models/dropped.gguf");
  });
});

describe("bundled preload (scripts/bundle-preload.mjs)", () => {
  const temp = makeTempDir("polytune-preload-");
  afterAll(() => temp.cleanup());

  it("is one CommonJS file that requires only electron and exposes the bridge", () => {
    const outfile = join(temp.dir, "preload.cjs");
    execFileSync(process.execPath, ["scripts/bundle-preload.mjs", "--outfile", outfile], { stdio: "pipe" });
    const code = readFileSync(outfile, "utf8");

    const required: string[] = [];
    const exposed = new Map<string, unknown>();
    const invoked: unknown[][] = [];
    const onChannels: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: { invoke: (...args: unknown[]) => (invoked.push(args), Promise.resolve({ ok: true, value: null })), on: (channel: string) => onChannels.push(channel) },
      webUtils: { getPathForFile: () => "/x.gguf" },
    };
    // What a sandboxed preload gets: a `require` that knows "electron" and nothing else.
    const sandboxRequire = (name: string): unknown => {
      required.push(name);
      if (name === "electron") return electron;
      throw new Error(`sandboxed preload cannot require ${name}`);
    };
    const module = { exports: {} };
    runInNewContext(code, { require: sandboxRequire, module, exports: module.exports, console });

    expect(new Set(required)).toEqual(new Set(["electron"]));
    expect([...exposed.keys()]).toEqual(["polytune"]);
    const bridge = exposed.get("polytune") as Record<string, (...args: unknown[]) => unknown>;
    expect(Object.keys(bridge).sort()).toEqual([...callNames, ...desktopActionNames, "on", "pathForFile"].sort());
    void bridge["runs.list"]!({});
    expect(invoked).toEqual([[ipcChannel("runs.list"), {}]]);
    bridge.on!(eventNames[0], () => {});
    expect(onChannels).toEqual([ipcEventChannel]);
    expect(bridge.pathForFile!({})).toBe("/x.gguf");
  });
});
