// The learning-rate choice of paper 002 §5.3 on hand-made numbers: the criteria in order, a tolerance
// within which a later criterion breaks the tie, a criterion nobody measured skipped, never read as 0.
import { describe, expect, it } from "vitest";
import { LrChoiceSchema } from "../../../electron/shared/experimentContract.js";
import { chooseLearningRate, type LrCandidate } from "../../../electron/engine/experiments/chooseLearningRate.js";

const rule = LrChoiceSchema.parse({}); // language_correctness, relevance, spelling (open); tolerance 1
const at = (lr: number, ...values: Array<number | null>): LrCandidate => ({ item: `i-${lr}`, lr, values });

describe("chooseLearningRate", () => {
  it("lets the first criterion decide when one rate leads it by more than the tolerance", () => {
    const d = chooseLearningRate("Mono · lora r64", [at(5e-5, 60, 90, 99), at(1e-4, 82, 10, 50), at(2e-4, 70, 95, 99)], rule);
    expect(d.chosenLr).toBe(1e-4);
    expect(d.chosenItem).toBe("i-0.0001");
    expect(d.reason).toContain("language_correctness (open): best 82.0; lr 1e-4 82.0 leads by more than 1; out: lr 5e-5 60.0, lr 2e-4 70.0.");
    expect(d.reason).toMatch(/Chosen: lr 1e-4\.$/);
    expect(d.candidates).toHaveLength(3);
  });

  it("breaks a tie within the tolerance with the second criterion", () => {
    const d = chooseLearningRate("c", [at(5e-5, 80, 40, 90), at(1e-4, 80.6, 30, 95), at(2e-4, 70, 99, 99)], rule);
    // 80 and 80.6 are within 1 point; relevance 40 beats 30; 2e-4 was out at the first criterion.
    expect(d.chosenLr).toBe(5e-5);
    expect(d.reason).toContain("within 1 of it: lr 5e-5 80.0, lr 1e-4 80.6; out: lr 2e-4 70.0.");
    expect(d.reason).toContain("relevance (open): best 40.0; lr 5e-5 40.0 leads by more than 1; out: lr 1e-4 30.0.");
  });

  it("skips a criterion no rate has a value for, and lets the next one decide", () => {
    // No judge: relevance is missing for all; spelling decides the tie left by language correctness.
    const d = chooseLearningRate("c", [at(5e-5, 90, null, 70), at(1e-4, 90.5, null, 88), at(2e-4, 90, null, 80)], rule);
    expect(d.chosenLr).toBe(1e-4);
    expect(d.reason).toContain("relevance (open) skipped: no rate has a value for it.");
    expect(d.reason).toContain("spelling (open): best 88.0; lr 1e-4 88.0 leads by more than 1");
  });

  it("does not prefer a rate missing a value that the others have (missing is not 0, and not a win)", () => {
    // 1e-4 has no spelling value (no dictionary for its outputs' language); the others do.
    const d = chooseLearningRate("c", [at(5e-5, 90, null, 40), at(1e-4, 90, null, null), at(2e-4, 90, null, 45)], rule);
    expect(d.chosenLr).toBe(2e-4);
    expect(d.reason).toContain("spelling (open): best 45.0; lr 2e-4 45.0 leads by more than 1; out: lr 5e-5 40.0, lr 1e-4 has no value.");
    // Even a low measured value beats an unmeasured one at that criterion, whatever later criteria say.
    const lone = chooseLearningRate("c", [at(5e-5, 10, null), at(1e-4, null, 95)], LrChoiceSchema.parse({ criteria: [{ suite: "open", metric: "spelling" }, { suite: "open", metric: "language_correctness" }] }));
    expect(lone.chosenLr).toBe(5e-5);
  });

  it("chooses nothing when no rate has any value, and says so", () => {
    const d = chooseLearningRate("c", [at(5e-5, null, null, null), at(1e-4, null, null, null)], rule);
    expect(d.chosenLr).toBeNull();
    expect(d.chosenItem).toBeNull();
    expect(d.reason).toMatch(/No rate has a value on any criterion/);
  });

  it("breaks a tie left after every criterion by the first criterion's value, then the lower rate", () => {
    const d = chooseLearningRate("c", [at(2e-4, 90, 50, 80), at(5e-5, 90, 50, 80), at(1e-4, 90.5, 50, 80)], rule);
    expect(d.chosenLr).toBe(1e-4);
    const equal = chooseLearningRate("c", [at(2e-4, 90, 50, 80), at(5e-5, 90, 50, 80)], rule);
    expect(equal.chosenLr).toBe(5e-5);
    expect(equal.reason).toContain("Still tied after every criterion");
  });
});
