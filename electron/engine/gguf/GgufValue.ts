// GGUF metadata values keep their on-disk type so a file can be copied key by key without loss.
export enum GgufType {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7, STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12,
}

export type GgufScalar = number | bigint | boolean | string;

export type GgufValue =
  | { type: Exclude<GgufType, GgufType.ARRAY>; value: GgufScalar }
  | { type: GgufType.ARRAY; itemType: Exclude<GgufType, GgufType.ARRAY>; items: GgufScalar[] };

export interface GgufTensorInfo {
  name: string;
  dims: number[];
  type: number;
  offset: bigint;
}

export interface GgufHeader {
  version: number;
  kv: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute file offset where tensor data starts. */
  dataOffset: number;
}

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as little-endian u32
