import { readFileSync } from "node:fs";

let cached: string | undefined;

/** The version in package.json, found from this file whether run from source or from dist/. */
export function appVersion(): string {
  if (cached) return cached;
  for (const rel of ["../../../package.json", "../../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "polytune" && pkg.version) return (cached = pkg.version);
    } catch {
      /* try the next candidate */
    }
  }
  return (cached = "0.0.0");
}
