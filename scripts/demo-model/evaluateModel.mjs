// Evaluates the written demo model: per-language perplexity on the held-out documents, computed by the
// trainer addon's evalLoss on the model file itself (full mode: no adapter, the file's weights; the same
// BOS … EOS packing into windows as pretraining), and greedy samples through node-llama-cpp.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { getLlama, LlamaCompletion } from "node-llama-cpp";

/** Short prompts in each corpus language, about what the corpus is about. */
export const samplePrompts = {
  en: ["The Debian system", "To install a package, you", "The kernel"],
  de: ["Das Debian-System", "Um ein Paket zu installieren,", "Der Kernel"],
  es: ["El sistema Debian", "Para instalar un paquete,", "El núcleo"],
  fr: ["Le système Debian", "Pour installer un paquet,", "Le noyau"],
  pt: ["O sistema Debian", "Para instalar um pacote,", "O núcleo"],
  ru: ["Система Debian", "Чтобы установить пакет,", "Разработчик Debian"],
  zh: ["Debian 系统", "要安装软件包，", "内核"],
  it: ["Il sistema Debian", "Per installare un pacchetto,", "Il kernel"],
  id: ["Sistem Debian", "Untuk memasang paket,", "Kernel"],
  ja: ["Debian システム", "パッケージをインストールするには、", "カーネル"],
};

async function engineModule(root, path) {
  return import(pathToFileURL(join(root, "dist", "electron", "engine", path)).href);
}

function readDocuments(path) {
  return readFileSync(path, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l).text);
}

/** `{lang: {tokens, characters, loss, perplexity, bitsPerCharacter}}` over `corpusDir/<lang>.heldout.jsonl`. */
export async function heldOutPerplexity({ root, modelPath, corpusDir, languages, seqLen, threads }) {
  const { loadTrainerAddon, trainerBackendsDir } = await engineModule(root, "train/TrainerAddon.js");
  const { packWindows } = await engineModule(root, "train/encodeTextDocuments.js");
  const { encodeCompletionPrompt } = await engineModule(root, "infer/encodeCompletionPrompt.js");
  const llama = await getLlama({ gpu: false });
  const model = await llama.loadModel({ modelPath, vocabOnly: true });
  const trainer = await loadTrainerAddon().openTrainer({ modelPath, backendsDir: trainerBackendsDir(), backend: "cpu", backendLibs: [], method: "full", targets: [], rank: 0, alpha: 0, seed: 1, threads });
  const results = {};
  try {
    const { bos, eos } = model.tokens;
    for (const lang of languages) {
      const documents = readDocuments(join(corpusDir, `${lang}.heldout.jsonl`));
      const windows = packWindows(documents.map((text) => [...(bos !== null ? [bos] : []), ...encodeCompletionPrompt(model, text), eos]), seqLen);
      let lossSum = 0;
      let tokens = 0;
      for (const w of windows) {
        const r = await trainer.evalLoss(Int32Array.from(w.tokens), w.target);
        lossSum += r.lossSum;
        tokens += r.tokens;
      }
      const characters = documents.reduce((a, t) => a + t.length, 0);
      results[lang] = { documents: documents.length, tokens, characters, loss: lossSum / tokens, perplexity: Math.exp(lossSum / tokens), bitsPerCharacter: lossSum / Math.LN2 / characters };
    }
  } finally {
    trainer.dispose();
    await model.dispose();
  }
  return results;
}

/** Greedy raw completions (no chat template) of each language's prompts. */
export async function greedySamples({ modelPath, prompts, maxTokens, threads }) {
  const llama = await getLlama({ gpu: false });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 256, threads });
  const sequence = context.getSequence();
  const completion = new LlamaCompletion({ contextSequence: sequence });
  const samples = {};
  try {
    for (const [lang, list] of Object.entries(prompts)) {
      samples[lang] = [];
      for (const prompt of list) {
        await sequence.clearHistory();
        const text = await completion.generateCompletion(prompt, { maxTokens, temperature: 0 });
        samples[lang].push({ prompt, completion: text });
      }
    }
  } finally {
    completion.dispose();
    await context.dispose();
    await model.dispose();
  }
  return samples;
}
