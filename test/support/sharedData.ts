import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** ../shared/data beside the checkout (tests may read it; the app never needs it). */
export const sharedDataDir = resolve(process.cwd(), "..", "shared", "data");
export const sharedTinyLlama = join(sharedDataDir, "gguf_tiny", "llama-2-tiny-random.gguf");
export const sharedLegacyV1 = join(sharedDataDir, "gguf_tiny", "legacy_v1", "tinyllamas-stories-260k-f32.gguf");
export const hasSharedData = existsSync(sharedTinyLlama);
