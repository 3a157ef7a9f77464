#!/usr/bin/env node
// The `polytune` command. The TypeScript sources are compiled to dist/ by `npm run build` (run by `npm ci`).
import { existsSync } from "node:fs";

const entry = new URL("../dist/electron/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("polytune: not built yet. Run `npm run build` (or `npm ci`) in the Polytune folder first.\n");
  process.exit(1);
}
const { main } = await import(entry.href);
await main();
