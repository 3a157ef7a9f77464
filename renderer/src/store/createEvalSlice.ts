import type { StateCreator } from "zustand";
import type { EventPayload, PolytuneErrorShape } from "../../../electron/shared/contract.js";
import type { EvalItem, EvalJob, EvalSuiteName, EvalSystem } from "../../../electron/shared/evalContract.js";
import { toErrorShape } from "../../../electron/shared/PolytuneError.js";
import type { ApiClient } from "../api/createApiClient.js";
import { applyEvalProgress, evalRequest, freshEvalDraft, type EvalDraft } from "../views/evaluate/evalDraft.js";
import { evalLiveOf, type EvalLive } from "../views/evaluate/evalLive.js";
import type { AppState } from "./AppState.js";

/** How often a running job's open items page is read again as outputs arrive. */
const itemsRefreshMs = 3000;

/** Items per page of the drill-down. */
export const evalItemsPage = 25;

export interface EvalItemFilters {
  suite: EvalSuiteName | "";
  language: string;
  system: EvalSystem | "";
  changed: boolean;
  offset: number;
}

export interface EvalItemsPage {
  job: string;
  filters: EvalItemFilters;
  items: EvalItem[];
  total: number;
}

/** The item open in the drill-down: every output of it (each system, each seed). */
export interface OpenEvalItem {
  job: string;
  suite: EvalSuiteName;
  id: string;
  outputs: EvalItem[];
}

export type { EvalLive };

export interface EvalSlice {
  evalJobs: EvalJob[];
  evalJobsLoaded: boolean;
  evalJobsError: PolytuneErrorShape | null;
  evalDraft: EvalDraft;
  evalStarting: boolean;
  evalStartError: PolytuneErrorShape | null;
  /** The job the last start made, announced next to the button. */
  evalStarted: EvalJob | null;
  /** ETA and rate of running jobs (verdicts while judging), from the engine's progress events. */
  evalLive: Record<string, EvalLive>;
  selectedEvalId: string | null;
  /** The last failed cancel, resume or remove, shown next to the job's buttons. */
  evalActionError: { job: string; error: PolytuneErrorShape } | null;
  evalItemFilters: EvalItemFilters;
  evalItems: EvalItemsPage | null;
  evalItemsError: PolytuneErrorShape | null;
  openEvalItem: OpenEvalItem | null;
  setEvalDraft(patch: Partial<EvalDraft>): void;
  loadEvalJobs(): Promise<void>;
  startEval(): Promise<void>;
  cancelEval(job: string): Promise<void>;
  resumeEval(job: string): Promise<void>;
  removeEval(job: string): Promise<void>;
  selectEval(job: string | null): Promise<void>;
  setEvalItemFilters(patch: Partial<EvalItemFilters>): Promise<void>;
  openItem(suite: EvalSuiteName, id: string): Promise<void>;
  closeItem(): void;
  evalProgressed(progress: EventPayload<"eval.progress">): void;
  evalChanged(change: EventPayload<"eval.changed">): Promise<void>;
}

const freshFilters = (): EvalItemFilters => ({ suite: "", language: "", system: "", changed: false, offset: 0 });

/** The evaluation jobs: the form, the jobs with live progress, a job's results and its items. */
export const createEvalSlice =
  (api: ApiClient): StateCreator<AppState, [], [], EvalSlice> =>
  (set, get) => {
    let itemsToken = 0;
    let itemToken = 0;
    let itemsLoadedAt = 0;

    const replaceJob = (job: EvalJob): void => {
      const known = get().evalJobs.some((j) => j.id === job.id);
      set({ evalJobs: known ? get().evalJobs.map((j) => (j.id === job.id ? job : j)) : [job, ...get().evalJobs] });
    };

    const loadItems = async (): Promise<void> => {
      const job = get().selectedEvalId;
      if (!job) return;
      const token = ++itemsToken;
      itemsLoadedAt = Date.now();
      const filters = get().evalItemFilters;
      try {
        const page = await api.call("eval.items", {
          job,
          ...(filters.suite ? { suite: filters.suite } : {}),
          ...(filters.language ? { language: filters.language } : {}),
          ...(filters.system ? { system: filters.system } : {}),
          changed: filters.changed,
          offset: filters.offset,
          limit: evalItemsPage,
        });
        if (token === itemsToken) set({ evalItems: { job, filters, items: page.items, total: page.total }, evalItemsError: null });
      } catch (error) {
        if (token === itemsToken) set({ evalItemsError: toErrorShape(error) });
      }
    };

    const action = async (job: string, call: "eval.cancel" | "eval.resume"): Promise<void> => {
      set({ evalActionError: null });
      try {
        replaceJob(await api.call(call, { job }));
        if (get().selectedEvalId === job) await loadItems();
      } catch (error) {
        set({ evalActionError: { job, error: toErrorShape(error) } });
      }
    };

    return {
      evalJobs: [],
      evalJobsLoaded: false,
      evalJobsError: null,
      evalDraft: freshEvalDraft(),
      evalStarting: false,
      evalStartError: null,
      evalStarted: null,
      evalLive: {},
      selectedEvalId: null,
      evalActionError: null,
      evalItemFilters: freshFilters(),
      evalItems: null,
      evalItemsError: null,
      openEvalItem: null,

      setEvalDraft(patch) {
        set({ evalDraft: { ...get().evalDraft, ...patch }, evalStarted: null });
      },

      async loadEvalJobs() {
        try {
          const evalJobs = await api.call("eval.list", {});
          set({ evalJobs, evalJobsLoaded: true, evalJobsError: null });
          const selected = get().selectedEvalId;
          if (selected && !evalJobs.some((j) => j.id === selected)) set({ selectedEvalId: null, evalItems: null, openEvalItem: null });
        } catch (error) {
          set({ evalJobsError: toErrorShape(error), evalJobsLoaded: true });
        }
      },

      async startEval() {
        if (get().evalStarting) return;
        const { request } = evalRequest(get().evalDraft);
        if (!request) return;
        set({ evalStarting: true, evalStartError: null, evalStarted: null });
        try {
          const job = await api.call("eval.start", request);
          replaceJob(job);
          set({ evalStarted: job });
          await get().selectEval(job.id);
        } catch (error) {
          set({ evalStartError: toErrorShape(error) });
        } finally {
          set({ evalStarting: false });
        }
      },

      cancelEval: (job) => action(job, "eval.cancel"),
      resumeEval: (job) => action(job, "eval.resume"),

      async removeEval(job) {
        set({ evalActionError: null });
        try {
          await api.call("eval.remove", { job });
          set({ evalJobs: get().evalJobs.filter((j) => j.id !== job) });
          if (get().selectedEvalId === job) set({ selectedEvalId: null, evalItems: null, openEvalItem: null });
        } catch (error) {
          set({ evalActionError: { job, error: toErrorShape(error) } });
        }
      },

      async selectEval(job) {
        itemToken++;
        set({ selectedEvalId: job, evalItems: null, evalItemsError: null, openEvalItem: null, evalItemFilters: freshFilters() });
        await loadItems();
      },

      async setEvalItemFilters(patch) {
        // A new filter starts from the first page; paging keeps the filters.
        const offset = patch.offset ?? 0;
        set({ evalItemFilters: { ...get().evalItemFilters, ...patch, offset } });
        await loadItems();
      },

      async openItem(suite, id) {
        const job = get().selectedEvalId;
        if (!job) return;
        const token = ++itemToken;
        try {
          // Every output of the item (each system and seed: at most 2 × 10 rows), picked out by the engine.
          const { items } = await api.call("eval.items", { job, suite, item: id, changed: false, offset: 0, limit: 500 });
          if (token !== itemToken) return;
          const outputs: EvalItem[] = [...items];
          outputs.sort((a, b) => (a.system === b.system ? (a.seed ?? -1) - (b.seed ?? -1) : a.system === "tuned" ? -1 : 1));
          set({ openEvalItem: { job, suite, id, outputs }, evalItemsError: null });
        } catch (error) {
          if (token === itemToken) set({ evalItemsError: toErrorShape(error) });
        }
      },

      closeItem() {
        itemToken++;
        set({ openEvalItem: null });
      },

      evalProgressed(p) {
        set({ evalJobs: applyEvalProgress(get().evalJobs, p), evalLive: { ...get().evalLive, [p.job]: evalLiveOf(p) } });
        // The open job's items fill in as they are decoded, read again at most every few seconds.
        if (get().selectedEvalId === p.job && Date.now() - itemsLoadedAt > itemsRefreshMs) void loadItems();
      },

      async evalChanged({ job, status }) {
        if (status !== "running") {
          const { [job]: _gone, ...rest } = get().evalLive;
          set({ evalLive: rest });
        }
        await get().loadEvalJobs();
        // The open job's results and items are read again when it stops (its scores are then written).
        if (get().selectedEvalId === job) await loadItems();
      },
    };
  };
