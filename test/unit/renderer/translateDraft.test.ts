// The translation form against the contract: a draft becomes exactly the request translate.start
// accepts (parsed with the contract's own schema), a wrong field is named, and the engine's progress
// events move the jobs list the way the engine's own counts do.
import { describe, expect, it } from "vitest";
import { TranslateStartSchema, translationFlagCodes, type TranslationJob } from "../../../electron/shared/translateContract.js";
import { strings } from "../../../renderer/src/i18n/strings.js";
import { applyProgress, canResume, commonTargetLanguages, flagReasons, freshTranslateDraft, targetLanguages, translateRequest, type TranslateDraft } from "../../../renderer/src/views/data/translate/translateDraft.js";

const draft = (patch: Partial<TranslateDraft> = {}): TranslateDraft => ({ ...freshTranslateDraft(), source: { kind: "dataset", id: "ds1" }, model: "m1", languages: ["es", "de"], ...patch });

const job = (patch: Partial<TranslationJob> = {}): TranslationJob => ({
  id: "job1",
  status: "running",
  source: { kind: "dataset", id: "ds1", name: "trivia", fingerprint: "fp" },
  from: "en",
  languages: ["es", "de"],
  limit: 3,
  model: { id: "m1", name: "tiny", fingerprint: "f".repeat(64) },
  prompt: { template: "kew2024-fig10", hash: "abc", label: "kew2024-fig10@abc" },
  format: "completion",
  maxTokensFactor: 3,
  contextSize: 4096,
  gpu: "cpu",
  threads: 1,
  total: 6,
  done: 0,
  kept: 0,
  flagged: 0,
  perLanguage: [],
  flagCounts: {},
  outputDataset: null,
  outputName: "trivia (es, de)",
  error: null,
  createdAt: "2026-01-01T00:00:00.000Z",
  finishedAt: null,
  seconds: 0,
  ...patch,
});

describe("the translation form", () => {
  it("turns a filled draft into the request translate.start parses unchanged", () => {
    const { request, errors } = translateRequest(draft({ other: "sv, ko es", limit: " 3 ", threads: "1", name: " Trivia MT " }));
    expect(errors).toBeNull();
    expect(request).toEqual({ dataset: "ds1", model: "m1", languages: ["es", "de", "sv", "ko"], from: "en", limit: 3, threads: 1, name: "Trivia MT" });
    const parsed = TranslateStartSchema.parse(request);
    expect(parsed).toMatchObject({ dataset: "ds1", languages: ["es", "de", "sv", "ko"], limit: 3, threads: 1, template: "kew2024-fig10", format: "auto", maxTokensFactor: 3 });
  });

  it("sends a mix as a mix, and leaves optional knobs out when empty (the engine's defaults apply)", () => {
    const { request } = translateRequest(draft({ source: { kind: "mix", id: "mix7" } }));
    expect(request).toEqual({ mix: "mix7", model: "m1", languages: ["es", "de"], from: "en" });
    expect(TranslateStartSchema.safeParse(request).success).toBe(true);
  });

  it("names each wrong field with a sentence, and sends nothing", () => {
    const empty = translateRequest({ ...freshTranslateDraft() });
    expect(empty.request).toBeNull();
    expect(empty.errors).toEqual({ source: strings.translate.check.source, model: strings.translate.check.model, languages: strings.translate.check.languagesNone });
    expect(translateRequest(draft({ other: "Spanish" })).errors).toEqual({ languages: strings.translate.check.languageBad("Spanish") });
    expect(translateRequest(draft({ languages: ["en", "es"] })).errors).toEqual({ languages: strings.translate.check.languageIsSource("en") });
    expect(translateRequest(draft({ limit: "0" })).errors).toEqual({ limit: strings.translate.check.limit });
    expect(translateRequest(draft({ limit: "2.5" })).errors).toEqual({ limit: strings.translate.check.limit });
    expect(translateRequest(draft({ threads: "600" })).errors).toEqual({ threads: strings.translate.check.threads });
    expect(translateRequest(draft({ from: "English" })).errors).toEqual({ from: strings.translate.check.from });
  });

  it("lists target languages checked first, then typed, each once", () => {
    expect(targetLanguages({ languages: ["fr"], other: "de;fr  zh-Hant" })).toEqual(["fr", "de", "zh-Hant"]);
    // Every offered checkbox is a code the contract accepts.
    for (const code of commonTargetLanguages) expect(translateRequest(draft({ languages: [code] })).errors).toBeNull();
  });
});

describe("the jobs list", () => {
  it("moves done, flagged and kept of the job a progress event is about, and only that one", () => {
    const other = job({ id: "job2", done: 4, flagged: 1, kept: 3 });
    const after = applyProgress([job(), other], { job: "job1", done: 2, total: 6, flagged: 1, etaSeconds: 4, last: { ordinal: 1, language: "es", kept: true } });
    expect(after[0]).toMatchObject({ id: "job1", done: 2, flagged: 1, kept: 1, total: 6 });
    expect(after[1]).toBe(other);
  });

  it("offers resume for stopped jobs only", () => {
    expect(["running", "cancelled", "interrupted", "failed", "completed"].filter((status) => canResume(job({ status: status as TranslationJob["status"] })))).toEqual(["cancelled", "interrupted", "failed"]);
  });

  it("orders flag reasons by count and names each in plain words", () => {
    const reasons = flagReasons(job({ flagCounts: { truncated: 6, "wrong-language": 6, "placeholder-missing": 2, "empty-turn": 0 } }));
    expect(reasons).toEqual([
      { code: "truncated", count: 6 },
      { code: "wrong-language", count: 6 },
      { code: "placeholder-missing", count: 2 },
    ]);
    expect(reasons.map((r) => strings.translate.flagName(r.code))).toEqual(["stopped at its token bound", "not in the target language", "a role placeholder was lost"]);
    // Every reason the engine can give has words of its own, not its code.
    for (const code of translationFlagCodes) expect(strings.translate.flagName(code)).not.toBe(code);
  });
});
