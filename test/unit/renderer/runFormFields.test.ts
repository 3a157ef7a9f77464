// The Runs form against the contract: every run setting has a field, and the form accepts exactly
// what runs.start accepts, with the range in words when it does not.
import { describe, expect, it } from "vitest";
import { TrainConfigSchema, trainSettingNames } from "../../../electron/shared/contract.js";
import { strings } from "../../../renderer/src/i18n/strings.js";
import { configFromForm, dataSourceOf, fieldError, fieldGroups, formSettings, formValuesFrom, runFormFields } from "../../../renderer/src/views/runs/runFormFields.js";
import { defaultRunName } from "../../../renderer/src/views/runs/defaultRunName.js";
import { activePreset, presetValues } from "../../../renderer/src/views/runs/runPresets.js";

describe("the new-run form covers the contract", () => {
  it("has a field, a label and help for every run setting in TrainConfigSchema, and nothing else", () => {
    const schemaKeys = Object.keys(TrainConfigSchema.shape).sort();
    expect(Object.keys(runFormFields).sort()).toEqual(schemaKeys);
    expect([...trainSettingNames].sort()).toEqual(schemaKeys);
    for (const key of schemaKeys) {
      const text = strings.runs.fields[key as keyof typeof strings.runs.fields];
      expect(text?.label, key).toBeTruthy();
      expect(text?.help, key).toBeTruthy();
      expect(fieldGroups).toContain(runFormFields[key as keyof typeof runFormFields].group);
    }
  });

  it("asks for model, method, data (a file, a mix or raw text), steps and learning rate in the basic view", () => {
    expect(trainSettingNames.filter((k) => runFormFields[k].view === "basic").sort()).toEqual(["data", "lr", "method", "mix", "model", "steps", "text"]);
  });
});

describe("checking fields as they are typed", () => {
  const valid = { ...formValuesFrom({ steps: 30 }), model: "m", data: "/d.jsonl" };

  it("names the field and its range, read from the schema", () => {
    expect(fieldError("rank", "0")).toBe("LoRA rank r must be a whole number from 1 to 1024.");
    expect(fieldError("rank", "2.5")).toBe("LoRA rank r must be a whole number from 1 to 1024.");
    expect(fieldError("steps", "0")).toBe("Steps must be a whole number from 1 to 10000000.");
    expect(fieldError("lr", "0")).toBe("Learning rate must be a number above 0, at most 1.");
    expect(fieldError("dropout", "1")).toBe("LoRA dropout must be a number from 0, below 1.");
    expect(fieldError("rank", "abc")).toBe("LoRA rank r must be a whole number from 1 to 1024.");
    expect(fieldError("data", "  ")).toBe("Training data is needed.");
    expect(fieldError("targets", [])).toBe("Pick at least one projection for the adapter.");
    expect(fieldError("rank", "64")).toBeNull();
    expect(fieldError("threads", "")).toBeNull();
  });

  it("gives runs.start exactly what the schema parses, and nothing while a field is wrong", () => {
    const { config, errors } = configFromForm(valid);
    expect(errors).toEqual({});
    expect(TrainConfigSchema.parse(config)).toMatchObject({ model: "m", data: "/d.jsonl", steps: 30, rank: 64, alpha: 16, lr: 1e-5 });
    expect(config).not.toHaveProperty("threads");
    const bad = configFromForm({ ...valid, rank: "0", seqLen: "4" });
    expect(bad.config).toBeNull();
    expect(Object.keys(bad.errors).sort()).toEqual(["rank", "seqLen"]);
  });

  it("round-trips a stored configuration (a run duplicated with changes)", () => {
    const stored = TrainConfigSchema.parse({ model: "m", data: "/d.jsonl", steps: 12, lr: 0.01, rank: 8, rslora: true, targets: ["q", "v"], backend: "cpu" });
    const again = configFromForm(formValuesFrom(stored)).config;
    expect(TrainConfigSchema.parse(again)).toEqual(stored);
  });

  it("trains on a data file or a saved mix, exactly one, and asks for the one chosen", () => {
    const onMix = configFromForm({ ...valid, mix: "mix-1" }, "mix");
    expect(onMix.errors).toEqual({});
    // The data path typed earlier stays in the draft but is not sent with a mix.
    expect(onMix.config).toMatchObject({ mix: "mix-1" });
    expect(onMix.config).not.toHaveProperty("data");
    expect(configFromForm({ ...valid, mix: "mix-1" }, "data").config).not.toHaveProperty("mix");
    expect(configFromForm({ ...valid, mix: "" }, "mix").errors).toEqual({ mix: "Pick a saved mix, or train on a data file." });
    expect(configFromForm({ ...valid, data: "" }, "data").errors).toEqual({ data: "Training data is needed." });
    // A stored run that trained on a mix comes back choosing the mix.
    const stored = TrainConfigSchema.parse({ model: "m", mix: "mix-1", steps: 5 });
    const values = formValuesFrom(stored);
    expect(dataSourceOf(values)).toBe("mix");
    expect(formSettings("mix")).not.toContain("data");
    expect(TrainConfigSchema.parse(configFromForm(values).config)).toEqual(stored);
    expect(defaultRunName({ model: "m", mix: "mix-1", lr: 1e-4, rank: 8 }, "tiny", "Demo Multi-3")).toBe("tiny · Demo Multi-3 · LoRA · LR 1e-4 · r 8");
  });

  it("trains on raw text files typed as a comma-separated list, and round-trips them", () => {
    const values = { ...valid, text: " /a.txt, /b.jsonl ,, " };
    expect(dataSourceOf(values)).toBe("text");
    const { config, errors } = configFromForm(values, "text");
    expect(errors).toEqual({});
    expect(config).toMatchObject({ text: ["/a.txt", "/b.jsonl"] });
    expect(config).not.toHaveProperty("data");
    expect(configFromForm({ ...valid, text: " , " }, "text").errors).toEqual({ text: "Give one or more text files, separated by commas." });
    const stored = TrainConfigSchema.parse({ model: "m", text: ["/a.txt", "/b.txt"], method: "full", steps: 3 });
    expect(formValuesFrom(stored).text).toBe("/a.txt, /b.txt");
    expect(TrainConfigSchema.parse(configFromForm(formValuesFrom(stored)).config)).toEqual(stored);
    expect(defaultRunName({ model: "m", text: ["/x/book.txt"], method: "full", lr: 1e-4 }, "tiny")).toBe("tiny · book · full · LR 1e-4");
  });

  it("in full mode leaves out the LoRA settings and the merged model, and sends method and quantize", () => {
    for (const k of ["targets", "rank", "alpha", "rslora", "dropout", "baseWeights", "mergedOut"] as const) expect(formSettings("data", "full")).not.toContain(k);
    expect(formSettings("data", "lora")).toEqual(expect.arrayContaining(["rank", "targets", "baseWeights", "mergedOut"]));
    // A rank typed wrong earlier does not stop a full run: the field is not asked.
    const { config, errors } = configFromForm({ ...valid, method: "full", rank: "0", mergedOut: "/m.gguf", quantize: "q4_k_m" });
    expect(errors).toEqual({});
    expect(config).toMatchObject({ method: "full", quantize: "q4_k_m" });
    expect(config).not.toHaveProperty("mergedOut");
    expect(config).not.toHaveProperty("rank");
    // quantize is optional: the empty choice sends nothing.
    expect(configFromForm({ ...valid, quantize: "" }).config).not.toHaveProperty("quantize");
    expect(fieldError("quantize", "q2_k")).toBe("Also write quantized (optional) has a value Polytune cannot use.");
  });

  it("marks the preset whose settings the form has", () => {
    expect(activePreset(valid)).toBeNull();
    expect(activePreset({ ...valid, ...presetValues("kew") })).toBe("kew");
    expect(activePreset({ ...valid, ...presetValues("chirkova") })).toBe("chirkova");
    expect(activePreset({ ...valid, ...presetValues("chirkova"), lr: "0.0002" })).toBeNull();
  });
});
