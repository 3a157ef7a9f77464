// Fetches the recipe's Debian packages as .deb files (no root: `apt-get download` into a cache folder),
// checks each against the SHA-256 the recipe pins and extracts it with `dpkg-deb -x`.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

export function sha256File(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function debName(source) {
  return `${source.package}_${source.version}_all.deb`;
}

function download(source, debsDir) {
  const r = spawnSync("apt-get", ["download", `${source.package}=${source.version}`], { cwd: debsDir, encoding: "utf8" });
  if (r.error !== undefined || r.status !== 0 || !existsSync(join(debsDir, debName(source)))) {
    const why = r.error?.message ?? (r.stderr.trim().split("\n").filter((l) => l.startsWith("E:")).join(" ") || `apt-get exited with ${r.status}`);
    throw new Error(
      `Could not download ${source.package} ${source.version} (${why}). ` +
        `If this version is no longer offered, put ${debName(source)} (from snapshot.debian.org) in a folder and pass --debs <folder>.`,
    );
  }
}

/**
 * Returns each source with `deb` (its path) and `root` (where it is extracted). A source whose recipe
 * SHA-256 is null is recorded (`recorded` lists them); any other mismatch is an error.
 */
export function fetchSources(sources, { cacheDir, debsDir, log }) {
  const cacheDebs = join(cacheDir, "debs");
  mkdirSync(cacheDebs, { recursive: true });
  const fetched = [];
  const recorded = [];
  for (const source of sources) {
    const deb = join(cacheDebs, debName(source));
    const supplied = debsDir === undefined ? undefined : join(debsDir, debName(source));
    if (supplied !== undefined && existsSync(supplied)) copyFileSync(supplied, deb);
    if (!existsSync(deb) || (source.sha256 !== null && sha256File(deb) !== source.sha256)) {
      log(`downloading ${source.package} ${source.version}`);
      rmSync(deb, { force: true });
      download(source, cacheDebs);
    }
    const digest = sha256File(deb);
    if (source.sha256 === null) recorded.push(source.package);
    else if (digest !== source.sha256) {
      throw new Error(`${debName(source)} has SHA-256 ${digest}, the recipe pins ${source.sha256}. Supply the pinned file with --debs <folder>.`);
    }
    const root = join(cacheDir, "extracted", `${source.package}_${source.version}`);
    if (!existsSync(join(root, source.file))) {
      rmSync(root, { recursive: true, force: true });
      mkdirSync(root, { recursive: true });
      execFileSync("dpkg-deb", ["-x", deb, root]);
    }
    if (!existsSync(join(root, source.file))) throw new Error(`${debName(source)} holds no ${source.file}.`);
    fetched.push({ ...source, sha256: digest, deb, root });
  }
  return { fetched, recorded };
}
