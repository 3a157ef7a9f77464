import { statSync } from "node:fs";
import { basename } from "node:path";
import { GgufInsights, readGgufFileInfo } from "node-llama-cpp";
import type { PolytuneErrorShape } from "../../shared/contract.js";
import { fileTypeName, ggmlTypeName, tensorBytes } from "../gguf/ggmlTypes.js";
import { GgufType } from "../gguf/GgufValue.js";
import { GgufFormatError, kvArrayLength, kvNumber, kvString, readGgufHeader } from "../gguf/readGgufHeader.js";
import { getLlamaRuntime } from "../llamacpp/llamaRuntime.js";

/** The error code of a model that could not be checked because llama.cpp itself failed to load (not the file's fault). */
export const runtimeUnavailable = "llama-runtime-unavailable";

/** Everything the library stores about one model file. */
export interface ModelFacts {
  name: string;
  architecture: string | null;
  parameterCount: number | null;
  fileType: string | null;
  contextLength: number | null;
  layers: number | null;
  embeddingSize: number | null;
  vocabSize: number | null;
  tokenizer: string | null;
  hasChatTemplate: boolean | null;
  ggufVersion: number | null;
  headCount: number | null;
  headCountKv: number | null;
  feedForwardLength: number | null;
  tensorCount: number | null;
  tensorTypes: Record<string, number>;
  metadata: Record<string, string | number | boolean | null>;
}

export interface ModelInspection {
  facts: ModelFacts;
  fileSize: number;
  mtimeMs: number;
  error: PolytuneErrorShape | null;
}

const emptyFacts = (path: string): ModelFacts => ({
  name: basename(path).replace(/\.gguf$/i, ""),
  architecture: null, parameterCount: null, fileType: null, contextLength: null, layers: null, embeddingSize: null,
  vocabSize: null, tokenizer: null, hasChatTemplate: null, ggufVersion: null, headCount: null, headCountKv: null,
  feedForwardLength: null, tensorCount: null, tensorTypes: {}, metadata: {},
});

function fileError(path: string, code: string, message: string, hint: string, details?: string): PolytuneErrorShape {
  const shape: PolytuneErrorShape = { code, message, where: path, hint };
  if (details) shape.details = details;
  return shape;
}

/** Why a path cannot be opened, in plain words: a missing file, a link loop, a permission. */
export function statError(path: string, error: unknown): PolytuneErrorShape {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return fileError(path, "missing", "The file does not exist (moved or deleted?).", "Check the path.");
  if (code === "ELOOP") {
    return fileError(path, "symlink-loop", "Too many levels of symbolic links: the link points at itself or round in a circle.", "Point the link at the model file itself, or add the file by its real path.");
  }
  if (code === "EACCES" || code === "EPERM") return fileError(path, "unreadable", "Permission denied: Polytune may not read this file.", "Check its permissions.");
  return fileError(path, "unreadable", `The file cannot be read (${code ?? "error"}).`, "Check the path and its permissions.", String(error));
}

/**
 * Reads a model file's header and answers what it is, or why it cannot be used. Never throws for a
 * bad file: the error is part of the answer so the library can list the file with its reason.
 */
export async function inspectModelFile(path: string): Promise<ModelInspection> {
  const facts = emptyFacts(path);
  let fileSize = 0;
  let mtimeMs = 0;
  try {
    const st = statSync(path);
    fileSize = st.size;
    mtimeMs = Math.floor(st.mtimeMs);
    if (!st.isFile()) return { facts, fileSize, mtimeMs, error: fileError(path, "not-a-file", "This is not a regular file.", "Pick a .gguf file.") };
  } catch (error) {
    return { facts, fileSize, mtimeMs, error: statError(path, error) };
  }

  let header;
  try {
    header = readGgufHeader(path);
  } catch (error) {
    if (error instanceof GgufFormatError) {
      facts.ggufVersion = error.version ?? null;
      if (error.reason === "not-gguf") {
        return { facts, fileSize, mtimeMs, error: fileError(path, "not-gguf", `Not a GGUF model: ${error.message}.`, "Polytune works with GGUF files (the format of llama.cpp, LM Studio and Ollama).") };
      }
      if (error.reason === "unsupported-version") {
        return { facts, fileSize, mtimeMs, error: fileError(path, "gguf-version", `${error.message}.`, "Convert it with a current llama.cpp (convert_hf_to_gguf.py from the original weights), or pick another file.") };
      }
      if (error.reason === "duplicate-key") {
        return { facts, fileSize, mtimeMs, error: fileError(path, "duplicate-key", `The GGUF header is damaged: ${error.message}.`, "llama.cpp will not load it either; get the file again from its source, or rewrite it with one value for the key.") };
      }
      if (error.reason === "bad-alignment") {
        return { facts, fileSize, mtimeMs, error: fileError(path, "bad-alignment", `The GGUF header is damaged: ${error.message}.`, "llama.cpp will not load it either; get the file again from its source.") };
      }
      if (error.reason === "truncated") {
        return { facts, fileSize, mtimeMs, error: fileError(path, "truncated", `The file is incomplete: ${error.message}.`, "The download or copy was probably interrupted; get the file again.") };
      }
      return { facts, fileSize, mtimeMs, error: fileError(path, "malformed", `The GGUF header is damaged: ${error.message}.`, "Get the file again from its source.") };
    }
    // stat passes on a file whose mode forbids reading; the open fails: the same plain words as stat's.
    return { facts, fileSize, mtimeMs, error: statError(path, error) };
  }

  facts.ggufVersion = header.version;
  facts.tensorCount = header.tensors.length;
  let dataEnd = header.dataOffset;
  for (const t of header.tensors) {
    const typeName = ggmlTypeName(t.type);
    facts.tensorTypes[typeName] = (facts.tensorTypes[typeName] ?? 0) + 1;
    const bytes = tensorBytes(t.type, t.dims);
    if (bytes !== null) dataEnd = Math.max(dataEnd, header.dataOffset + Number(t.offset) + bytes);
  }
  for (const [key, value] of header.kv) {
    if (value.type === GgufType.ARRAY) continue;
    if (key === "tokenizer.chat_template") continue;
    facts.metadata[key] = typeof value.value === "bigint" ? Number(value.value) : value.value;
  }
  const arch = kvString(header, "general.architecture") ?? null;
  facts.architecture = arch;
  facts.name = kvString(header, "general.name") ?? facts.name;
  const ft = kvNumber(header, "general.file_type");
  facts.fileType = ft !== undefined ? fileTypeName(ft) : null;
  facts.vocabSize = kvArrayLength(header, "tokenizer.ggml.tokens") ?? null;
  facts.tokenizer = kvString(header, "tokenizer.ggml.model") ?? null;
  facts.hasChatTemplate = header.kv.has("tokenizer.chat_template");
  if (arch) {
    facts.contextLength = kvNumber(header, `${arch}.context_length`) ?? null;
    facts.layers = kvNumber(header, `${arch}.block_count`) ?? null;
    facts.embeddingSize = kvNumber(header, `${arch}.embedding_length`) ?? null;
    facts.headCount = kvNumber(header, `${arch}.attention.head_count`) ?? null;
    facts.headCountKv = kvNumber(header, `${arch}.attention.head_count_kv`) ?? facts.headCount;
    facts.feedForwardLength = kvNumber(header, `${arch}.feed_forward_length`) ?? null;
  }
  // Checked before the size: a vocabulary-only file may end right after its header, without padding.
  if (header.tensors.length === 0) {
    return { facts, fileSize, mtimeMs, error: fileError(path, "no-weights", "The file contains no tensors (vocabulary only?).", "Pick a full model file: this one has metadata but no weights.") };
  }
  if (dataEnd > fileSize) {
    return {
      facts, fileSize, mtimeMs,
      error: fileError(path, "truncated", `The file is incomplete: its tensors need ${dataEnd} bytes but it has ${fileSize}.`, "The download or copy was probably interrupted; get the file again."),
    };
  }
  if (!arch) {
    return { facts, fileSize, mtimeMs, error: fileError(path, "no-architecture", "The file names no architecture (general.architecture).", "It may be a vocabulary-only or adapter file; pick a full model.") };
  }
  if (kvString(header, "general.type") === "adapter") {
    return { facts, fileSize, mtimeMs, error: fileError(path, "is-adapter", "This is a LoRA adapter, not a base model.", "Add the base model it belongs to; adapters are applied on top of it.") };
  }

  // node-llama-cpp's reader and insights: the same view of the file that inference will have.
  let info;
  try {
    info = await readGgufFileInfo(path, { sourceType: "filesystem", logWarnings: false });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { facts, fileSize, mtimeMs, error: fileError(path, "malformed", `node-llama-cpp cannot read this file: ${message}.`, "Get the file again from its source.", message) };
  }
  // Loading llama.cpp's binaries is about this computer, not the file: say so, and keep it re-checkable.
  let llama;
  try {
    llama = await getLlamaRuntime("cpu");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      facts, fileSize, mtimeMs,
      error: fileError(path, runtimeUnavailable, `The file looks fine, but llama.cpp could not be loaded on this computer to check it: ${message}.`, "This is a problem of the installation, not of the file: run `polytune doctor`, reinstall if needed, then check the library again.", message),
    };
  }
  try {
    const insights = await GgufInsights.from(info, llama);
    facts.parameterCount = insights.totalParameters;
    facts.contextLength = insights.trainContextSize ?? facts.contextLength;
    if (!insights.isSupportedByLlamaCpp) {
      return {
        facts, fileSize, mtimeMs,
        error: fileError(path, "unknown-architecture", `The architecture "${arch}" is not supported by the bundled llama.cpp.`, "Update Polytune for newer architectures, or pick another model."),
      };
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { facts, fileSize, mtimeMs, error: fileError(path, "malformed", `node-llama-cpp cannot read this file: ${message}.`, "Get the file again from its source.", message) };
  }
  return { facts, fileSize, mtimeMs, error: null };
}
