// The desktop app's training processes: utilityProcess adapted to what TrainingJobs drives, and the
// worker's side of the same channel. A stand-in UtilityProcess joins the two in this process, with
// Electron's envelope (the child receives {data}) and its structured-clone copying.
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { parentChannel, type ParentProcess } from "../../../electron/engine/train/parentChannel.js";
import type { TrainWorkerEvent, TrainWorkerRequest } from "../../../electron/engine/train/TrainWorkerProtocol.js";
import { utilityProcessSpawner, type UtilityProcessLike } from "../../../electron/main/utilityProcessSpawner.js";

/** A UtilityProcess and, on its other end, the `process` a utility process sees. */
function fakeUtilityProcess() {
  const parentSide = new EventEmitter();
  const childPort = new EventEmitter();
  const forks: Array<{ modulePath: string; args: string[]; options: unknown }> = [];
  let kills = 0;
  let pid: number | undefined;
  const utility: UtilityProcessLike = {
    get pid() {
      return pid;
    },
    postMessage: (message) => childPort.emit("message", { data: structuredClone(message) }),
    kill: () => {
      kills++;
      parentSide.emit("exit", 15);
      return true;
    },
    on: (event: string, listener: Parameters<EventEmitter["on"]>[1]) => parentSide.on(event, listener),
  };
  const childProcess: ParentProcess = {
    parentPort: { on: (event, listener) => childPort.on(event, listener), postMessage: (message) => parentSide.emit("message", structuredClone(message)) },
    on: () => undefined,
  };
  const fork = (modulePath: string, args: string[], options: unknown): UtilityProcessLike => {
    forks.push({ modulePath, args, options });
    return utility;
  };
  return { fork, forks, childProcess, parentSide, kills: () => kills, spawned: (p: number) => (pid = p) };
}

const start: TrainWorkerRequest = { type: "stop", mode: "pause" };

describe("utilityProcessSpawner", () => {
  it("forks the worker entry as a named utility process", () => {
    const fake = fakeUtilityProcess();
    utilityProcessSpawner(fake.fork)("/app/dist/electron/engine/train/trainWorker.js");
    expect(fake.forks).toEqual([{ modulePath: "/app/dist/electron/engine/train/trainWorker.js", args: [], options: { serviceName: "Polytune training", stdio: "inherit" } }]);
  });

  it("carries requests to the worker and its events back, in both directions", () => {
    const fake = fakeUtilityProcess();
    const worker = utilityProcessSpawner(fake.fork)("/w.js");
    const channel = parentChannel(fake.childProcess);
    const requests: TrainWorkerRequest[] = [];
    channel.onRequest((r) => requests.push(r));
    const events: unknown[] = [];
    worker.on("message", (m) => events.push(m));

    worker.send(start);
    expect(requests).toEqual([start]);
    const step: TrainWorkerEvent = { type: "checkpoint", step: 4, path: "/c/step-4.gguf" };
    channel.send(step);
    expect(events).toEqual([step]);
  });

  it("reports exit as (code, null) to on and once listeners, and kills without a signal", () => {
    const fake = fakeUtilityProcess();
    const worker = utilityProcessSpawner(fake.fork)("/w.js");
    const seen: unknown[] = [];
    worker.on("exit", (code, signal) => seen.push(["on", code, signal]));
    worker.once("exit", (code, signal) => seen.push(["once", code, signal]));
    worker.kill("SIGKILL");
    expect(fake.kills()).toBe(1);
    expect(seen).toEqual([
      ["on", 15, null],
      ["once", 15, null],
    ]);
  });

  it("shows the pid once Electron has started the process", () => {
    const fake = fakeUtilityProcess();
    const worker = utilityProcessSpawner(fake.fork)("/w.js");
    expect(worker.pid).toBeUndefined();
    fake.spawned(4242);
    expect(worker.pid).toBe(4242);
  });
});

describe("parentChannel under child_process.fork", () => {
  it("sends through process.send while connected and reports a lost parent", () => {
    const emitter = new EventEmitter();
    const sent: unknown[] = [];
    const proc: ParentProcess = Object.assign(emitter, { connected: true, send: (m: unknown) => sent.push(m) });
    const channel = parentChannel(proc);
    const requests: unknown[] = [];
    let lost = false;
    channel.onRequest((r) => requests.push(r));
    channel.onDisconnect(() => (lost = true));

    channel.send({ type: "checkpoint", step: 1, path: "/a" });
    emitter.emit("message", start);
    proc.connected = false;
    channel.send({ type: "checkpoint", step: 2, path: "/b" });
    emitter.emit("disconnect");
    expect(sent).toEqual([{ type: "checkpoint", step: 1, path: "/a" }]);
    expect(requests).toEqual([start]);
    expect(lost).toBe(true);
  });
});
