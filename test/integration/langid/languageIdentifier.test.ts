// Language identification on the real model (fastText lid.176 through fasttext.wasm.js) and real sentences:
// FLORES-101 devtest from ../shared/data, checked against the language of the file each sentence comes from,
// and sentences written here, checked against native fastText's own answers on the same model file.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultMinConfidence, loadLanguageIdentifier, type LanguageGuess, type LanguageIdentifier } from "../../../electron/engine/langid/loadLanguageIdentifier.js";
import { prerequisite, sharedDataDir } from "../../support/sharedData.js";
import { makeTempDir } from "../../support/tempDir.js";

const floresDir = join(sharedDataDir, "flores101_devtest_de_en_ro_zh");
const hasFlores = prerequisite(existsSync(join(floresDir, "flores101.devtest.rand50.de.txt")), `FLORES-101 devtest in ${floresDir}`);
const floresLines = (name: string): string[] => readFileSync(join(floresDir, name), "utf8").split("\n").filter((line) => line.trim() !== "");

let identifier: LanguageIdentifier;
beforeAll(async () => {
  identifier = await loadLanguageIdentifier();
});

describe.skipIf(!hasFlores)("identify on FLORES-101 devtest", () => {
  // Measured with this identifier (bench/data/langid.mjs): de 50/50, en 50/50, ro 49/50, zh 50/50.
  // The bound allows one more miss per language than measured.
  const measured: Record<string, number> = { de: 50, en: 50, ro: 49, zh: 50 };
  for (const language of ["de", "en", "ro", "zh"]) {
    it(`labels the rand50 ${language} sentences ${language}`, () => {
      const sentences = floresLines(`flores101.devtest.rand50.${language}.txt`);
      expect(sentences).toHaveLength(50);
      const guesses = sentences.map((sentence) => identifier.identify(sentence));
      const right = guesses.filter((guess) => guess.language === language).length;
      expect(right).toBeGreaterThanOrEqual((measured[language] ?? 50) - 1);
      for (const guess of guesses) {
        expect(guess.confidence).toBeGreaterThanOrEqual(0);
        expect(guess.confidence).toBeLessThanOrEqual(1);
      }
      // The labels a mix keeps: most of these long sentences clear the default threshold.
      expect(guesses.filter((g) => g.language === language && g.confidence >= defaultMinConfidence).length).toBeGreaterThanOrEqual(45);
    });
  }

  it("word-segments Chinese first, which lid.176 alone gets wrong 3 % of the time", () => {
    // All 1,012 Chinese devtest sentences: measured 1012/1012 with segmentation, 984/1012 (97.2 %) without,
    // where lid.176 calls unspaced Chinese Japanese or Wu; 1,005 fails if the segmentation is gone.
    const sentences = floresLines("flores101.devtest.zh.txt");
    expect(sentences).toHaveLength(1012);
    const right = sentences.filter((sentence) => identifier.identify(sentence).language === "zh").length;
    expect(right).toBeGreaterThanOrEqual(1005);
  });
});

describe("identify and identifyTopK", () => {
  // Native fastText 0.9.2 (Debian's `fasttext predict-prob lid.176.ftz - 3`) on the very model file the
  // package ships; it prints 6 significant digits. Over all 71,570 bench sentences the two agreed on every
  // label, with |Δp| ≤ 5e-7.
  const native: Array<[string, Array<[string, number]>]> = [
    ["The weather is nice today and we are going for a walk.", [["en", 0.990194], ["de", 0.000741865], ["ru", 0.000710647]]],
    ["La vie est belle quand on a des amis.", [["fr", 0.956311], ["la", 0.0111945], ["de", 0.00845138]]],
    ["Acesta este un test simplu pentru identificarea limbii.", [["ro", 0.966299], ["es", 0.00995471], ["cbk", 0.0063403]]],
    ["El perro corre por el parque todos los días.", [["es", 0.990042], ["pt", 0.00506604], ["gl", 0.00228751]]],
    ["Добрый день, как у вас дела?", [["ru", 0.937956], ["sr", 0.0231751], ["uk", 0.00632835]]],
    ["Hello", [["en", 0.228453], ["fr", 0.0943775], ["ca", 0.0565014]]],
  ];
  for (const [text, expected] of native) {
    it(`answers what native fastText answers for "${text}"`, () => {
      const guesses = identifier.identifyTopK(text, 3);
      expect(guesses.map((g) => g.language)).toEqual(expected.map(([language]) => language));
      for (const [i, [, probability]] of expected.entries()) expect(guesses[i]?.confidence).toBeCloseTo(probability, 5);
      expect(identifier.identify(text)).toEqual(guesses[0]);
    });
  }

  it("keeps confidence within [0, 1] where fastText's float32 softmax passes 1", () => {
    // Native fastText prints 1.00002 for this sentence.
    expect(identifier.identify("Das ist ein Haus.")).toEqual({ language: "de", confidence: 1 });
  });

  it("answers und with confidence 0 for empty and whitespace-only text", () => {
    for (const text of ["", "   ", "\n\n", " \t\r\n "]) {
      expect(identifier.identify(text)).toEqual({ language: "und", confidence: 0 });
      expect(identifier.identifyTopK(text, 5)).toEqual([{ language: "und", confidence: 0 }]);
    }
  });

  it("folds newlines, so a text is identified whole and not by its first line", () => {
    const lines = "Hello\nDas Wetter ist heute sehr schön und wir gehen spazieren.\r\nWir kommen am Abend zurück.";
    const oneLine = "Hello Das Wetter ist heute sehr schön und wir gehen spazieren. Wir kommen am Abend zurück.";
    // The first line alone is English to fastText, which reads only up to a newline.
    expect(identifier.identify("Hello").language).toBe("en");
    expect(identifier.identify(lines)).toEqual(identifier.identify(oneLine));
    expect(identifier.identify(lines).language).toBe("de");
    expect(identifier.identifyTopK(lines, 4)).toEqual(identifier.identifyTopK(oneLine, 4));
  });

  it("returns labels most likely first, at most k, as codes without fastText's __label__ prefix", () => {
    const text = "Ich habe heute keine Zeit, aber morgen komme ich gern vorbei.";
    const top = identifier.identifyTopK(text, 5);
    expect(top.length).toBeLessThanOrEqual(5);
    expect(top[0]?.language).toBe("de");
    for (let i = 1; i < top.length; i++) expect(top[i - 1]!.confidence).toBeGreaterThanOrEqual(top[i]!.confidence);
    // Asking for more than lid.176's 176 labels: every label fastText keeps (it drops those under ~1e-5),
    // whose probabilities then sum to almost 1.
    const all = identifier.identifyTopK("The weather is nice today", 1000);
    expect(all.length).toBeLessThanOrEqual(176);
    expect(new Set(all.map((g) => g.language)).size).toBe(all.length);
    for (const guess of all) expect(guess.language).toMatch(/^[a-z]{2,3}$/);
    expect(all.reduce((sum, g) => sum + g.confidence, 0)).toBeGreaterThan(0.99);
    expect(identifier.identifyTopK(text, 0)).toEqual(identifier.identifyTopK(text, 1));
  });

  it("uses lid.176's own codes where ISO 639-1 has none", () => {
    // Cantonese and Wu have no two-letter code; lid.176 calls them yue and wuu.
    expect(identifier.identify("佢哋喺度食緊飯，我哋一陣先去搵佢哋傾偈啦。").language).toBe("yue");
  });

  it("loads one identifier per process", async () => {
    expect(await loadLanguageIdentifier()).toBe(identifier);
  });
});

describe("identifyLines", () => {
  it("identifies each line of at least 5 tokens on its own and leaves out short and blank lines", () => {
    const text = [
      "Sure!", // 1: one token
      "Here is the answer to your question about the weather.", // 2: en
      "", // 3: blank
      "Voici la réponse à votre question sur la météo.", // 4: fr
      "Ok, danke dir.", // 5: three tokens
      "这是关于天气问题的回答，希望对你有帮助。", // 6: zh, no spaces: counted in words
      "Dies ist die Antwort auf deine Frage zum Wetter.", // 7: de
    ].join("\r\n");
    const lines = identifier.identifyLines(text);
    expect(lines.map((l) => [l.line, l.language])).toEqual([
      [2, "en"],
      [4, "fr"],
      [6, "zh"],
      [7, "de"],
    ]);
    expect(lines[0]).toMatchObject({ text: "Here is the answer to your question about the weather.", tokens: 10 });
    expect(lines[2]!.tokens).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      expect(line.text).not.toMatch(/[\r\n]/);
      expect(line).toMatchObject(identifier.identify(line.text) as LanguageGuess & Record<string, unknown>);
    }
  });

  it("takes another minimum", () => {
    const text = "Ok, danke dir.\nHello there";
    expect(identifier.identifyLines(text)).toEqual([]);
    expect(identifier.identifyLines(text, { minTokens: 2 }).map((l) => l.line)).toEqual([1, 2]);
    expect(identifier.identifyLines(text, { minTokens: 3 }).map((l) => [l.line, l.tokens])).toEqual([[1, 3]]);
  });
});

describe("in a worker thread", () => {
  const tmp = makeTempDir("polytune-langid-");
  afterAll(() => tmp.cleanup());

  it("loads and answers inside a worker_threads Worker from the compiled dist/ layout, as the import worker will", async () => {
    const compiled = join(process.cwd(), "dist", "electron", "engine", "langid", "loadLanguageIdentifier.js");
    if (!existsSync(compiled)) throw new Error("Run `npm run build:ts` before the integration tests (the worker imports dist/).");
    const script = join(tmp.dir, "identifyWorker.mjs");
    writeFileSync(
      script,
      [
        `import { parentPort, workerData } from "node:worker_threads";`,
        `import { loadLanguageIdentifier } from ${JSON.stringify(pathToFileURL(compiled).href)};`,
        `const identifier = await loadLanguageIdentifier();`,
        `parentPort.postMessage(workerData.map((text) => identifier.identifyTopK(text, 2)));`,
      ].join("\n"),
    );
    const texts = ["Die Katze schläft auf dem Sofa.", "The cat is sleeping on the sofa.", "猫在沙发上睡觉。", "Pisica doarme pe canapea.", ""];
    const worker = new Worker(script, { workerData: texts });
    try {
      const answers = await new Promise<LanguageGuess[][]>((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
        worker.once("exit", (code) => reject(new Error(`the worker exited with code ${code} before answering`)));
      });
      expect(answers.map((top) => top[0]?.language)).toEqual(["de", "en", "zh", "ro", "und"]);
      // The same model in this thread (loaded from the sources) gives the same numbers.
      expect(answers).toEqual(texts.map((text) => identifier.identifyTopK(text, 2)));
    } finally {
      await worker.terminate();
    }
  });
});
