// Language identification with fastText's lid.176 (the identifier paper 002 used), run as WebAssembly
// through fasttext.wasm.js, which ships both the .wasm and the compressed model (lid.176.ftz, 0.9 MB)
// inside its npm package: nothing is downloaded, and it runs the same in a worker thread (decision 0022).
import { getLIDModel } from "fasttext.wasm.js";
import { PolytuneError } from "../../shared/PolytuneError.js";

/** A language label: ISO 639-1 where one exists ("en", "de", "zh", "pt"), else lid.176's own code ("als", "yue"). */
export interface LanguageGuess {
  language: string;
  /** fastText's probability for that label, in [0, 1]. */
  confidence: number;
}

/** One line of a text, identified on its own (for line-level language confusion). */
export interface LineGuess extends LanguageGuess {
  /** 1-based line number in the text. */
  line: number;
  text: string;
  /** Word-like segments (Intl.Segmenter), so lines in scripts without spaces (zh, ja, th) count too. */
  tokens: number;
}

export interface LanguageIdentifier {
  /** Newlines are folded to spaces first (fastText predicts per line); empty text → {language: "und", confidence: 0}. */
  identify(text: string): LanguageGuess;
  /**
   * Up to k labels, most likely first; fastText leaves out labels under about 1e-5, so there may be fewer.
   * Empty text → [{und, 0}].
   */
  identifyTopK(text: string, k: number): LanguageGuess[];
  /** Each line with at least `minTokens` tokens (default 5), identified on its own; shorter and blank lines are left out. */
  identifyLines(text: string, options?: { minTokens?: number }): LineGuess[];
}

/** Examples labelled under this confidence are left out of mixes unless the user says otherwise (paper 003, Limitations); written once, in the contract. */
export { defaultMinConfidence } from "../../shared/datasetContract.js";
/** The label for text with nothing to identify. */
export const undeterminedLanguage = "und";
/** lid.176 has 176 labels: k is capped there. */
const labelCount = 176;
/**
 * How much of a text is identified. A language shows within a few hundred characters; the cap keeps a
 * multi-megabyte record from being folded and copied whole into the WebAssembly heap (measured: a 1.2 MB
 * text took 11–16 ms whole, its first 20,000 characters 4 ms).
 */
export const maxIdentifiedChars = 20_000;

/** The subset of fasttext.wasm.js's model we use; its `predict` returns an embind vector that must be freed. */
interface PredictionVector {
  size(): number;
  get(index: number): [number, string];
  delete(): void;
}
interface FastTextPredictor {
  predict(text: string, k: number, threshold: number): PredictionVector;
}

let loading: Promise<LanguageIdentifier> | undefined;

/**
 * The process's language identifier, loaded once (about 0.3 s) and shared by every caller in this process or
 * worker thread. A failed load is not cached, so a later call tries again.
 */
export function loadLanguageIdentifier(): Promise<LanguageIdentifier> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function load(): Promise<LanguageIdentifier> {
  let model: FastTextPredictor;
  try {
    model = (await (await getLIDModel()).load()) as unknown as FastTextPredictor;
  } catch (error) {
    throw new PolytuneError("langid-unavailable", "The language identifier (fastText lid.176) could not be loaded.", {
      where: "node_modules/fasttext.wasm.js",
      hint: "Its model and WebAssembly files ship with Polytune; reinstall Polytune (or run npm install) to restore them.",
      details: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
  return new FastTextIdentifier(model);
}

class FastTextIdentifier implements LanguageIdentifier {
  private readonly segmenter = new Intl.Segmenter(undefined, { granularity: "word" });

  constructor(private readonly model: FastTextPredictor) {}

  identify(text: string): LanguageGuess {
    return this.identifyTopK(text, 1)[0] ?? { language: undeterminedLanguage, confidence: 0 };
  }

  identifyTopK(text: string, k: number): LanguageGuess[] {
    const folded = foldLines(text);
    if (folded === "") return [{ language: undeterminedLanguage, confidence: 0 }];
    const spaced = spaceHanWords(folded, this.segmenter);
    const wanted = Number.isFinite(k) ? Math.min(labelCount, Math.max(1, Math.floor(k))) : 1;
    const vector = this.model.predict(spaced, wanted, 0);
    try {
      const guesses: LanguageGuess[] = [];
      for (let i = 0; i < vector.size(); i++) {
        const [probability, label] = vector.get(i);
        guesses.push({ language: languageOfLabel(label), confidence: clampConfidence(probability) });
      }
      return guesses.length > 0 ? guesses : [{ language: undeterminedLanguage, confidence: 0 }];
    } finally {
      vector.delete();
    }
  }

  identifyLines(text: string, options: { minTokens?: number } = {}): LineGuess[] {
    const minTokens = options.minTokens ?? 5;
    const guesses: LineGuess[] = [];
    for (const [index, line] of text.split(/\r\n|\r|\n|\u2028|\u2029/).entries()) {
      if (line.trim() === "") continue;
      const tokens = this.countTokens(line);
      if (tokens < minTokens) continue;
      guesses.push({ line: index + 1, text: line, tokens, ...this.identify(line) });
    }
    return guesses;
  }

  private countTokens(line: string): number {
    let tokens = 0;
    for (const segment of this.segmenter.segment(line)) if (segment.isWordLike) tokens++;
    return tokens;
  }
}

/**
 * One line for fastText, which reads only up to the first newline: every run of whitespace becomes one space.
 * A lone surrogate (a cut pair, a bad escape) becomes U+FFFD, since it has no UTF-8 form to hand to fastText.
 */
function foldLines(text: string): string {
  const head = text.length > maxIdentifiedChars ? text.slice(0, maxIdentifiedChars) : text;
  return head.replace(/\p{Cs}/gu, "\uFFFD").replace(/\s+/gu, " ").trim();
}

const hanScript = /\p{Script=Han}/u;

/**
 * fastText splits words at spaces only, so an unspaced Chinese sentence reaches it as one long "word", and
 * lid.176 then calls 3–6 % of Chinese sentences Japanese or Wu. Text with Han characters is cut into words
 * first (ICU's dictionary segmenter): Chinese FLORES 97.2 → 100 %, Tatoeba 94.2 → 98.5 % (decision 0022).
 */
function spaceHanWords(folded: string, segmenter: Intl.Segmenter): string {
  if (!hanScript.test(folded)) return folded;
  let spaced = "";
  for (const { segment } of segmenter.segment(folded)) if (segment !== " ") spaced += spaced === "" ? segment : ` ${segment}`;
  return spaced;
}

/**
 * "__label__en" → "en". lid.176's labels are Wikipedia language codes: two letters where ISO 639-1 has a
 * code, else three (fasttext.wasm.js's own normalisation is not used: it turns "nn" into "no" and drops "or").
 */
export function languageOfLabel(label: string): string {
  return label.startsWith("__label__") ? label.slice("__label__".length) : label;
}

/** fastText's softmax comes back as float32 and can exceed 1 by rounding (1.0000185 seen). */
function clampConfidence(probability: number): number {
  return Number.isFinite(probability) ? Math.min(1, Math.max(0, probability)) : 0;
}
