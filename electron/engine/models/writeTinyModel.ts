// Writes a small but complete GGUF model with random weights and a real tokenizer, so tests and the
// demo run offline on a model the project makes itself (no model binary is committed or downloaded).
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PolytuneError } from "../../shared/PolytuneError.js";
import { tinyShapeProblem } from "../../shared/tinyShapeProblem.js";
import { GgufType, type GgufValue } from "../gguf/GgufValue.js";
import { readGgufHeader } from "../gguf/readGgufHeader.js";
import { writeGguf, type GgufTensorToWrite } from "../gguf/writeGguf.js";
import { vocabPath, type VocabName } from "../llamacpp/llamaCppSource.js";
import { seededRandom } from "../random/seededRandom.js";
import { trimVocabulary } from "./trimVocabulary.js";

// mistral: the llama graph under its own architecture name, as some converters label Mistral models.
export type TinyArch = "llama" | "mistral" | "qwen2" | "qwen3";

export interface TinyModelOptions {
  out: string;
  vocab?: VocabName;
  arch?: TinyArch;
  layers?: number;
  embd?: number;
  heads?: number;
  headsKv?: number;
  ff?: number;
  /** Attention head size (attention.key_length); defaults to embd / heads. Qwen3 0.6B and 4B, for one, differ. */
  headDim?: number;
  /** Llama 3.1-style RoPE frequency factors (rope_freqs.weight), one per rotated pair: headDim / 2 values. */
  ropeFreqs?: number[];
  /** Biases on q, k, v, o, gate, up and down, which llama.cpp adds where a llama file has them. */
  biases?: boolean;
  contextLength?: number;
  /**
   * test (default): small uniform weights for fast, stable tests. scaled: the standard initialisation for
   * pretraining from scratch: normal, std 0.02 (embedding and output head too), the attention-output and
   * MLP-down matrices scaled by 1/sqrt(2·layers) so the residual stream does not grow with depth, biases 0.
   */
  init?: "test" | "scaled";
  /** Trim the llama-spm vocabulary to this many tokens by their frequency in `vocabFrom` (.txt/.jsonl files). */
  vocabSize?: number;
  vocabFrom?: string[];
  /** Metadata written over the generated keys, e.g. to make a file llama.cpp reads differently. */
  metadata?: Record<string, number | string>;
  seed?: number;
  /** Type of the matrices (norms stay F32); q8_0 needs every row length divisible by 32. */
  type?: TinyWeightType;
  /** Share token_embd with the output head (llama.cpp falls back to it when output.weight is absent). */
  tiedOutput?: boolean;
  /** Weight scale; the default keeps activations small enough for stable training tests. */
  std?: number;
  /**
   * Scale of the embedding and output head. After the final RMSNorm the hidden state has norm
   * sqrt(embd), so this bounds how confident the model can ever be: the default (2/sqrt(embd)) lets a
   * LoRA adapter teach it exact answers, as a real model's head would.
   */
  headStd?: number;
  name?: string;
}

export interface TinyModelInfo {
  path: string;
  arch: TinyArch;
  vocab: VocabName;
  vocabSize: number;
  layers: number;
  embd: number;
  heads: number;
  headsKv: number;
  headDim: number;
  ff: number;
  parameters: number;
  type: TinyWeightType;
}

export type TinyWeightType = "f32" | "f16" | "bf16" | "q8_0";

const f32View = new Float32Array(1);
const u32View = new Uint32Array(f32View.buffer);
/** IEEE half from float, round-to-nearest-even (enough for random weights). */
export function toHalf(value: number): number {
  f32View[0] = value;
  const x = u32View[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (rem > mid || (rem === mid && (half & 1)) ? half + 1 : half);
  }
  let half = (exp << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
  return sign | half;
}

/** bfloat16 from float: the upper half of its bits, round-to-nearest-even (as ggml converts). */
export function toBf16(value: number): number {
  f32View[0] = value;
  const x = u32View[0]!;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/** ggml's block_q8_0: 32 values as an F16 scale (max |x| / 127) and 32 rounded int8s. */
function quantizeQ8_0(values: Float32Array): Uint8Array {
  const blocks = values.length / 32;
  const out = new Uint8Array(blocks * 34);
  const view = new DataView(out.buffer);
  for (let b = 0; b < blocks; b++) {
    let amax = 0;
    for (let i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(values[b * 32 + i]!));
    const d = amax / 127;
    const inv = d > 0 ? 1 / d : 0;
    view.setUint16(b * 34, toHalf(d), true);
    for (let i = 0; i < 32; i++) view.setInt8(b * 34 + 2 + i, Math.round(values[b * 32 + i]! * inv));
  }
  return out;
}

function tensor(name: string, dims: number[], type: TinyWeightType, fill: (i: number) => number): GgufTensorToWrite {
  const n = dims.reduce((a, b) => a * b, 1);
  if (type === "q8_0") {
    if (dims[0]! % 32 !== 0) throw new PolytuneError("tiny-model-shape", `Q8_0 needs rows divisible by 32; ${name} has ${dims[0]}.`);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = fill(i);
    return { name, dims, type: 8, data: quantizeQ8_0(data) };
  }
  if (type === "f32") {
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = fill(i);
    return { name, dims, type: 0, data: new Uint8Array(data.buffer) };
  }
  const data = new Uint16Array(n);
  const convert = type === "bf16" ? toBf16 : toHalf;
  for (let i = 0; i < n; i++) data[i] = convert(fill(i));
  return { name, dims, type: type === "bf16" ? 30 : 1, data: new Uint8Array(data.buffer) };
}

/** Standard normal draws from a uniform generator (Box–Muller; the second value of each pair is kept for the next call). */
function gaussian(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const u = 1 - rand();
    const r = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * rand();
    spare = r * Math.sin(angle);
    return r * Math.cos(angle);
  };
}

// ChatML, the template Qwen models ship; written for the qwen2 vocabulary so chat formatting is testable.
const chatMlTemplate =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export async function writeTinyModel(options: TinyModelOptions): Promise<TinyModelInfo> {
  const vocab = options.vocab ?? "llama-spm";
  const arch = options.arch ?? "llama";
  const layers = options.layers ?? 2;
  const embd = options.embd ?? 64;
  const heads = options.heads ?? 4;
  const headsKv = options.headsKv ?? 2;
  const ff = options.ff ?? embd * 2;
  const type = options.type ?? "f32";
  const seed = options.seed ?? 1;
  const std = options.std ?? 0.05;
  const tied = options.tiedOutput ?? vocab === "qwen2";
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new PolytuneError("tiny-model-shape", `Invalid tiny model shape: ${what}.`, { where: options.out });
  };
  const problem = tinyShapeProblem({ layers, embd, heads, headsKv, ff, headDim: options.headDim, vocab, vocabSize: options.vocabSize });
  if (problem) throw new PolytuneError("tiny-model-shape", `Invalid tiny model shape: ${problem.message}`, { where: options.out, hint: problem.hint });
  const headDim = options.headDim ?? embd / heads;
  check((options.vocabSize === undefined) === (options.vocabFrom === undefined), "a trimmed vocabulary needs both its size and the texts to count on");
  check(options.ropeFreqs === undefined || (options.ropeFreqs.length === headDim / 2 && options.ropeFreqs.every((f) => f > 0)), "ropeFreqs needs headDim / 2 positive factors");

  const vocabFile = await vocabPath(vocab);
  const source = readGgufHeader(vocabFile);
  const tokenizer = options.vocabSize !== undefined && options.vocabFrom ? await trimVocabulary(vocabFile, source, options.vocabFrom, options.vocabSize) : source.kv;
  const tokens = tokenizer.get("tokenizer.ggml.tokens");
  const vocabSize = tokens && tokens.type === GgufType.ARRAY ? tokens.items.length : 0;
  if (vocabSize === 0) throw new PolytuneError("vocab-empty", "The vocabulary file has no tokens.", { where: vocabFile });

  const qDim = headDim * heads;
  const kvDim = headDim * headsKv;
  const contextLength = options.contextLength ?? 2048;
  const kv = new Map<string, GgufValue>();
  const u32 = (value: number): GgufValue => ({ type: GgufType.U32, value });
  const f32 = (value: number): GgufValue => ({ type: GgufType.F32, value });
  const str = (value: string): GgufValue => ({ type: GgufType.STRING, value });
  kv.set("general.architecture", str(arch));
  kv.set("general.name", str(options.name ?? `polytune-tiny-${arch}-${vocab}-L${layers}-E${embd}-s${seed}`));
  kv.set("general.file_type", u32({ f32: 0, f16: 1, bf16: 32, q8_0: 7 }[type]));
  kv.set("general.quantization_version", u32(2));
  kv.set(`${arch}.context_length`, u32(contextLength));
  kv.set(`${arch}.embedding_length`, u32(embd));
  kv.set(`${arch}.block_count`, u32(layers));
  kv.set(`${arch}.feed_forward_length`, u32(ff));
  kv.set(`${arch}.attention.head_count`, u32(heads));
  kv.set(`${arch}.attention.head_count_kv`, u32(headsKv));
  kv.set(`${arch}.attention.layer_norm_rms_epsilon`, f32(1e-5));
  kv.set(`${arch}.rope.freq_base`, f32(10000));
  kv.set(`${arch}.rope.dimension_count`, u32(headDim));
  if (arch === "qwen3" || options.headDim !== undefined) {
    kv.set(`${arch}.attention.key_length`, u32(headDim));
    kv.set(`${arch}.attention.value_length`, u32(headDim));
  }
  for (const [key, value] of tokenizer) {
    if (key.startsWith("tokenizer.")) kv.set(key, value);
  }
  if (vocab === "qwen2" && !kv.has("tokenizer.chat_template")) kv.set("tokenizer.chat_template", str(chatMlTemplate));
  for (const [key, value] of Object.entries(options.metadata ?? {})) kv.set(key, typeof value === "string" ? str(value) : Number.isInteger(value) ? u32(value) : f32(value));

  const rand = seededRandom(seed);
  // Uniform with the requested standard deviation: sqrt(3)·std bounds.
  const bound = Math.sqrt(3) * std;
  const weight = (): number => (rand() * 2 - 1) * bound;
  const headBound = Math.sqrt(3) * (options.headStd ?? Math.max(std, 2 / Math.sqrt(embd)));
  const headWeight = (): number => (rand() * 2 - 1) * headBound;
  const one = (): number => 1;
  const scaled = options.init === "scaled";
  const normal = gaussian(rand);
  const matrix = scaled ? (): number => 0.02 * normal() : weight;
  const residualStd = 0.02 / Math.sqrt(2 * layers);
  const residual = scaled ? (): number => residualStd * normal() : weight;
  const head = scaled ? matrix : headWeight;
  const biasFill = scaled ? (): number => 0 : weight;
  const tensors: GgufTensorToWrite[] = [];
  // Norm weights and the embedding table stay F32 like llama.cpp's converters keep 1-D tensors.
  tensors.push(tensor("token_embd.weight", [embd, vocabSize], type, head));
  if (options.ropeFreqs) {
    const factors = options.ropeFreqs;
    tensors.push(tensor("rope_freqs.weight", [headDim / 2], "f32", (i) => factors[i]!));
  }
  const bias = (name: string, n: number): void => {
    if (options.biases) tensors.push(tensor(name, [n], "f32", biasFill));
  };
  for (let l = 0; l < layers; l++) {
    const p = `blk.${l}`;
    tensors.push(tensor(`${p}.attn_norm.weight`, [embd], "f32", one));
    tensors.push(tensor(`${p}.attn_q.weight`, [embd, qDim], type, matrix));
    tensors.push(tensor(`${p}.attn_k.weight`, [embd, kvDim], type, matrix));
    tensors.push(tensor(`${p}.attn_v.weight`, [embd, kvDim], type, matrix));
    if (arch === "qwen2" || options.biases) {
      tensors.push(tensor(`${p}.attn_q.bias`, [qDim], "f32", biasFill));
      tensors.push(tensor(`${p}.attn_k.bias`, [kvDim], "f32", biasFill));
      tensors.push(tensor(`${p}.attn_v.bias`, [kvDim], "f32", biasFill));
    }
    if (arch === "qwen3") {
      tensors.push(tensor(`${p}.attn_q_norm.weight`, [headDim], "f32", one));
      tensors.push(tensor(`${p}.attn_k_norm.weight`, [headDim], "f32", one));
    }
    tensors.push(tensor(`${p}.attn_output.weight`, [qDim, embd], type, residual));
    bias(`${p}.attn_output.bias`, embd);
    tensors.push(tensor(`${p}.ffn_norm.weight`, [embd], "f32", one));
    tensors.push(tensor(`${p}.ffn_gate.weight`, [embd, ff], type, matrix));
    bias(`${p}.ffn_gate.bias`, ff);
    tensors.push(tensor(`${p}.ffn_up.weight`, [embd, ff], type, matrix));
    bias(`${p}.ffn_up.bias`, ff);
    tensors.push(tensor(`${p}.ffn_down.weight`, [ff, embd], type, residual));
    bias(`${p}.ffn_down.bias`, embd);
  }
  tensors.push(tensor("output_norm.weight", [embd], "f32", one));
  if (!tied) tensors.push(tensor("output.weight", [embd, vocabSize], type, head));

  if (!existsSync(dirname(options.out))) mkdirSync(dirname(options.out), { recursive: true });
  writeGguf(options.out, kv, tensors);
  const parameters = tensors.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
  return { path: options.out, arch, vocab, vocabSize, layers, embd, heads, headsKv, headDim, ff, parameters, type };
}
