// The demo model's documents, written from the recipe and the build's measurements: the loss curve
// (SVG), docs/demo-model.md and the model card beside the model file.
import { writeFileSync } from "node:fs";

const languageNames = { en: "English", de: "German", es: "Spanish", fr: "French", pt: "Portuguese", ru: "Russian", zh: "Chinese (simplified)", it: "Italian", id: "Indonesian", ja: "Japanese" };
/** The languages of the demo instruction data (assets/demo): the others are never tuned on. */
const tunedLanguages = new Set(["en", "es", "de", "fr", "ru", "zh", "pt"]);

function escapeXml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Training loss per step (faint) and its moving average over `window` steps, as a standalone SVG. */
export function lossCurveSvg(metrics, { window = 25 } = {}) {
  const width = 720;
  const height = 360;
  const pad = { left: 56, right: 16, top: 28, bottom: 44 };
  const steps = metrics.map((m) => m.step);
  const losses = metrics.map((m) => m.loss);
  const xMax = Math.max(...steps);
  const yMax = Math.ceil(Math.max(...losses));
  const yMin = Math.max(0, Math.floor(Math.min(...losses)) - 1);
  const x = (s) => pad.left + ((width - pad.left - pad.right) * s) / xMax;
  const y = (l) => pad.top + ((height - pad.top - pad.bottom) * (yMax - l)) / (yMax - yMin);
  const path = (points) => points.map(([s, l], i) => `${i === 0 ? "M" : "L"}${x(s).toFixed(1)},${y(l).toFixed(1)}`).join(" ");
  const smooth = losses.map((_, i) => {
    const part = losses.slice(Math.max(0, i - window + 1), i + 1);
    return part.reduce((a, b) => a + b, 0) / part.length;
  });
  const yTicks = [];
  for (let l = yMin; l <= yMax; l += Math.max(1, Math.round((yMax - yMin) / 6))) yTicks.push(l);
  const xTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * xMax));
  const text = (tx, ty, s, anchor = "middle") => `<text x="${tx}" y="${ty}" text-anchor="${anchor}" font-size="12" font-family="sans-serif" fill="#333">${escapeXml(s)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...yTicks.map((l) => `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(l)}" y2="${y(l)}" stroke="#e5e5e5"/>${text(pad.left - 8, y(l) + 4, String(l), "end")}`),
    ...xTicks.map((s) => text(x(s), height - pad.bottom + 18, String(s))),
    `<path d="${path(steps.map((s, i) => [s, losses[i]]))}" fill="none" stroke="#9bbbe0" stroke-width="1"/>`,
    `<path d="${path(steps.map((s, i) => [s, smooth[i]]))}" fill="none" stroke="#1f5fa8" stroke-width="2"/>`,
    text(width / 2, height - 8, "optimizer step"),
    `<text x="16" y="${height / 2}" transform="rotate(-90 16 ${height / 2})" text-anchor="middle" font-size="12" font-family="sans-serif" fill="#333">training loss (nats/token)</text>`,
    text(width / 2, 18, `micro-polyglot pretraining: loss per step (light) and its ${window}-step mean (dark)`),
    "</svg>",
    "",
  ].join("\n");
}

function fmt(n, digits = 0) {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function sourcesTable(recipe) {
  const rows = recipe.sources.map((s) => `| ${s.language} | \`${s.package}\` ${s.version} | \`${s.file}\` | ${s.licence} | \`${s.sha256.slice(0, 16)}…\` |`);
  return ["| language | package | file | licence | .deb SHA-256 |", "|---|---|---|---|---|", ...rows].join("\n");
}

function corpusTable(recipe) {
  const rows = Object.entries(recipe.corpus.languages).map(([lang, c]) => `| ${lang} ${languageNames[lang]} | ${tunedLanguages.has(lang) ? "yes" : "no (0-shot)"} | ${fmt(c.documents)} of ${fmt(c.available)} | ${fmt(c.characters)} | ${fmt(c.tokens)} | ${fmt(c.heldOut.documents)} |`);
  return ["| language | in the demo tuning data | documents trained | characters | tokens (untrimmed llama-spm) | held out |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

function perplexityTable(evaluation) {
  const rows = Object.entries(evaluation).map(([lang, e]) => `| ${lang} ${languageNames[lang]} | ${fmt(e.documents)} | ${fmt(e.tokens)} | ${e.loss.toFixed(3)} | ${e.perplexity.toFixed(1)} | ${e.bitsPerCharacter.toFixed(3)} |`);
  return ["| language | documents | tokens | loss (nats/token) | perplexity | bits/character |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

function samplesSection(samples) {
  return Object.entries(samples)
    .map(([lang, list]) => [`**${languageNames[lang]}**`, "", ...list.map((s) => `- \`${s.prompt}\` → ${JSON.stringify(s.completion.replace(/\s+/g, " ").trim())}`), ""].join("\n"))
    .join("\n");
}

const licenceParagraph =
  "Every source is licensed for redistributing derived works: the Debian Reference and the Developer's Reference under " +
  "the GNU GPL, version 2 or (at your option) any later version; the Russian Debian FAQ under its own permission " +
  "notice, which allows copying and distributing modified versions provided the whole derived work carries an " +
  "identical notice (the Debian Reference's copyright file carries the same notice beside the GPL). A model trained on " +
  "this text is treated as a derived work of it, so it is shipped under GPL-2.0-or-later with its provenance (packages, " +
  "versions, checksums, the cleaning and training recipe) and the Debian FAQ's permission notice reproduced in " +
  "`assets/models/micro-polyglot.md`. Polytune's own code stays MIT; the model file is data it ships, not code it links.";

const faqNotice = [
  "Copyright (C) 1996-2003  Software in the Public Interest",
  "",
  "Permission is granted to make and distribute verbatim copies of this document provided the copyright notice and this permission notice are preserved on all copies.",
  "",
  "Permission is granted to copy and distribute modified versions of this document under the conditions for verbatim copying, provided that the entire resulting derived work is distributed under the terms of a permission notice identical to this one.",
  "",
  "Permission is granted to copy and distribute translations of this document into another language, under the above conditions for modified versions, except that this permission notice may be included in translations approved by the Free Software Foundation instead of in the original English.",
].map((l) => (l === "" ? ">" : `> ${l}`)).join("\n");

function shapeLine(recipe) {
  const s = recipe.shape;
  return `${s.arch}, ${s.layers} layers, embedding ${s.embd}, ${s.heads} heads (${s.headsKv} KV), feed-forward ${s.ff}, context ${s.ctx}, vocabulary: ${s.vocab} trimmed to ${fmt(s.vocabSize)} tokens by frequency on the training corpus`;
}

function trainingLine(recipe) {
  const t = recipe.training;
  return `${fmt(t.tokens)} tokens (${fmt(recipe.output.steps)} steps of ${t.batch} × ${t.seqLen} tokens), AdamW, peak LR ${t.lr}, ${t.schedule} schedule with ${t.warmup} warm-up steps, seed ${t.seed}, ${t.threads} threads; trained in F32, shipped quantized to ${t.quantize.toUpperCase()} by llama.cpp's quantizer`;
}

/** docs/demo-model.md */
export function writeDemoModelDoc(path, { recipe, evaluation, samples }) {
  const o = recipe.output;
  const corpusTokens = Object.values(recipe.corpus.languages).reduce((a, c) => a + c.tokens, 0);
  const doc = `# The demo model: micro-polyglot

\`assets/models/micro-polyglot.gguf\` is a toy llama-architecture model that Polytune pretrained from scratch
(\`polytune pretrain\`: full-parameter training of a freshly initialised model) on openly licensed text in ten
languages: Debian's manuals. It exists so the demo can show real cross-lingual effects of instruction tuning
on a model small enough to train and tune on a laptop CPU: seven of its languages (en es de fr ru zh pt) are
those of the demo instruction data, three (it id ja) are never tuned on and serve the zero-shot tests.

It is a toy, and at this recipe's budget an undertrained one: it has learnt each language's most frequent
tokens and little of their order, so greedy samples loop on a frequent word or piece (see below); its text
is not meaningful beyond its corpus, it knows no facts, follows no instructions before tuning and is no
base for anything but demonstrations and tests. What it can show: per-language perplexity that moves when
you tune on some languages and not others, and all of Polytune's machinery (LoRA, full-parameter training,
evaluation) running end to end in minutes.

Rebuild it with \`npm run build:demo-model\` (after \`npm run build:ts\` and \`npm run build:native\`): the
script downloads the pinned Debian packages with \`apt-get download\` (no root; or \`--debs <folder>\` with
the .deb files), checks their SHA-256, cleans the text, verifies the corpus fingerprints, pretrains with
the recipe's settings in its own data folder under \`node_modules/.cache/polytune/demo-model\`, then writes
the model, this page, the loss curve and the model card. \`--skip-train\` redoes only the evaluation and
the documents from the shipped model. Everything it needs is in
\`assets/models/micro-polyglot.recipe.json\`.

## Sources and licences

${sourcesTable(recipe)}

${licenceParagraph}

## Corpus

Cleaning (version ${recipe.corpus.cleaningVersion}, \`scripts/demo-model/cleanReferenceText.mjs\`): the plain-text
dumps are split at their numbered section headings, one document per section; ASCII tables and box drawing,
table captions, shell sessions, bare paths and other lines with few letters are dropped; wrapped lines are
joined into paragraphs (without a space inside CJK text); paragraphs that do not end like a sentence, and
paragraphs left untranslated (another script, or more English function words than the language's own), are
dropped. Per language the documents are put in a seeded order (seed ${recipe.corpus.seed}); the first
${recipe.corpus.heldOutShare * 100}% are held out for perplexity, the rest are taken up to
${fmt(recipe.corpus.capTokens)} tokens (counted with the untrimmed llama-spm tokenizer) so no language dominates.

${corpusTable(recipe)}

## Shape and training

- Shape: ${shapeLine(recipe)}; ${fmt(o.parameters)} parameters.
- Training: ${trainingLine(recipe)}. The corpus holds ${fmt(corpusTokens)} tokens (untrimmed count), so the run reads
  about ${Math.round((100 * recipe.training.tokens) / corpusTokens)}% of it once: more would help, but the recipe keeps pretraining short on 2 CPU cores (see the wall time below).
- File: \`${o.file}\`, ${o.tensorType.toUpperCase()}, ${fmt(o.bytes)} bytes, SHA-256 \`${o.sha256}\`.
- Wall time of the pretraining run: ${fmt(o.trainSeconds / 60, 1)} minutes (${fmt(o.tokensPerSecond)} tokens/s) on ${o.machine}; final training loss ${o.finalLoss.toFixed(3)} (mean of the last 20 steps).

![Training loss](demo-model-loss.svg)

## Perplexity on held-out documents

Computed by the trainer addon's \`evalLoss\` on the shipped model file (full mode, no adapter: exactly the
file's ${o.tensorType.toUpperCase()} weights, dequantized to F32), over the held-out documents packed as in pretraining (BOS … EOS,
windows of ${recipe.training.seqLen} tokens, every token but a window's first predicted). Tokens differ in
length between scripts, so compare languages by bits per character rather than perplexity.

${perplexityTable(evaluation)}

## Samples

Greedy raw completions (node-llama-cpp, no chat template, at most 40 tokens) of short prompts in each language:

${samplesSection(samples)}
`;
  writeFileSync(path, doc);
}

/** assets/models/micro-polyglot.md: the model card shipped beside the model. */
export function writeModelCard(path, { recipe }) {
  const o = recipe.output;
  const card = `# micro-polyglot.gguf

A toy llama-architecture model (${fmt(o.parameters)} parameters, ${o.tensorType.toUpperCase()}, ${fmt(o.bytes)} bytes) pretrained
from scratch by Polytune on Debian manuals in ten languages (en de es fr pt ru zh it id ja), for Polytune's
demo and tests. See \`docs/demo-model.md\` for what it can and cannot do, its perplexity per language and samples.

- SHA-256: \`${o.sha256}\`
- Shape: ${shapeLine(recipe)}.
- Training: ${trainingLine(recipe)}.
- Recipe (sources, checksums, corpus fingerprints, settings): \`micro-polyglot.recipe.json\`; rebuild with
  \`npm run build:demo-model\`.

## Licence

This model is a derived work of the texts below and is distributed under the GNU General Public License,
version 2 or (at your option) any later version (GPL-2.0-or-later). Its corresponding "source" is the recipe,
the build script (\`scripts/build-demo-model.mjs\`) and the Debian packages it names, all of which are
publicly available.

${licenceParagraph}

## Provenance

${sourcesTable(recipe)}

Corpus fingerprints (SHA-256 of the cleaned training files, cleaning version ${recipe.corpus.cleaningVersion}):

${Object.entries(recipe.corpus.languages).map(([lang, c]) => `- ${lang}: \`${c.sha256}\` (held out: \`${c.heldOut.sha256}\`)`).join("\n")}

## Notices

Debian Reference: Copyright © 2007-2021 Osamu Aoki and its translators, GPL-2.0-or-later. Debian
Developer's Reference (English and Russian): Copyright © 1997-2023 Christian Schwarz, Adam Di Carlo, Raphaël
Hertzog, Andreas Barth, Lucas Nussbaum, Hideki Yamane, Holger Levsen and its translators, GPL-2.0-or-later.
The Debian GNU/Linux FAQ (Russian translation) carries this notice, reproduced as it requires:

${faqNotice}
`;
  writeFileSync(path, card);
}
