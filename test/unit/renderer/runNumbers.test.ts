// The numbers the Runs area shows while training: the smoothed loss, the step ticks, rate and ETA.
import { describe, expect, it } from "vitest";
import type { RunMetric } from "../../../electron/shared/contract.js";
import { defaultRunName } from "../../../renderer/src/views/runs/defaultRunName.js";
import { liveRate, rateMinimumSteps } from "../../../renderer/src/views/runs/liveRate.js";
import { smoothLoss, stepTicks } from "../../../renderer/src/views/runs/smoothLoss.js";

const metric = (step: number, elapsedMs: number, tokens = 100, tokensPerSecond = 1): RunMetric => ({ step, loss: 1, scheduledLr: 1e-4, tokens, tokensPerSecond, memoryBytes: null, valLoss: null, elapsedMs });

describe("smoothLoss", () => {
  it("leaves the values alone at weight 0 and starts at the first value (debiased)", () => {
    expect(smoothLoss([3, 1, 2], 0)).toEqual([3, 1, 2]);
    const s = smoothLoss([4, 2, 4, 2, 4, 2], 0.9);
    expect(s[0]).toBeCloseTo(4);
    // Alternating noise is flattened towards its mean.
    expect(Math.max(...s.slice(2)) - Math.min(...s.slice(2))).toBeLessThan(1);
  });
});

describe("stepTicks", () => {
  it("never gives fractional steps", () => {
    expect(stepTicks(3)).toEqual([0, 1, 2, 3]);
    expect(stepTicks(30, 6)).toEqual([0, 5, 10, 15, 20, 25, 30]);
    expect(stepTicks(2000, 8)).toEqual([0, 500, 1000, 1500, 2000]);
    for (const t of stepTicks(7, 8)) expect(Number.isInteger(t)).toBe(true);
  });
});

describe("liveRate", () => {
  it("says nothing until enough steps are in, then averages over the window", () => {
    expect(liveRate([metric(1, 1000)], 10)).toBeNull();
    expect(rateMinimumSteps).toBeGreaterThan(1);
    // 100 tokens a step, one step a second; the single fast step does not swing it.
    const steady = [metric(1, 1000), metric(2, 2000), metric(3, 3000, 100, 5000), metric(4, 4000), metric(5, 5000)];
    const rate = liveRate(steady, 105)!;
    expect(rate.tokensPerSecond).toBeCloseTo(100);
    expect(rate.etaSeconds).toBeCloseTo(100);
  });

  it("starts again after a resume instead of mixing the sessions' clocks", () => {
    const beforeResume = [metric(1, 1000), metric(2, 2000), metric(3, 3000), metric(4, 4000)];
    // A resumed session's clock starts again: its first step is recorded at 800 ms.
    expect(liveRate([...beforeResume, metric(5, 800)], 10)).toBeNull();
    const rate = liveRate([...beforeResume, metric(5, 800), metric(6, 1300), metric(7, 1800)], 10)!;
    expect(rate.tokensPerSecond).toBeCloseTo(200);
    expect(rate.etaSeconds).toBeCloseTo(1.5);
  });
});

describe("defaultRunName", () => {
  it("tells runs apart by model, data, method, learning rate and rank", () => {
    expect(defaultRunName({ model: "m", data: "/x/de-en.jsonl", lr: 1e-4, rank: 8 }, "Qwen3 0.6B")).toBe("Qwen3 0.6B · de-en · LoRA · LR 1e-4 · r 8");
    expect(defaultRunName({ model: "m", data: "a.jsonl", lr: 2.5e-5, rank: 64, rslora: true }, "M")).toBe("M · a · rsLoRA · LR 2.5e-5 · r 64");
  });
});
