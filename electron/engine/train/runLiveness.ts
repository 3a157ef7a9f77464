import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// A run is going exactly while its training process listens on a socket named after the run (a Unix
// socket, a named pipe on Windows). The kernel closes it the moment the process dies, zombie or not,
// and no other process listens there, so a reused PID never passes for the run. See decision 0015.

/** The socket a run's training process listens on while it is going; short enough for any OS's limit. */
export function runLivenessPath(runDir: string): string {
  const id = createHash("sha256").update(resolve(runDir)).digest("hex").slice(0, 20);
  return process.platform === "win32" ? `\\\\.\\pipe\\polytune-run-${id}` : join(tmpdir(), `polytune-run-${id}.sock`);
}

/** In the training process: holds the run's socket until the process ends. */
export function holdRunLiveness(path: string): Promise<Server> {
  // A file left by a process that was killed; the engine launches a process only for a run that is not going.
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

/** Whether a process holds the run's socket now. A live process answers at once; a dead one's socket refuses. */
export function probeRunLiveness(path: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection(path);
    const finish = (alive: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      done(alive);
    };
    // A process that is stopped but not dead (SIGSTOP, a debugger) may not answer: it is still going.
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}
