// `polytune score --suite open --judge MODEL`: the request the CLI builds, and the options it refuses.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { scoreRequest } from "../../../electron/cli/registerScoreCommand.js";
import { ScoreInputSchema } from "../../../electron/shared/evalContract.js";
import { PolytuneError } from "../../../electron/shared/PolytuneError.js";

const base = { suite: "open" as const, predictions: "preds.jsonl", resamples: 100, seed: 1, items: true };

describe("score --judge", () => {
  it("passes the judge model as given (the engine resolves library ids) with every judgement by default", () => {
    const request = scoreRequest({ ...base, judge: "qwen-judge" });
    expect(request).toEqual({ suite: "open", predictions: resolve("preds.jsonl"), judge: { model: "qwen-judge" }, resamples: 100, seed: 1 });
    const parsed = ScoreInputSchema.parse(request);
    expect(parsed.suite === "open" && parsed.judge).toEqual({ model: "qwen-judge", judgements: ["relevance", "criteria", "helpfulness"], gpu: "auto", contextSize: 4096, maxTokens: 256 });
  });
  it("narrows the judgements and the device when asked", () => {
    const request = scoreRequest({ ...base, judge: "j.gguf", judgements: ["relevance"], gpu: "cpu", threads: 1 });
    expect(request).toMatchObject({ judge: { model: "j.gguf", judgements: ["relevance"], gpu: "cpu", threads: 1 } });
  });
  it("refuses --judge for a suite without a judge, and --judgements without --judge", () => {
    expect(() => scoreRequest({ ...base, suite: "qa", data: "gold.json", judge: "j.gguf" })).toThrow(PolytuneError);
    expect(() => scoreRequest({ ...base, judgements: ["criteria"] })).toThrow(/--judgements only applies with --judge/);
    expect(() => scoreRequest({ ...base, threads: 2 })).toThrow(/--threads only applies with --judge/);
  });
  it("refuses an unknown judgement in the contract", () => {
    expect(() => ScoreInputSchema.parse({ suite: "open", predictions: "/p.jsonl", judge: { model: "/j.gguf", judgements: ["fluency"] } })).toThrow();
  });
});
