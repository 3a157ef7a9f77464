// Training processes in the desktop app start as Electron utility processes (decision 0006): the
// packaged app then needs no runAsNode fuse, and a crash or an out-of-memory kill ends that process
// only. This adapts a UtilityProcess to the child-process shape the engine's TrainingJobs expects.
import { EventEmitter } from "node:events";
import type { SpawnTrainWorker, TrainWorkerProcess } from "../engine/createEngine.js";

/** The part of Electron's UtilityProcess used here. */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: "message", listener: (message: unknown) => void): unknown;
  on(event: "exit", listener: (code: number) => void): unknown;
}

export type ForkUtilityProcess = (modulePath: string, args: string[], options: { serviceName: string; stdio: "inherit" }) => UtilityProcessLike;

/** A utility process as TrainingJobs sees a training process. */
class UtilityTrainWorker extends EventEmitter implements TrainWorkerProcess {
  constructor(private readonly child: UtilityProcessLike) {
    super();
    child.on("message", (message) => this.emit("message", message));
    // A utility process reports an exit code only; a kill shows as a non-zero code.
    child.on("exit", (code) => this.emit("exit", code, null));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: unknown): void {
    this.child.postMessage(message);
  }

  // It takes no signal: Electron ends it with SIGTERM (POSIX) or TerminateProcess (Windows).
  kill(): boolean {
    return this.child.kill();
  }
}

export function utilityProcessSpawner(fork: ForkUtilityProcess): SpawnTrainWorker {
  return (entry) => new UtilityTrainWorker(fork(entry, [], { serviceName: "Polytune training", stdio: "inherit" }));
}
