// SARI against values derived by hand from EASSE's definition (easse/sari.py, defaults: macro-averaged
// F1 per n-gram order, deletion by F1). Per n-gram order n and operation: P = correct/system (0 when
// system = 0), R = correct/reference (0 when reference = 0), F1 = 2PR/(P+R), 0 unless P > 0 and R > 0.
// Each operation's score is the mean of its four F1s; SARI = mean of add, keep, delete (×100).
// ADD counts distinct n-grams; KEEP and DELETE count occurrences, the source's and output's ×(number of
// references), against the references' pooled counts.
import { describe, expect, it } from "vitest";
import { addSariStatistics, corpusSari, emptySariStatistics, normalizeForSari, sariFromStatistics, sentenceSari, sentenceSariStatistics } from "../../../electron/engine/eval/metrics/sari.js";

describe("SARI by hand", () => {
  it("one sentence, one reference", () => {
    // S = "a b c", O = "a d", R = "a d c".
    // 1-grams: ADD O−S = {d}: system 1, in R: correct 1; R−S = {d}: reference 1 → F1 1.
    //          KEEP S∩O = {a}: system 1; S∩R = {a, c}: reference 2; correct {a} 1 → P 1, R 1/2, F1 2/3.
    //          DEL S−O = {b, c}: system 2; S−R = {b}: reference 1; correct {b} 1 → P 1/2, R 1, F1 2/3.
    // 2-grams: S {a b, b c}, O {a d}, R {a d, d c}.
    //          ADD O−S = {a d}: system 1, correct 1; R−S = {a d, d c}: reference 2 → P 1, R 1/2, F1 2/3.
    //          KEEP S∩O = ∅ → 0.  DEL S−O = {a b, b c} 2; S−R = 2; correct 2 → F1 1.
    // 3-grams: S {a b c}, O none, R {a d c}. ADD: system 0 → 0. KEEP 0. DEL 1/1/1 → F1 1.
    // 4-grams: none anywhere → every F1 is 0 (EASSE still divides by 4).
    // add = (1 + 2/3)/4 = 5/12; keep = (2/3)/4 = 1/6; delete = (2/3 + 1 + 1)/4 = 2/3.
    // SARI = (5/12 + 2/12 + 8/12)/3 = 5/12 = 41.666…
    const score = sentenceSari("a b c", "a d", ["a d c"]);
    expect(score.add).toBeCloseTo((100 * 5) / 12, 12);
    expect(score.keep).toBeCloseTo(100 / 6, 12);
    expect(score.delete).toBeCloseTo((100 * 2) / 3, 12);
    expect(score.sari).toBeCloseTo((100 * 5) / 12, 12);
    const stats = sentenceSariStatistics("a b c", "a d", ["a d c"]);
    expect(stats.add).toEqual({ correct: [1, 1, 0, 0], system: [1, 1, 0, 0], reference: [1, 2, 1, 0] });
    expect(stats.keep).toEqual({ correct: [1, 0, 0, 0], system: [1, 0, 0, 0], reference: [2, 0, 0, 0] });
    expect(stats.delete).toEqual({ correct: [1, 2, 1, 0], system: [2, 2, 1, 0], reference: [1, 2, 1, 0] });
  });

  it("two references weigh the source and output counts by 2", () => {
    // S = "a b", O = "a", R1 = "a", R2 = "b" (pooled {a:1, b:1}).
    // 1-grams: ADD nothing new anywhere → 0.
    //          KEEP 2S = {a:2, b:2}, 2O = {a:2}: system min = {a:2} = 2; 2S∩pooled = {a:1, b:1} = 2;
    //               correct min({a:2}, {a:1, b:1}) = 1 → P 1/2, R 1/2, F1 1/2.
    //          DEL 2S−2O = {b:2} = 2; 2S−pooled = {a:1, b:1} = 2; correct min = {b:1} = 1 → F1 1/2.
    // 2-grams: S {a b}, O and refs none. DEL 2S−2O = {a b:2} = 2; 2S−pooled = 2; correct 2 → F1 1.
    // add = 0; keep = (1/2)/4 = 1/8; delete = (1/2 + 1)/4 = 3/8; SARI = (0 + 1/8 + 3/8)/3 = 1/6.
    const score = sentenceSari("a b", "a", ["a", "b"]);
    expect(score.add).toBe(0);
    expect(score.keep).toBeCloseTo(12.5, 12);
    expect(score.delete).toBeCloseTo(37.5, 12);
    expect(score.sari).toBeCloseTo(100 / 6, 12);
  });

  it("a corpus sums n-gram counts before F1, so it is not the mean of sentence scores", () => {
    // Sentence 1 as above (S "a b", O "a", refs "a" / "b"): SARI 1/6.
    // Sentence 2: S "a b c", O "a d", refs "a d c" twice: every KEEP/DELETE count doubles on both sides,
    // ADD (sets) is unchanged, so its SARI is 5/12 as in the first case.
    // Summed counts (sentence 1 + sentence 2):
    //   1-gram ADD 1/1/1 → 1; KEEP correct 1+2, system 2+2, reference 2+4 → P 3/4, R 1/2, F1 3/5;
    //          DEL correct 1+2, system 2+4, reference 2+2 → P 1/2, R 3/4, F1 3/5.
    //   2-gram ADD correct 1, system 1, reference 2 → 2/3; KEEP 0; DEL 6/6/6 → 1.
    //   3-gram ADD reference 1 only → 0; KEEP 0; DEL 2/2/2 → 1.   4-grams 0.
    // add = (1 + 2/3)/4 = 5/12; keep = (3/5)/4 = 3/20; delete = (3/5 + 1 + 1)/4 = 13/20.
    // SARI = (25/60 + 9/60 + 39/60)/3 = 73/180 = 40.555…, while the mean of sentences is (1/6 + 5/12)/2 = 7/24.
    const sources = ["a b", "a b c"];
    const outputs = ["a", "a d"];
    const references = [
      ["a", "a d c"],
      ["b", "a d c"],
    ];
    const corpus = corpusSari(sources, outputs, references);
    expect(corpus.add).toBeCloseTo((100 * 5) / 12, 12);
    expect(corpus.keep).toBeCloseTo(15, 12);
    expect(corpus.delete).toBeCloseTo(65, 12);
    expect(corpus.sari).toBeCloseTo((100 * 73) / 180, 12);
    expect(sentenceSari("a b c", "a d", ["a d c", "a d c"]).sari).toBeCloseTo((100 * 5) / 12, 12);
    // Summing per-sentence statistics gives the same corpus score (what the bootstrap relies on).
    const summed = addSariStatistics(addSariStatistics(emptySariStatistics(), sentenceSariStatistics("a b", "a", ["a", "b"])), sentenceSariStatistics("a b c", "a d", ["a d c", "a d c"]));
    expect(sariFromStatistics(summed)).toEqual(corpus);
  });

  it("identity output: nothing added or deleted, only keeping scores", () => {
    // S = O = "a b", R = "a". 1-gram KEEP system {a, b} 2, reference {a} 1, correct 1 → P 1/2, R 1, F1 2/3.
    // 2-gram KEEP system {a b} 1, reference 0, correct 0 → 0. ADD and DEL: system 0 → 0.
    // keep = (2/3)/4 = 1/6; SARI = (1/6)/3 = 1/18.
    const score = sentenceSari("a b", "a b", ["a"]);
    expect(score.add).toBe(0);
    expect(score.delete).toBe(0);
    expect(score.keep).toBeCloseTo(100 / 6, 12);
    expect(score.sari).toBeCloseTo(100 / 18, 12);
  });

  it("empty output: everything deleted", () => {
    // S = "a b", O = "", R = "a". ADD 0, KEEP system 0 → 0.
    // DEL 1-gram system {a, b} 2, reference {b} 1, correct 1 → P 1/2, R 1, F1 2/3; 2-gram {a b} 1/1/1 → 1.
    // delete = (2/3 + 1)/4 = 5/12; SARI = (5/12)/3 = 5/36.
    const score = sentenceSari("a b", "", ["a"]);
    expect(score.add).toBe(0);
    expect(score.keep).toBe(0);
    expect(score.delete).toBeCloseTo((100 * 5) / 12, 12);
    expect(score.sari).toBeCloseTo((100 * 5) / 36, 12);
  });

  it("an output equal to its only reference still scores under 100 on a short sentence", () => {
    // S = "a b c", O = R = "a c". 1-gram ADD nothing → 0; KEEP {a, c} 2/2/2 → 1; DEL {b} 1/1/1 → 1.
    // 2-gram ADD {a c} 1/1/1 → 1; KEEP 0; DEL {a b, b c} 2/2/2 → 1. 3-gram DEL {a b c} → 1. 4-grams 0.
    // add = 1/4, keep = 1/4, delete = 3/4; SARI = (5/4)/3 = 5/12.
    expect(sentenceSari("a b c", "a c", ["a c"]).sari).toBeCloseTo((100 * 5) / 12, 12);
  });

  it("lowercases and tokenizes (13a) every sentence before counting", () => {
    expect(normalizeForSari("The Cat, sat.")).toBe("the cat , sat .");
    // Raw texts score exactly as their lowercased 13a forms; O and R both normalize to "the cat sat .".
    const raw = sentenceSari("The Cat, sat.", "the cat sat .", ["THE CAT SAT."]);
    expect(raw).toEqual(sentenceSari("the cat , sat .", "the cat sat .", ["the cat sat ."]));
    // Without lowercasing (not EASSE's default) "The" and "the" differ: nothing is kept.
    expect(sentenceSari("The Cat", "the cat", ["THE CAT"], { lowercase: false }).keep).toBe(0);
  });

  it("refuses inputs EASSE would reject", () => {
    expect(() => corpusSari(["a"], ["a", "b"], [["a"]])).toThrow(/1 sources, 2 outputs/);
    expect(() => corpusSari(["a", "b"], ["a", "b"], [["a", "b"], ["a"]])).toThrow(/reference set 2/);
    expect(() => sentenceSari("a", "a", [])).toThrow(/at least one reference/);
  });
});
