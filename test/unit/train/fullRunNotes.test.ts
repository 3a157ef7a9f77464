import { describe, expect, it } from "vitest";
import { fullRunNotes } from "../../../electron/engine/train/checkRunConfig.js";
import { TrainConfigSchema, type TrainConfigInput } from "../../../electron/shared/contract.js";

const config = (extra: Partial<TrainConfigInput>) => TrainConfigSchema.parse({ model: "m", data: "d.jsonl", ...extra });

describe("fullRunNotes", () => {
  it("says nothing for a LoRA run", () => {
    expect(fullRunNotes(config({ rank: 8 }))).toBeNull();
  });

  it("names no setting when every LoRA setting is at its default (baseWeights as-stored included)", () => {
    const note = fullRunNotes(config({ method: "full" }));
    expect(note).toBe("Full-parameter training: every weight is trained in F32, the base included.");
    expect(fullRunNotes(config({ method: "full", baseWeights: "f32" }))).toBe(note);
  });

  it("names exactly the LoRA settings changed from their defaults as not applying", () => {
    expect(fullRunNotes(config({ method: "full", rank: 8 }))).toMatch(/ rank does not apply\.$/);
    expect(fullRunNotes(config({ method: "full", alpha: 32, targets: ["q", "v"], dropout: 0.1, rslora: true }))).toMatch(/ targets, alpha, rslora, dropout do not apply\.$/);
  });
});
