// Type-checks the Electron shell (electron/main, electron/preload) against the real `electron` types.
// A plain offline `npm ci` drops the optional `electron` package (its binary download fails), so the
// check is skipped there with a notice; CI installs the types and requires it.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const shellFiles = ["electron/main", "electron/preload"].flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith(".ts")) : []));
if (shellFiles.length === 0) {
  console.warn("typecheck-shell: no shell sources yet (electron/main, electron/preload).");
  process.exit(0);
}

if (!existsSync("node_modules/electron/electron.d.ts")) {
  const message = "electron types not installed (offline `npm ci` drops the optional electron package); install them with `ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci` to type-check the shell.";
  if (process.env.CI === "true") {
    console.error(`typecheck-shell: ${message}`);
    process.exit(1);
  }
  console.warn(`typecheck-shell: skipped — ${message}`);
  process.exit(0);
}
const r = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.shell.json", "--noEmit"], { stdio: "inherit" });
process.exit(r.status ?? 1);
