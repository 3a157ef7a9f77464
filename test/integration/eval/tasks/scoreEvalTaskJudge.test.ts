// scoreEvalTask with real metric code and a real local judge: each judge verdict stored under its own
// key in a JudgeStore as soon as it exists (a second scoring with every verdict stored never opens the
// judge; a cancelled one keeps what it judged), and the modifier suite's rule checks with the same judge
// session filling in only the modifiers no rule can check.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyModel } from "../../../../electron/engine/models/writeTinyModel.js";
import { modifierPromptHash } from "../../../../electron/engine/eval/judge/judgePrompts.js";
import type { EvalTask, EvalTaskItem, JudgeStore } from "../../../../electron/engine/eval/tasks/EvalTask.js";
import { scoreEvalTask } from "../../../../electron/engine/eval/tasks/scoreEvalTask.js";
import { makeTempDir } from "../../../support/tempDir.js";

const tmp = makeTempDir("polytune-task-judge-");
const modelPath = join(tmp.dir, "tiny-judge.gguf");
beforeAll(async () => {
  await writeTinyModel({ out: modelPath, layers: 1, embd: 32, heads: 4, headsKv: 2, seed: 11, contextLength: 2048 });
}, 120_000);
afterAll(() => tmp.cleanup());

type Stored = ReturnType<JudgeStore["get"]>;
function memoryStore(): JudgeStore & { map: Map<string, NonNullable<Stored>>; puts: number } {
  const map = new Map<string, NonNullable<Stored>>();
  const store = {
    map,
    puts: 0,
    get: (key: string) => map.get(key),
    put: (key: string, value: NonNullable<Stored>) => {
      store.puts++;
      map.set(key, JSON.parse(JSON.stringify(value)) as NonNullable<Stored>);
    },
  };
  return store;
}
const judge = (model: string) => ({ model, judgements: ["relevance", "helpfulness"] as const, gpu: "cpu" as const, contextSize: 2048, maxTokens: 48, threads: 1 });
const options = { resamples: 20, seed: 1 };

describe("scoring with a judge", () => {
  it("open: each verdict stored under its own key; a second scoring reads them back without opening the judge; a cancel keeps what was judged", async () => {
    const items: EvalTaskItem[] = [
      { id: "en:1", language: "en", prompt: "Name a fruit.", kind: "generate", reference: { source: "t:1" } },
      { id: "fr:1", language: "fr", prompt: "Nomme un fruit.", kind: "generate", reference: { source: "t:2" } },
    ];
    const task: EvalTask = { suite: "open", items, excluded: [], notes: [], greedy: false };
    const outputs = [
      { itemId: "en:1", seed: 1, text: "An apple is a sweet fruit that grows on trees." },
      { itemId: "en:1", seed: 2, text: "A banana is a long yellow fruit." },
      // French prompt answered in English: helpfulness forced to 1, not asked.
      { itemId: "fr:1", seed: 1, text: "An apple is a sweet fruit that grows on trees." },
    ];
    const store = memoryStore();
    const progress: Array<[number, number]> = [];
    const first = await scoreEvalTask(task, outputs, { ...options, judge: { ...judge(modelPath), judgements: [...judge(modelPath).judgements] }, judgeStore: store, onJudged: (d, t) => progress.push([d, t]) });
    // One key per judgement of each output; the French response in English is never asked for helpfulness.
    expect([...store.map.keys()].sort()).toEqual(["en:1\u00001\u0000helpfulness", "en:1\u00001\u0000relevance", "en:1\u00002\u0000helpfulness", "en:1\u00002\u0000relevance", "fr:1\u00001\u0000relevance"]);
    expect(store.puts).toBe(5);
    expect(progress).toEqual([[0, 5], [1, 5], [2, 5], [3, 5], [4, 5], [5, 5]]);
    const fr = first.items.find((i) => i.id === "fr:1")!;
    expect(fr.scores.language_correctness).toBe(0);
    expect(fr.scores.helpfulness).toBe(1);
    for (const item of first.items) {
      const relevance = item.scores.relevance ?? null;
      expect(relevance === null || (relevance >= 0 && relevance <= 1)).toBe(true);
      expect(item.detail!.seeds).toHaveLength(item.id === "en:1" ? 2 : 1);
    }
    // Every verdict is stored: the judge is never opened (its file does not even exist).
    const second = await scoreEvalTask(task, outputs, { ...options, judge: { ...judge(join(tmp.dir, "absent.gguf")), judgements: [...judge(modelPath).judgements] }, judgeStore: store });
    expect(store.puts).toBe(5);
    expect(second.items.map((i) => i.scores)).toEqual(first.items.map((i) => i.scores));

    // Cancelled after two verdicts: an AbortError, the two verdicts stored; resuming asks only for the rest.
    const partial = memoryStore();
    const controller = new AbortController();
    const cancelled = await scoreEvalTask(task, outputs, {
      ...options,
      judge: { ...judge(modelPath), judgements: [...judge(modelPath).judgements] },
      judgeStore: partial,
      signal: controller.signal,
      onJudged: (d) => {
        if (d === 2) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(cancelled).toBeInstanceOf(Error);
    expect((cancelled as Error).name).toBe("AbortError");
    expect(partial.puts).toBe(2);
    const resumedProgress: Array<[number, number]> = [];
    const resumed = await scoreEvalTask(task, outputs, { ...options, judge: { ...judge(modelPath), judgements: [...judge(modelPath).judgements] }, judgeStore: partial, onJudged: (d, t) => resumedProgress.push([d, t]) });
    expect(partial.puts).toBe(5);
    expect(resumedProgress[0]).toEqual([2, 5]);
    // Greedy first attempts: the same verdicts whether judged in one go or across a cancel.
    expect(resumed.items.map((i) => i.scores)).toEqual(first.items.map((i) => i.scores));

    // Already aborted with verdicts still to make: rejected before the judge is opened (its file does not exist).
    const aborted = await scoreEvalTask(task, outputs, { ...options, judge: { ...judge(join(tmp.dir, "absent.gguf")), judgements: [...judge(modelPath).judgements] }, judgeStore: memoryStore(), signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect((aborted as Error).name).toBe("AbortError");
  }, 300_000);

  it("modifiers: rules where they apply, the judge for the rest, missing without a judge", async () => {
    const mod = (id: string, modifier: string, prompt: string): EvalTaskItem => ({ id, language: "en", prompt, kind: "generate", reference: { source: id, modifier, expectedLanguage: modifier.startsWith("lang_") ? modifier.slice(5) : "en" } });
    const task: EvalTask = {
      suite: "modifiers",
      items: [
        mod("en:1", "short", "Explain chess. Answer briefly in just a few sentences."),
        mod("en:2", "cap_template", "Give steak tips. Capitalize each first letter in the answer."),
        mod("en:3", "num_items_2", "Name music from the 1920s. List 2 options."),
        mod("en:4", "lang_fr", "Explain chess. Answer in French language."),
      ],
      excluded: [],
      notes: [],
      greedy: false,
    };
    const outputs = [
      { itemId: "en:1", seed: null, text: "Chess is a board game for two players who move pieces to checkmate the king." },
      { itemId: "en:2", seed: null, text: "Season The Steak Well And Let It Rest." },
      { itemId: "en:3", seed: null, text: "1. Jazz\n2. Blues\n3. Swing" },
      { itemId: "en:4", seed: null, text: "Les échecs sont un jeu de société pour deux joueurs qui déplacent des pièces sur un plateau." },
    ];
    const plain = await scoreEvalTask(task, outputs, options);
    const fulfilment = (score: typeof plain) => score.items.map((i) => i.scores.modifier_fulfilment);
    expect(fulfilment(plain)).toEqual([null, 1, 0, 1]);
    // lang_fr: the surface metrics check the response against French.
    expect(plain.items[3]!.scores.language_correctness).toBe(1);
    expect(plain.items.map((i) => i.detail!.modifier)).toEqual(["short", "cap_template", "num_items_2", "lang_fr"]);
    expect(plain.aggregates.find((a) => a.metric === "modifier_fulfilment" && a.language === "en")).toMatchObject({ n: 3, mean: (100 * 2) / 3 });
    expect(plain.notes.join("\n")).toMatch(/modifier_fulfilment by modifier type \(all languages\): cap_template 100\.0 \(n=1\); lang_fr 100\.0 \(n=1\); num_items_2 0\.0 \(n=1\); short missing \(n=0\)/);

    const store = memoryStore();
    const judged = await scoreEvalTask(task, outputs, { ...options, judge: { ...judge(modelPath), judgements: ["helpfulness"] }, judgeStore: store });
    // The rules' verdicts stand; the judge decides "short" (0 or 1, or missing if unreadable twice).
    expect(fulfilment(judged).slice(1)).toEqual([1, 0, 1]);
    const short = judged.items[0]!.scores.modifier_fulfilment;
    expect(short === null || short === 0 || short === 1).toBe(true);
    // Helpfulness for every response, modifier fulfilment only for "short", each under its own key.
    expect([...store.map.keys()].sort()).toEqual(["en:1\u0000\u0000helpfulness", "en:1\u0000\u0000modifier", "en:2\u0000\u0000helpfulness", "en:3\u0000\u0000helpfulness", "en:4\u0000\u0000helpfulness"]);
    const verdict = store.map.get("en:1\u0000\u0000modifier")!.detail.verdict as { prompt: string; attempts: unknown[]; value: { fulfilled: number } | null };
    expect(verdict.prompt).toBe(modifierPromptHash());
    expect(verdict.attempts.length).toBeGreaterThanOrEqual(1);
    expect(short).toBe(verdict.value?.fulfilled ?? null);
    const judgeDetail = (i: number) => (judged.items[i]!.detail!.seeds as Array<{ detail: { judge: Record<string, unknown> } }>)[0]!.detail.judge;
    expect(judgeDetail(0).modifier).toEqual(verdict);
    expect(judgeDetail(1).modifier).toBeUndefined();
    for (const item of judged.items) {
      const h = item.scores.helpfulness ?? null;
      expect(h === null || (Number.isInteger(h) && h >= 1 && h <= 6)).toBe(true);
    }
  }, 300_000);
});
