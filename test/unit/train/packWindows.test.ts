import type { Token } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { packWindows } from "../../../electron/engine/train/encodeTextDocuments.js";

describe("packWindows", () => {
  // Documents as the encoder makes them: BOS (1), text, EOS (2).
  const docs = [
    [1, 10, 11, 12, 2],
    [1, 20, 2],
    [1, 30, 31, 32, 33, 34, 2],
  ] as Token[][];

  it("concatenates documents and cuts windows of seqLen, the last one shorter", () => {
    const windows = packWindows(docs, 4);
    expect(windows.map((w) => w.tokens)).toEqual([
      [1, 10, 11, 12],
      [2, 1, 20, 2],
      [1, 30, 31, 32],
      [33, 34, 2],
    ]);
    expect(windows).toHaveLength(Math.ceil(15 / 4));
  });

  it("supervises every position but each window's first", () => {
    for (const w of packWindows(docs, 4)) {
      expect([...w.target]).toEqual(w.tokens.map((_, i) => (i === 0 ? 0 : 1)));
      expect(w.promptLength).toBe(1);
    }
  });

  it("drops a one-token tail, which has nothing to predict", () => {
    expect(packWindows([[1, 5, 6, 2, 1]] as Token[][], 4).map((w) => w.tokens)).toEqual([[1, 5, 6, 2]]);
    expect(packWindows([[1]] as Token[][], 4)).toEqual([]);
  });
});
