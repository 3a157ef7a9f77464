// The demo model's corpus: each language's cleaned sections in a seeded order, a fixed share held out
// for perplexity, the rest capped at a token budget so no language dominates, written as
// `corpus/<lang>.jsonl` and `corpus/<lang>.heldout.jsonl` ({"text"} per line) with their fingerprints.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { cleanReferenceText } from "./cleanReferenceText.mjs";

function jsonl(documents) {
  return documents.map((d) => `${JSON.stringify({ text: d.text })}\n`).join("");
}

function sha256(text) {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * `countTokens(text)` counts with the untrimmed llama-spm tokenizer (the cap's unit; the trained model's
 * trimmed vocabulary splits some scripts finer). `shuffle(items, seed)` is the engine's seeded shuffle.
 */
export function buildCorpus(sources, settings, { outDir, countTokens, shuffle }) {
  mkdirSync(outDir, { recursive: true });
  const languages = [...new Set(sources.map((s) => s.language))];
  const stats = {};
  for (const lang of languages) {
    const documents = sources
      .filter((s) => s.language === lang)
      .flatMap((s) => {
        const raw = readFileSync(join(s.root, s.file));
        return cleanReferenceText((s.file.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8"), lang);
      });
    const order = shuffle(documents, settings.seed);
    const heldCount = Math.max(1, Math.round(order.length * settings.heldOutShare));
    const heldOut = order.slice(0, heldCount);
    const train = [];
    let tokens = 0;
    for (const d of order.slice(heldCount)) {
      const n = countTokens(d.text);
      if (tokens + n > settings.capTokens) break;
      train.push(d);
      tokens += n;
    }
    const trainText = jsonl(train);
    const heldText = jsonl(heldOut);
    writeFileSync(join(outDir, `${lang}.jsonl`), trainText);
    writeFileSync(join(outDir, `${lang}.heldout.jsonl`), heldText);
    stats[lang] = {
      documents: train.length,
      characters: train.reduce((a, d) => a + d.text.length, 0),
      tokens,
      available: order.length - heldCount,
      sha256: sha256(trainText),
      heldOut: { documents: heldOut.length, characters: heldOut.reduce((a, d) => a + d.text.length, 0), sha256: sha256(heldText) },
    };
  }
  return stats;
}
