// The shape rules of a generated model in one place: the generator enforces them, and `polytune
// pretrain` checks them before anything is written, naming its own options.

/** The control and byte tokens and the space piece of the llama-spm vocabulary: a trimmed one keeps them all. */
export const minTrimmedVocabSize = 260;

export interface TinyShape {
  layers: number;
  embd: number;
  heads: number;
  headsKv: number;
  /** Left out where the generator's default (2 × embd) applies. */
  ff?: number | undefined;
  /** The attention head size where it is not embd / heads. */
  headDim?: number | undefined;
  vocab: string;
  vocabSize?: number | undefined;
}

export type TinyShapeField = "layers" | "embd" | "heads" | "headsKv" | "ff" | "headDim" | "vocabSize";

export interface TinyShapeProblem {
  field: TinyShapeField;
  message: string;
  hint: string;
}

/** The first rule the shape breaks, its message naming the fields as `name` spells them; null when it breaks none. */
export function tinyShapeProblem(shape: TinyShape, name: (field: TinyShapeField) => string = (field) => field): TinyShapeProblem | null {
  const { layers, embd, heads, headsKv, ff, vocab, vocabSize } = shape;
  const int = Number.isInteger;
  const problem = (field: TinyShapeField, message: string, hint: string): TinyShapeProblem => ({ field, message, hint });
  if (!int(layers) || layers < 1 || layers > 64) return problem("layers", `${name("layers")} ${layers} is not a whole number from 1 to 64.`, "Give 1 to 64 transformer blocks.");
  if (!int(embd) || embd < 8 || embd > 8192) return problem("embd", `${name("embd")} ${embd} is not a whole number from 8 to 8192.`, "Give an embedding size from 8 to 8192.");
  if (!int(heads) || heads < 1) return problem("heads", `${name("heads")} ${heads} is not a positive whole number.`, "Give at least one attention head.");
  if (shape.headDim === undefined && embd % heads !== 0) return problem("embd", `${name("embd")} ${embd} is not divisible by ${name("heads")} ${heads}.`, "Each head gets embd / heads dimensions: choose numbers that divide.");
  if (!int(headsKv) || headsKv < 1 || heads % headsKv !== 0) {
    return problem("headsKv", `${name("heads")} ${heads} is not divisible by ${name("headsKv")} ${headsKv}.`, `Key/value heads are shared by groups of query heads: ${name("headsKv")} must divide ${name("heads")}.`);
  }
  const headDim = shape.headDim ?? embd / heads;
  if (!int(headDim) || headDim < 2 || headDim % 2 !== 0) {
    const size = shape.headDim === undefined ? `${embd} / ${heads} = ${headDim}` : `${name("headDim")} ${headDim}`;
    return problem(shape.headDim === undefined ? "heads" : "headDim", `The head size (${size}) is not even; rotary embeddings rotate pairs of dimensions.`, `Choose ${name("embd")} and ${name("heads")} so that the head size is even.`);
  }
  if (ff !== undefined && (!int(ff) || ff < 1)) return problem("ff", `${name("ff")} ${ff} is not a positive whole number.`, "Give a feed-forward size of at least 1 (commonly 2–4 × the embedding size).");
  if (vocabSize !== undefined && vocab !== "llama-spm") return problem("vocabSize", "Only the llama-spm vocabulary can be trimmed.", `Leave out ${name("vocabSize")}, or use the llama-spm vocabulary.`);
  if (vocabSize !== undefined && vocabSize < minTrimmedVocabSize) {
    return problem("vocabSize", `${name("vocabSize")} ${vocabSize} is too small: the control and byte tokens and the space piece alone are ${minTrimmedVocabSize}.`, `Give at least ${minTrimmedVocabSize} (a few hundred more to hold the text's common pieces).`);
  }
  return null;
}
