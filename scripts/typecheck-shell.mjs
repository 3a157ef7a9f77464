// Type-checks the Electron shell (electron/main, electron/preload) against the real `electron` types.
// Electron ships no install script since 42 (its binary comes on first start), so `npm ci` always
// installs the package and its types, online or not.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

if (!existsSync("node_modules/electron/electron.d.ts")) {
  console.error("typecheck-shell: node_modules/electron is missing; run `npm ci`.");
  process.exit(1);
}
const r = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.shell.json", "--noEmit"], { stdio: "inherit" });
process.exit(r.status ?? 1);
