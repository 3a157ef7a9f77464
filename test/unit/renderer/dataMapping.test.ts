// The import wizard's column mapping: what it starts from, what stops an import, and what is sent.
import { describe, expect, it } from "vitest";
import { FieldMappingSchema } from "../../../electron/shared/datasetContract.js";
import { initialMapping, mappingProblems, mappingTargets, mappingToSend, withColumn } from "../../../renderer/src/views/data/mappingDefaults.js";

describe("the mapping step", () => {
  it("offers every field of the contract's FieldMapping, and nothing else", () => {
    expect([...mappingTargets].sort()).toEqual(Object.keys(FieldMappingSchema.shape).sort());
  });

  it("starts from the engine's suggestion, dropping columns the files do not have", () => {
    const mapping = initialMapping({ fields: ["prompt", "answer", "lang"], suggestedMapping: { instruction: "prompt", output: "answer", category: "topic", language: "lang" } });
    expect(mapping).toEqual({ instruction: "prompt", output: "answer", language: "lang" });
  });

  it("sets and clears one target at a time", () => {
    const set = withColumn({ instruction: "q" }, "output", "a");
    expect(set).toEqual({ instruction: "q", output: "a" });
    expect(withColumn(set, "instruction", "")).toEqual({ output: "a" });
  });

  it("refuses a mapping that would import empty examples, naming what is missing", () => {
    const fields = ["q", "a", "chat"];
    expect(mappingProblems({}, fields)).toEqual([{ kind: "missing-text" }]);
    expect(mappingProblems({ instruction: "q" }, fields)).toEqual([{ kind: "missing-output" }]);
    expect(mappingProblems({ instruction: "q", output: "a" }, fields)).toEqual([]);
    // A conversation field alone is enough: it holds every turn.
    expect(mappingProblems({ conversations: "chat" }, fields)).toEqual([]);
  });

  it("names a column the files do not have and a column used for two parts of the text", () => {
    expect(mappingProblems({ instruction: "q", output: "answer" }, ["q", "a"])).toContainEqual({ kind: "unknown-column", target: "output", column: "answer" });
    expect(mappingProblems({ instruction: "q", output: "q" }, ["q", "a"])).toEqual([{ kind: "same-column", targets: ["instruction", "output"], column: "q" }]);
    // A label may reuse a text column (a category that is also the id is odd but not empty).
    expect(mappingProblems({ instruction: "q", output: "a", id: "q" }, ["q", "a"])).toEqual([]);
  });

  it("sends a mapping only when the format needs one or the user changed it, and only named columns", () => {
    const known = { mappingRequired: false, suggestedMapping: { instruction: "instruction", output: "output" } };
    expect(mappingToSend({ instruction: "instruction", output: "output" }, known, false)).toBeUndefined();
    expect(mappingToSend({ instruction: "instruction", output: "response" }, known, true)).toEqual({ instruction: "instruction", output: "response" });
    const unknown = { mappingRequired: true, suggestedMapping: {} };
    const sent = mappingToSend({ instruction: "frage", output: "antwort", input: "" }, unknown, false);
    expect(sent).toEqual({ instruction: "frage", output: "antwort" });
    expect(FieldMappingSchema.safeParse(sent).success).toBe(true);
  });
});
