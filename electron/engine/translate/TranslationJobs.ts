import type { Server } from "node:net";
import type { EventPayload, Model } from "../../shared/contract.js";
import type { ExampleRow, TurnShape } from "../../shared/datasetContract.js";
import type { MixRecipe } from "../../shared/mixContract.js";
import { PolytuneError, toErrorShape } from "../../shared/PolytuneError.js";
import type { TranslateStartParsed, TranslationFlag, TranslationJob, TranslationJobStatus } from "../../shared/translateContract.js";
import { normaliseLanguage, sameLanguage } from "../data/languageCodes.js";
import type { DatasetStore, NewExample } from "../datasets/DatasetStore.js";
import { loadLanguageIdentifier, type LanguageIdentifier } from "../langid/loadLanguageIdentifier.js";
import { buildMix } from "../mixes/buildMix.js";
import { restoreConversation, toPlaceholderText } from "./conversationPlaceholders.js";
import { holdJobLiveness, jobLivenessPath, probeJobLiveness } from "./jobLiveness.js";
import { TranslationDecoder } from "./TranslationDecoder.js";
import { fillTemplate, languageName, promptRecord, templateHash, translationTemplates } from "./translationPrompt.js";
import { TranslationStore, type ItemResult, type PendingItem } from "./TranslationStore.js";

/** A stored mix as the job reads it (mixes.get gives it). */
export interface MixSourceInput {
  id: string;
  name: string;
  fingerprint: string;
  recipe: MixRecipe;
}

export type EmitTranslateEvent = <E extends "translate.progress" | "translate.changed">(name: E, payload: EventPayload<E>) => void;

interface ActiveJob {
  controller: AbortController;
  /** Why the loop was stopped: a user's cancel, or the engine closing (the job is then only interrupted). */
  stopAs: "cancelled" | "interrupted";
  done: Promise<void>;
}

// Items fetched from the dataset store at a time: enough to keep the decoder busy, little memory.
const fetchChunk = 200;
// Output tokens allowed beyond `maxTokensFactor` × source tokens (short sources, a closing phrase).
const extraTokens = 32;

/**
 * Offline translation jobs (paper 003 §5.1). A job runs inside this engine's process: its items are
 * decoded one at a time and each result is written the moment it exists, so a kill or a cancel loses at
 * most the item in flight, and a resume decodes only the items without a result. When the last item is
 * done, the kept translations become a new dataset of provenance "machine-translated".
 */
export class TranslationJobs {
  readonly store: TranslationStore;
  private readonly active = new Map<string, ActiveJob>();

  constructor(
    db: ConstructorParameters<typeof TranslationStore>[0],
    private readonly datasets: DatasetStore,
    private readonly databasePath: string,
    private readonly emit: EmitTranslateEvent,
  ) {
    this.store = new TranslationStore(db, (t) => translationTemplates[t].label);
  }

  /** Creates the job and its items and starts translating; returns at once with the job. */
  async start(input: TranslateStartParsed, model: Model, mix?: MixSourceInput): Promise<TranslationJob> {
    const from = this.language(input.from, "from");
    const languages = [...new Set(input.languages.map((l, i) => this.language(l, `languages[${i}]`)))];
    const same = languages.find((l) => l === from);
    if (same) throw new PolytuneError("translate-same-language", `The examples are already in ${languageName(same)} (${same}); a target language must differ from the source language.`, { where: "languages", hint: `Leave ${same} out of --to.` });
    if (!model.fingerprint) throw new PolytuneError("model-unusable", "This model has no fingerprint, so its translations could not name it.", { where: model.path, hint: "Recheck the model (`polytune models list`) and try again." });

    const source = mix ? this.mixSource(mix, from) : this.datasetSource(input.dataset!, from);
    if (source.exampleIds.length === 0) {
      throw new PolytuneError("translate-nothing", `${source.label} has no examples identified as ${languageName(from) ?? from} (${from}).`, {
        where: source.where,
        hint: source.languages.length ? `Its languages: ${source.languages.join(", ")}. Choose the source language with --from.` : "Import data into it first.",
      });
    }
    const ids = input.limit !== undefined ? source.exampleIds.slice(0, input.limit) : source.exampleIds;
    const template = translationTemplates[input.template];
    const format = input.format === "auto" ? (model.hasChatTemplate ? "chat" : "completion") : input.format;
    const id = this.store.create({
      source: { kind: source.kind, id: source.id, name: source.name, fingerprint: source.fingerprint },
      from,
      languages,
      limit: input.limit ?? null,
      model: { id: model.id, name: model.name, path: model.path, fingerprint: model.fingerprint },
      template: template.id,
      promptHash: templateHash(template),
      format,
      maxTokensFactor: input.maxTokensFactor,
      contextSize: input.contextSize,
      gpu: input.gpu,
      threads: input.threads ?? null,
      outputName: input.name ?? `${source.name} → ${languages.join(", ")} (machine-translated)`,
      // Language by language: consecutive prompts then share their instruction prefix in the KV cache.
      items: languages.flatMap((language) => ids.map((sourceExample) => ({ sourceExample, language }))),
    });
    await this.launch(id);
    return this.store.get(id);
  }

  /** Continues a cancelled, interrupted or failed job with the items that have no result yet. */
  async resume(id: string, model: Model): Promise<TranslationJob> {
    const job = await this.get(id);
    if (job.status === "completed") throw new PolytuneError("translation-finished", `Translation job ${id} is complete; there is nothing to resume.`, { where: `job ${id}`, hint: job.outputDataset ? `Its output is dataset ${job.outputDataset}.` : undefined });
    if (job.status === "running") throw new PolytuneError("translation-running", `Translation job ${id} is running${this.active.has(id) ? "" : " in another Polytune process"}.`, { where: `job ${id}`, hint: "Wait for it, or cancel it first." });
    if (model.fingerprint !== job.model.fingerprint) {
      throw new PolytuneError("translation-model-changed", `The model of translation job ${id} (${job.model.name}) has changed since the job began, so its outputs would mix two models.`, {
        where: model.path,
        hint: "Start a new job with the model as it is now.",
      });
    }
    if (job.source.kind === "dataset" && this.datasets.get(job.source.id).fingerprint !== job.source.fingerprint) {
      throw new PolytuneError("translation-source-changed", `Dataset ${job.source.id} has changed since translation job ${id} began.`, { where: `dataset ${job.source.id}`, hint: "Start a new job on the dataset as it is now." });
    }
    this.store.setStatus(id, "running");
    await this.launch(id);
    return this.store.get(id);
  }

  /** Stops a job after the item in flight (whose result is lost); it can be resumed later. */
  async cancel(id: string): Promise<TranslationJob> {
    const active = this.active.get(id);
    if (active) {
      active.stopAs = "cancelled";
      active.controller.abort();
      await active.done;
      return this.store.get(id);
    }
    const job = await this.get(id);
    if (job.status === "running") throw new PolytuneError("translation-elsewhere", `Translation job ${id} is running in another Polytune process.`, { where: `job ${id}`, hint: "Cancel it where it runs (Ctrl+C in its terminal, or its Cancel button)." });
    if (job.status === "interrupted" || job.status === "failed") this.setStatus(id, "cancelled");
    return this.store.get(id);
  }

  async get(id: string): Promise<TranslationJob> {
    await this.reconcile(id);
    return this.store.get(id);
  }

  async list(): Promise<TranslationJob[]> {
    for (const id of this.store.runningIds()) await this.reconcile(id);
    return this.store.list();
  }

  /** Resolves when the job stops running in this process. */
  async waitFor(id: string): Promise<TranslationJob> {
    await this.active.get(id)?.done;
    return this.get(id);
  }

  /** The engine is closing: running jobs stop after their current item and read as interrupted. */
  async shutdown(): Promise<void> {
    for (const job of this.active.values()) {
      job.stopAs = "interrupted";
      job.controller.abort();
    }
    await Promise.allSettled([...this.active.values()].map((j) => j.done));
  }

  // ── internals ──────────────────────────────────────────────────────────────

  /** A job whose row says running but whose process is gone (killed, crashed) is interrupted. */
  private async reconcile(id: string): Promise<void> {
    if (this.active.has(id) || this.store.row(id).status !== "running") return;
    if (!(await probeJobLiveness(jobLivenessPath(this.databasePath, id)))) this.setStatus(id, "interrupted");
  }

  private setStatus(id: string, status: TranslationJobStatus, fields: Parameters<TranslationStore["setStatus"]>[2] = {}): void {
    this.store.setStatus(id, status, fields);
    this.emit("translate.changed", { job: id, status });
  }

  private language(code: string, field: string): string {
    const normal = normaliseLanguage(code);
    const name = normal === undefined ? undefined : languageName(normal);
    if (normal === undefined || name === undefined) throw new PolytuneError("translate-language-unknown", `"${code}" is not a language code Polytune knows.`, { where: field, hint: "Use ISO 639-1 codes such as es, de, fr, ru, zh, pt." });
    return normal;
  }

  private datasetSource(datasetId: string, from: string) {
    const dataset = this.datasets.get(datasetId);
    if (dataset.kind !== "instructions") throw new PolytuneError("translate-parallel", `Dataset "${dataset.name}" holds sentence pairs; only instruction data is translated.`, { where: `dataset ${dataset.id}`, hint: "Choose an instruction dataset." });
    const exampleIds = this.datasets
      .candidates(datasetId)
      .filter((c) => c.language === from)
      .map((c) => c.id);
    return { kind: "dataset" as const, id: dataset.id, name: dataset.name, fingerprint: dataset.fingerprint, exampleIds, label: `Dataset "${dataset.name}"`, where: `dataset ${dataset.id}`, languages: dataset.languages.map((l) => l.language) };
  }

  /** The mix's examples in the source language, in the mix's own order (its recipe, rebuilt). */
  private mixSource(mix: MixSourceInput, from: string) {
    const data = mix.recipe.sources.map((s) => {
      const dataset = this.datasets.get(s.dataset);
      const parallel = dataset.kind === "parallel";
      return { id: dataset.id, name: dataset.name, kind: dataset.kind, fingerprint: dataset.fingerprint, candidates: parallel ? [] : this.datasets.candidates(dataset.id), pairs: parallel ? this.datasets.pairs(dataset.id) : [] };
    });
    const plan = buildMix(mix.recipe, data);
    const exampleIds = plan.items.flatMap((item) => (item.kind === "example" && item.language === from ? [item.id] : []));
    return { kind: "mix" as const, id: mix.id, name: mix.name, fingerprint: mix.fingerprint, exampleIds, label: `Mix "${mix.name}"`, where: `mix ${mix.id}`, languages: plan.counts.languages.map((l) => l.language) };
  }

  /** Holds the job's liveness socket and runs its loop in the background. */
  private async launch(id: string): Promise<void> {
    const path = jobLivenessPath(this.databasePath, id);
    if (await probeJobLiveness(path)) throw new PolytuneError("translation-running", `Translation job ${id} is running in another Polytune process.`, { where: `job ${id}` });
    const liveness = await holdJobLiveness(path);
    const controller = new AbortController();
    const active: ActiveJob = { controller, stopAs: "cancelled", done: Promise.resolve() };
    active.done = this.run(id, controller.signal, liveness, active);
    this.active.set(id, active);
    this.emit("translate.changed", { job: id, status: "running" });
  }

  private async run(id: string, signal: AbortSignal, liveness: Server, active: ActiveJob): Promise<void> {
    let decoder: TranslationDecoder | null = null;
    try {
      // Let start() return the job before the model loads.
      await new Promise((r) => setImmediate(r));
      const row = this.store.row(id);
      decoder = await TranslationDecoder.open({ modelPath: row.model_path, gpu: row.gpu, contextSize: row.context_size, format: row.format, ...(row.threads !== null ? { threads: row.threads } : {}) });
      const identifier = await loadLanguageIdentifier();
      const template = translationTemplates[row.template];
      const pending = this.store.pending(id);
      const job = this.store.get(id);
      let done = job.done;
      let flagged = job.flagged;
      let sessionSeconds = 0;
      let sessionDone = 0;
      for (let i = 0; i < pending.length && !signal.aborted; i += fetchChunk) {
        const chunk = pending.slice(i, i + fetchChunk);
        const sources = this.datasets.examplesByIds(chunk.map((p) => p.sourceExample));
        for (const [k, item] of chunk.entries()) {
          if (signal.aborted) break;
          const result = await translateItem(decoder, identifier, template, row.max_tokens_factor, item, sources[k]!, signal);
          if (result === null) break; // cancelled mid-item: that item stays pending
          this.store.recordItem(id, item.ordinal, result);
          done++;
          if (!result.kept) flagged++;
          sessionSeconds += result.seconds;
          sessionDone++;
          const remaining = job.total - done;
          this.emit("translate.progress", { job: id, done, total: job.total, flagged, etaSeconds: sessionDone > 0 ? (remaining * sessionSeconds) / sessionDone : null, last: { ordinal: item.ordinal, language: item.language, kept: result.kept } });
        }
      }
      if (signal.aborted) this.setStatus(id, active.stopAs);
      else this.finish(id);
    } catch (error) {
      this.setStatus(id, "failed", { error: toErrorShape(error) });
    } finally {
      this.active.delete(id);
      await decoder?.dispose().catch(() => undefined);
      await new Promise<void>((r) => liveness.close(() => r()));
    }
  }

  /** The kept translations as a new dataset; the flagged ones are its error report. */
  private finish(id: string): void {
    const row = this.store.row(id);
    const job = this.store.get(id);
    const kept = this.store.keptItems(id);
    if (kept.length === 0) {
      this.setStatus(id, "completed");
      return;
    }
    const template = translationTemplates[row.template];
    const prompt = promptRecord(template);
    const flaggedItems = this.store.items(id, { status: "flagged", offset: 0, limit: 200 }).items;
    const datasetId = this.datasets.beginDataset({
      name: row.output_name,
      kind: "instructions",
      format: "translation",
      files: [],
      encoding: "utf-8",
      notes: [
        `Machine-translated from ${job.source.kind} "${job.source.name}" (${job.from}) into ${job.languages.join(", ")} by ${job.model.name} with the prompt of ${template.label} (${prompt}); translation job ${id}.`,
        ...(job.flagged > 0 ? [`${job.flagged} of ${job.total} outputs were flagged and left out (${Object.entries(job.flagCounts).map(([c, n]) => `${c} ${n}`).join(", ")}); the error report lists them.`] : []),
      ],
    });
    try {
      for (let i = 0; i < kept.length; i += 1000) {
        const chunk = kept.slice(i, i + 1000);
        const sources = this.sourceRows(chunk.map((k) => k.sourceExample));
        this.datasets.insertExamples(
          datasetId,
          chunk.map((k): NewExample => {
            const src = sources.get(k.sourceExample);
            return {
              turns: k.turns,
              language: k.language,
              confidence: k.confidence,
              claimedLanguage: k.language,
              provenance: "machine-translated",
              category: src?.category ?? null,
              file: src?.file ?? `translation job ${id}`,
              line: src?.line ?? k.ordinal,
              recordId: `${id}#${k.ordinal}`,
              translation: { model: job.model.name, modelFingerprint: job.model.fingerprint, prompt, fromExample: k.sourceExample },
            };
          }),
        );
      }
      this.datasets.finishDataset(datasetId, {
        skipped: job.flagged,
        errors: flaggedItems.map((f) => ({ file: `translation job ${id}`, line: f.ordinal, reason: `${f.language}: ${f.flags.map((x) => x.message).join(" ")}` })),
        errorCount: job.flagged,
      });
    } catch (error) {
      this.datasets.discardDataset(datasetId);
      throw error;
    }
    this.setStatus(id, "completed", { outputDataset: datasetId });
  }

  /** Source rows by id; a source removed since is simply absent (the translation keeps its id). */
  private sourceRows(ids: number[]): Map<number, ExampleRow> {
    const rows = new Map<number, ExampleRow>();
    for (const id of ids) {
      try {
        rows.set(id, this.datasets.examplesByIds([id])[0]!);
      } catch {
        // Removed with its dataset: the output still records which example it came from.
      }
    }
    return rows;
  }
}

/** Translates one item; null when it was cancelled before its result was complete. */
export async function translateItem(
  decoder: TranslationDecoder,
  identifier: LanguageIdentifier,
  template: (typeof translationTemplates)[keyof typeof translationTemplates],
  maxTokensFactor: number,
  item: PendingItem,
  source: ExampleRow,
  signal?: AbortSignal,
): Promise<ItemResult | null> {
  const text = toPlaceholderText(source.turns);
  const sourceTokens = decoder.countTokens(text.text);
  const maxTokens = Math.ceil(maxTokensFactor * sourceTokens) + extraTokens;
  const prompt = fillTemplate(template, languageName(item.language) ?? item.language, text.text);
  const decoded = await decoder.decode(prompt, maxTokens, Math.min(maxTokens, sourceTokens + extraTokens), signal);
  if (decoded.stopReason === "cancelled") return null;
  if (decoded.stopReason === "too-long") {
    const flags: TranslationFlag[] = [{ code: "too-long", message: `The prompt takes ${decoded.promptTokens} of the context's ${decoder.contextSize} tokens, leaving too little room for a translation of ${sourceTokens} tokens.` }];
    return { kept: false, flags, raw: "", turns: null, identifiedLanguage: null, confidence: null, tokens: 0, seconds: decoded.seconds };
  }
  return judgeTranslation(decoded.text, text, item.language, identifier, { truncatedAt: decoded.stopReason === "maxTokens" ? decoded.tokens : null, tokens: decoded.tokens, seconds: decoded.seconds });
}

/**
 * Whether a model's output is kept: its placeholders came back exactly, it did not run into the token
 * bound, and its language is identified as the target. Every reason that applies is recorded.
 */
export function judgeTranslation(
  output: string,
  source: ReturnType<typeof toPlaceholderText>,
  target: string,
  identifier: LanguageIdentifier,
  decoding: { truncatedAt: number | null; tokens: number; seconds: number },
): ItemResult {
  const restored = restoreConversation(output, source);
  const flags = [...restored.flags];
  if (decoding.truncatedAt !== null) flags.push({ code: "truncated", message: `The output reached the bound of ${decoding.truncatedAt} tokens before the model ended it.` });
  const guess = identifier.identify(restored.plainText);
  if (!sameLanguage(guess.language, target)) {
    flags.push({ code: "wrong-language", message: `The output is identified as ${guess.language} (confidence ${guess.confidence.toFixed(2)}), not ${target}.` });
  }
  const turns: TurnShape[] | null = restored.turns;
  return { kept: flags.length === 0 && turns !== null, flags, raw: output, turns, identifiedLanguage: guess.language, confidence: guess.confidence, tokens: decoding.tokens, seconds: decoding.seconds };
}
