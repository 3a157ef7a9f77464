// Bundles the sandboxed preload (electron/preload/preload.ts + the contract + zod) into ONE CommonJS
// file: a sandboxed preload can require only "electron", so nothing else may stay a `require`.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
// `--outfile <path>` lets the unit test bundle into a temp folder.
const flag = process.argv.indexOf("--outfile");
const outfile = flag > 0 && process.argv[flag + 1] ? process.argv[flag + 1] : `${root}dist/electron/preload/preload.cjs`;

await build({
  absWorkingDir: root,
  entryPoints: ["electron/preload/preload.ts"],
  outfile,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node22",
  external: ["electron"],
  sourcemap: "linked",
  legalComments: "none",
  // The contract pulls in zod (~all of it, since the call table is built from schemas); minified, it loads fast.
  minify: true,
  logLevel: "warning",
});

// Refuse a bundle that would fail at run time in the sandbox.
const code = readFileSync(outfile, "utf8");
const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
const foreign = [...new Set(required)].filter((name) => name !== "electron");
if (foreign.length > 0) {
  console.error(`bundle-preload: the preload requires ${foreign.join(", ")}; a sandboxed preload may require only "electron".`);
  process.exit(1);
}
console.log(`bundle-preload: wrote ${outfile} (${(code.length / 1024).toFixed(0)} KiB)`);
