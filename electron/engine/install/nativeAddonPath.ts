import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { unpackedPath } from "./unpackedPath.js";

/**
 * Where `npm run build:native` puts the native addon (the LoRA trainer and the batched decoder), seen
 * from the sources (electron/engine/install) and from the compiled tree (dist/electron/engine/install),
 * each mapped out of a packaged app's archive. The first is the one to name when neither exists.
 */
export function nativeAddonCandidates(): string[] {
  return ["../../../native/build/Release/polytune_trainer.node", "../../../../native/build/Release/polytune_trainer.node"].map((rel) =>
    unpackedPath(fileURLToPath(new URL(rel, import.meta.url))),
  );
}

/** The built addon's path, or null when it is not built. */
export function nativeAddonPath(): string | null {
  return nativeAddonCandidates().find((p) => existsSync(p)) ?? null;
}
