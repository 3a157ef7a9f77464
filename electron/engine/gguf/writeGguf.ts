import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { GGUF_MAGIC, GgufType, type GgufScalar, type GgufValue } from "./GgufValue.js";

export interface GgufTensorToWrite {
  name: string;
  /** ggml order: dims[0] is the contiguous (row) dimension. */
  dims: number[];
  type: number;
  data: Uint8Array;
}

// Buffers small writes so a 150k-entry vocabulary is not 150k syscalls.
class FileWriter {
  private chunk = Buffer.alloc(1 << 20);
  private used = 0;
  written = 0;
  constructor(private readonly fd: number) {}

  bytes(data: Uint8Array): void {
    if (this.used + data.length > this.chunk.length) this.flush();
    if (data.length > this.chunk.length) {
      writeSync(this.fd, data);
    } else {
      this.chunk.set(data, this.used);
      this.used += data.length;
    }
    this.written += data.length;
  }
  flush(): void {
    if (this.used > 0) writeSync(this.fd, this.chunk, 0, this.used);
    this.used = 0;
  }
  u32(v: number): void { const b = Buffer.alloc(4); b.writeUInt32LE(v); this.bytes(b); }
  u64(v: number | bigint): void { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); this.bytes(b); }
  string(s: string): void { const b = Buffer.from(s, "utf8"); this.u64(b.length); this.bytes(b); }
  scalar(type: GgufType, v: GgufScalar): void {
    const b = Buffer.alloc(8);
    switch (type) {
      case GgufType.U8: b.writeUInt8(Number(v)); return this.bytes(b.subarray(0, 1));
      case GgufType.I8: b.writeInt8(Number(v)); return this.bytes(b.subarray(0, 1));
      case GgufType.U16: b.writeUInt16LE(Number(v)); return this.bytes(b.subarray(0, 2));
      case GgufType.I16: b.writeInt16LE(Number(v)); return this.bytes(b.subarray(0, 2));
      case GgufType.U32: b.writeUInt32LE(Number(v)); return this.bytes(b.subarray(0, 4));
      case GgufType.I32: b.writeInt32LE(Number(v)); return this.bytes(b.subarray(0, 4));
      case GgufType.F32: b.writeFloatLE(Number(v)); return this.bytes(b.subarray(0, 4));
      case GgufType.BOOL: b.writeUInt8(v ? 1 : 0); return this.bytes(b.subarray(0, 1));
      case GgufType.U64: b.writeBigUInt64LE(BigInt(v)); return this.bytes(b);
      case GgufType.I64: b.writeBigInt64LE(BigInt(v)); return this.bytes(b);
      case GgufType.F64: b.writeDoubleLE(Number(v)); return this.bytes(b);
      case GgufType.STRING: return this.string(String(v));
      default: throw new Error(`cannot write GGUF value type ${type}`);
    }
  }
  pad(alignment: number): void {
    const rem = this.written % alignment;
    if (rem !== 0) this.bytes(new Uint8Array(alignment - rem));
  }
}

/** Writes a GGUF v3 file atomically (temp file, fsync, rename), so a crash never leaves half a model. */
export function writeGguf(path: string, kv: Map<string, GgufValue>, tensors: GgufTensorToWrite[], alignment = 32): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    const w = new FileWriter(fd);
    w.u32(GGUF_MAGIC);
    w.u32(3);
    w.u64(tensors.length);
    w.u64(kv.size);
    for (const [key, value] of kv) {
      w.string(key);
      w.u32(value.type);
      if (value.type === GgufType.ARRAY) {
        w.u32(value.itemType);
        w.u64(value.items.length);
        for (const item of value.items) w.scalar(value.itemType, item);
      } else {
        w.scalar(value.type, value.value);
      }
    }
    let offset = 0;
    for (const t of tensors) {
      w.string(t.name);
      w.u32(t.dims.length);
      for (const d of t.dims) w.u64(d);
      w.u32(t.type);
      w.u64(offset);
      offset += Math.ceil(t.data.length / alignment) * alignment;
    }
    w.pad(alignment);
    for (const t of tensors) {
      w.bytes(t.data);
      w.pad(alignment);
    }
    w.flush();
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (error) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(tmp, { force: true });
    throw error;
  }
}
