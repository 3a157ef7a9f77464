import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// A translation job runs inside the engine that started it (a CLI, the app, `serve`). It is going
// exactly while that process listens on a socket named after the database and the job: the kernel
// closes it the moment the process dies, so a job left "running" by a killed process reads as
// interrupted, and a job another live process is translating is never started twice. (The same
// reasoning as runs' liveness, decision 0015; train/ is a sibling layer, so it is not shared.)

export function jobLivenessPath(databasePath: string, job: string): string {
  const id = createHash("sha256").update(`${resolve(databasePath)}\n${job}`).digest("hex").slice(0, 20);
  return process.platform === "win32" ? `\\\\.\\pipe\\polytune-translate-${id}` : join(tmpdir(), `polytune-translate-${id}.sock`);
}

/** Holds the job's socket until `close()` or the process ends. */
export function holdJobLiveness(path: string): Promise<Server> {
  // A file left by a killed process; a job is only started after its probe said nobody holds it.
  if (process.platform !== "win32") rmSync(path, { force: true });
  const server = createServer((socket) => socket.end());
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(path, () => {
      server.unref();
      done(server);
    });
  });
}

/** Whether a process holds the job's socket now. */
export function probeJobLiveness(path: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection(path);
    const finish = (alive: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      done(alive);
    };
    // A stopped process (SIGSTOP, a debugger) may not answer: it still holds the job.
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}
