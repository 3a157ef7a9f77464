import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A long job (a training run, a translation job) is going exactly while the process doing it listens
// on a socket named after it (a Unix socket, a named pipe on Windows). The kernel closes it the moment
// the process dies, zombie or not, and no other process listens there, so a reused PID never passes
// for the job. See decision 0015.

/** The socket for the job `key` of this `kind`; hashed, so short enough for any OS's limit. */
export function livenessPath(kind: string, key: string): string {
  const id = createHash("sha256").update(key).digest("hex").slice(0, 20);
  return process.platform === "win32" ? `\\\\.\\pipe\\polytune-${kind}-${id}` : join(tmpdir(), `polytune-${kind}-${id}.sock`);
}

/** In the process doing the job: holds its socket until `close()` or the process ends. */
export function holdLiveness(path: string): Promise<Server> {
  // A file left by a process that was killed; a job is only started after a probe said nobody holds it.
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

/** Whether a process holds the socket now. A live process answers at once; a dead one's socket refuses. */
export function probeLiveness(path: string, timeoutMs = 2000): Promise<boolean> {
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
