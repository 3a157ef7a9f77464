// The built CLI in its own process, as the CLI tests run it: to its end, or signalled mid-way.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";

const bin = join(process.cwd(), "bin", "polytune.js");

export interface PolytuneResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `polytune --home HOME ...args` to its end (killed after `timeoutMs`). */
export function runPolytune(home: string, args: readonly string[], timeoutMs: number): PolytuneResult {
  const r = spawnSync(process.execPath, [bin, "--home", home, ...args], { encoding: "utf8", timeout: timeoutMs });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `polytune --home HOME ...args` and sends `signal` once `when` accepts its stderr so far. SIGKILL
 * goes to the whole process group, as a crash would take it; after `timeoutMs` the group is killed.
 */
export function runPolytuneAndSignal(home: string, args: readonly string[], signal: NodeJS.Signals, when: (stderr: string) => boolean, timeoutMs: number): Promise<PolytuneResult> {
  const child = spawn(process.execPath, [bin, "--home", home, ...args], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let sent = false;
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    if (!sent && when(stderr)) {
      sent = true;
      process.kill(signal === "SIGKILL" ? -child.pid! : child.pid!, signal);
    }
  });
  const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), timeoutMs);
  return new Promise((resolve) =>
    child.on("close", (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, stdout, stderr });
    }),
  );
}
