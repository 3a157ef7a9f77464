import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { GGUF_MAGIC, GgufType, type GgufHeader, type GgufScalar, type GgufTensorInfo, type GgufValue } from "./GgufValue.js";

/** Why a file is not a readable GGUF; the model library turns each into a user-facing message. */
export class GgufFormatError extends Error {
  constructor(
    readonly reason: "not-gguf" | "unsupported-version" | "truncated" | "malformed" | "duplicate-key" | "bad-alignment",
    message: string,
    readonly version?: number,
  ) {
    super(message);
    this.name = "GgufFormatError";
  }
}

// Reads forward through a file in chunks, so a multi-megabyte vocabulary never needs the whole file.
class FileCursor {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  pos = 0;
  readonly size: number;

  constructor(private readonly fd: number) {
    this.size = fstatSync(fd).size;
  }

  private ensure(n: number): number {
    const rel = this.pos - this.bufStart;
    if (rel + n <= this.buf.length) return rel;
    if (this.pos + n > this.size) {
      throw new GgufFormatError("truncated", `the file ends at byte ${this.size} inside its header (needed ${this.pos + n})`);
    }
    const want = Math.max(n, 1 << 20);
    const chunk = Buffer.alloc(Math.min(want, this.size - this.pos));
    readSync(this.fd, chunk, 0, chunk.length, this.pos);
    this.buf = chunk;
    this.bufStart = this.pos;
    return 0;
  }

  u32(): number { const r = this.ensure(4); this.pos += 4; return this.buf.readUInt32LE(r); }
  u64(): bigint { const r = this.ensure(8); this.pos += 8; return this.buf.readBigUInt64LE(r); }
  safeU64(what: string, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.u64();
    if (v > BigInt(max)) throw new GgufFormatError("malformed", `${what} is implausibly large (${v})`);
    return Number(v);
  }
  /**
   * A length or count that must fit in what is left of the file: beyond a sane absolute bound the
   * header is damaged; within it, a file that ends too soon is incomplete (a cut-off download), which
   * is what to tell the user, not that a normal vocabulary size is "implausible".
   */
  sizeWithin(what: string, absoluteMax: number, unit: "bytes" | "entries"): number {
    const v = this.safeU64(what, absoluteMax);
    // Every entry takes at least a byte, so more entries than bytes left cannot fit either.
    if (v > this.size - this.pos) throw new GgufFormatError("truncated", `the file ends at byte ${this.size}, inside ${what} (${v} ${unit} from byte ${this.pos})`);
    return v;
  }
  string(): string {
    const len = this.sizeWithin("a string", 1 << 30, "bytes");
    const r = this.ensure(len);
    this.pos += len;
    return this.buf.toString("utf8", r, r + len);
  }
  scalar(type: GgufType): GgufScalar {
    const sizes: Partial<Record<GgufType, number>> = {
      [GgufType.U8]: 1, [GgufType.I8]: 1, [GgufType.U16]: 2, [GgufType.I16]: 2, [GgufType.U32]: 4, [GgufType.I32]: 4,
      [GgufType.F32]: 4, [GgufType.BOOL]: 1, [GgufType.U64]: 8, [GgufType.I64]: 8, [GgufType.F64]: 8,
    };
    if (type === GgufType.STRING) return this.string();
    const size = sizes[type];
    if (size === undefined) throw new GgufFormatError("malformed", `unknown metadata value type ${type}`);
    const r = this.ensure(size);
    this.pos += size;
    const b = this.buf;
    switch (type) {
      case GgufType.U8: return b.readUInt8(r);
      case GgufType.I8: return b.readInt8(r);
      case GgufType.U16: return b.readUInt16LE(r);
      case GgufType.I16: return b.readInt16LE(r);
      case GgufType.U32: return b.readUInt32LE(r);
      case GgufType.I32: return b.readInt32LE(r);
      case GgufType.F32: return b.readFloatLE(r);
      case GgufType.BOOL: return b.readUInt8(r) !== 0;
      case GgufType.U64: return b.readBigUInt64LE(r);
      case GgufType.I64: return b.readBigInt64LE(r);
      default: return b.readDoubleLE(r);
    }
  }
}

// Tensor data starts at a multiple of general.alignment (32 when absent); llama.cpp accepts only a power of two.
function readAlignment(value: GgufValue | undefined): number {
  if (value === undefined) return 32;
  if (value.type === GgufType.ARRAY || typeof value.value === "string" || typeof value.value === "boolean") {
    throw new GgufFormatError("bad-alignment", "general.alignment is not a number");
  }
  const n = Number(value.value);
  if (!Number.isSafeInteger(n) || n <= 0 || n > 2 ** 30 || (n & (n - 1)) !== 0) {
    throw new GgufFormatError("bad-alignment", `general.alignment is ${String(value.value)}, not a power of two`);
  }
  return n;
}

/** Reads a GGUF (v2/v3) header: every metadata value with its type, and the tensor table. */
export function readGgufHeader(path: string): GgufHeader {
  const fd = openSync(path, "r");
  try {
    const c = new FileCursor(fd);
    if (c.size < 8) throw new GgufFormatError("not-gguf", "the file is too small to be a GGUF model");
    if (c.u32() !== GGUF_MAGIC) throw new GgufFormatError("not-gguf", "the file does not start with the GGUF signature");
    const version = c.u32();
    if (version === 1) throw new GgufFormatError("unsupported-version", "GGUF version 1 is no longer supported by llama.cpp", 1);
    if (version !== 2 && version !== 3) throw new GgufFormatError("unsupported-version", `GGUF version ${version} is not supported`, version);
    const tensorCount = c.safeU64("the tensor count", 1 << 24);
    const kvCount = c.safeU64("the metadata count", 1 << 24);
    const kv = new Map<string, GgufValue>();
    for (let i = 0; i < kvCount; i++) {
      const key = c.string();
      // llama.cpp refuses a repeated key too; keeping either value would describe a model it will not load.
      if (kv.has(key)) throw new GgufFormatError("duplicate-key", `the metadata key "${key}" is written twice`);
      const type = c.u32() as GgufType;
      if (type === GgufType.ARRAY) {
        const itemType = c.u32() as Exclude<GgufType, GgufType.ARRAY>;
        if (itemType === (GgufType.ARRAY as number)) throw new GgufFormatError("malformed", `nested arrays in ${key}`);
        const n = c.sizeWithin(`the array ${key}`, 2 ** 32, "entries");
        const items: GgufScalar[] = new Array(n);
        for (let j = 0; j < n; j++) items[j] = c.scalar(itemType);
        kv.set(key, { type, itemType, items });
      } else {
        kv.set(key, { type, value: c.scalar(type) } as GgufValue);
      }
    }
    const tensors: GgufTensorInfo[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = c.string();
      const nDims = c.u32();
      if (nDims > 4) throw new GgufFormatError("malformed", `tensor ${name} has ${nDims} dimensions`);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) dims.push(c.safeU64(`a dimension of ${name}`));
      tensors.push({ name, dims, type: c.u32(), offset: c.u64() });
    }
    const alignment = readAlignment(kv.get("general.alignment"));
    const dataOffset = Math.ceil(c.pos / alignment) * alignment;
    return { version, kv, tensors, alignment, dataOffset };
  } finally {
    closeSync(fd);
  }
}

/** A scalar metadata value as a plain JS value, or undefined. */
export function kvScalar(header: GgufHeader, key: string): GgufScalar | undefined {
  const v = header.kv.get(key);
  return v && v.type !== GgufType.ARRAY ? v.value : undefined;
}

export function kvNumber(header: GgufHeader, key: string): number | undefined {
  const v = kvScalar(header, key);
  return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined;
}

export function kvString(header: GgufHeader, key: string): string | undefined {
  const v = kvScalar(header, key);
  return typeof v === "string" ? v : undefined;
}

export function kvArrayLength(header: GgufHeader, key: string): number | undefined {
  const v = header.kv.get(key);
  return v && v.type === GgufType.ARRAY ? v.items.length : undefined;
}
