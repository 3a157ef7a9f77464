// Our machines reach an npm registry mirror that carries only the Linux binary packages of many
// tools (node-llama-cpp, rollup…). `npm install` then leaves the other platforms' optional packages
// out of package-lock.json, and `npm ci` refuses the lock as out of sync. This script restores those
// entries with the platform fields read from the package name (os, cpu, libc), so `npm ci` skips them
// here and still installs the right one on macOS or Windows against the public registry.
// Run it after every `npm install`; `npm run lock:complete` does.
import { readFileSync, writeFileSync } from "node:fs";

const osTokens = [
  [/(^|-)(darwin|mac)(-|$)/, "darwin"],
  [/(^|-)win(32)?(-|$)/, "win32"],
  [/(^|-)linux(-|$)/, "linux"],
  [/(^|-)android(-|$)/, "android"],
  [/(^|-)freebsd(-|$)/, "freebsd"],
  [/(^|-)openbsd(-|$)/, "openbsd"],
  [/(^|-)netbsd(-|$)/, "netbsd"],
  [/(^|-)openharmony(-|$)/, "openharmony"],
  [/(^|-)sunos(-|$)/, "sunos"],
  [/(^|-)aix(-|$)/, "aix"],
];
const cpuTokens = [
  [/(^|-)(x64|amd64|x86_64)(-|$)/, "x64"],
  [/(^|-)(arm64|aarch64)(-|$)/, "arm64"],
  [/(^|-)(ia32|x86|i386)(-|$)/, "ia32"],
  [/(^|-)(arm|armv7l|armv7)(-|$)/, "arm"],
  [/(^|-)riscv64(-|$)/, "riscv64"],
  [/(^|-)ppc64(le)?(-|$)/, "ppc64"],
  [/(^|-)s390x(-|$)/, "s390x"],
  [/(^|-)loong64(-|$)/, "loong64"],
];

function platformOf(name) {
  const base = name.split("/").pop();
  const os = osTokens.find(([re]) => re.test(base))?.[1];
  const cpu = cpuTokens.find(([re]) => re.test(base))?.[1];
  if (!os) return null;
  const fields = { os: [os] };
  // Mac "metal" builds and Windows arm64 builds of node-llama-cpp also run on x64; a looser cpu never breaks the skip.
  if (cpu) fields.cpu = [cpu];
  if (os === "linux" && /musl/.test(base)) fields.libc = ["musl"];
  else if (os === "linux" && /gnu/.test(base)) fields.libc = ["glibc"];
  return fields;
}

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const added = [];
const unknown = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const here = `${path ? `${path}/` : ""}node_modules/${dep}`;
    const top = `node_modules/${dep}`;
    if (lock.packages[here] || lock.packages[top]) continue;
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(range)) continue;
    const platform = platformOf(dep);
    if (!platform) {
      unknown.push(`${dep}@${range}`);
      continue;
    }
    lock.packages[top] = { version: range, ...platform, optional: true };
    added.push(`${dep}@${range}`);
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added.length} platform package(s) restored${unknown.length ? `; no platform known for ${unknown.join(", ")}` : ""}`);
