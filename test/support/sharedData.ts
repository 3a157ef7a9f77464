import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** True in CI (`.ci/run` exports CI=true): there, a missing prerequisite is a failure, never a skip. */
export const inCI = process.env.CI === "true";

/**
 * Whether a test prerequisite is present. Outside CI a test may skip without it; in CI the file that
 * asks fails at once, naming what is missing, so a broken machine cannot pass by skipping.
 */
export function prerequisite(present: boolean, what: string): boolean {
  if (!present && inCI) throw new Error(`CI needs ${what}; it is missing. Tests never skip in CI (see test/README.md).`);
  return present;
}

/**
 * ../shared/data beside the checkout (tests may read it; the app never needs it).
 * POLYTUNE_SHARED_DATA points elsewhere, e.g. at an empty folder to check that CI fails without it.
 */
export const sharedDataDir = process.env.POLYTUNE_SHARED_DATA ? resolve(process.env.POLYTUNE_SHARED_DATA) : resolve(process.cwd(), "..", "shared", "data");
export const sharedTinyLlama = join(sharedDataDir, "gguf_tiny", "llama-2-tiny-random.gguf");
export const sharedLegacyV1 = join(sharedDataDir, "gguf_tiny", "legacy_v1", "tinyllamas-stories-260k-f32.gguf");
export const hasSharedData = prerequisite(existsSync(sharedTinyLlama) && existsSync(sharedLegacyV1), `the shared test data (${sharedTinyLlama} and ${sharedLegacyV1})`);
