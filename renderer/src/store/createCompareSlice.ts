import type { StateCreator } from "zustand";
import type { CallOutput, PolytuneErrorShape } from "../../../electron/shared/contract.js";
import type { CompareRunsResult } from "../../../electron/shared/compareContract.js";
import type { EvalSuiteName } from "../../../electron/shared/evalContract.js";
import type { Experiment } from "../../../electron/shared/experimentContract.js";
import { toErrorShape } from "../../../electron/shared/PolytuneError.js";
import type { ApiClient } from "../api/createApiClient.js";
import type { ComparePickerFilter } from "../views/compare/comparableRuns.js";
import type { AppState } from "./AppState.js";

/** Items per page of the side-by-side item view. */
export const compareItemsPage = 20;
/** compare.items takes at most this many runs side by side. */
export const compareItemsMaxRuns = 20;

export type CompareItem = CallOutput<"compare.items">["items"][number];

/** What the figures and the table show of the result; changing it redraws without a call. */
export interface CompareView {
  suite: EvalSuiteName | "";
  metric: string;
  /** Only these languages (all when empty). */
  languages: string[];
}

export interface CompareItemFilters {
  language: string;
  changed: "" | "language" | "score";
  offset: number;
}

export interface CompareItemsPage {
  /** The request this page answers (runs, suite, metric and filters), so a stale page is never shown as current. */
  key: string;
  runs: string[];
  items: CompareItem[];
  total: number;
}

export interface CompareSlice {
  /** The runs compared, in the order they are drawn. */
  compareRunIds: string[];
  /** The run the others are tested against; the first selected when null. */
  compareReference: string | null;
  compareView: CompareView;
  comparePicker: ComparePickerFilter;
  /** Experiments, for the picker's filter (empty where the engine has none). */
  compareExperiments: Experiment[];
  compareResult: CompareRunsResult | null;
  compareLoading: boolean;
  compareError: PolytuneErrorShape | null;
  compareItemFilters: CompareItemFilters;
  compareItems: CompareItemsPage | null;
  compareItemsError: PolytuneErrorShape | null;
  /** Opens Compare with these runs selected and compared (Experiments' "Compare" link). */
  openCompare(runIds: string[]): Promise<void>;
  setCompareRuns(runIds: string[]): void;
  setCompareReference(run: string | null): Promise<void>;
  setCompareView(patch: Partial<CompareView>): Promise<void>;
  setComparePicker(patch: Partial<ComparePickerFilter>): void;
  loadCompareExperiments(): Promise<void>;
  runCompare(): Promise<void>;
  setCompareItemFilters(patch: Partial<CompareItemFilters>): Promise<void>;
}

const freshItemFilters = (): CompareItemFilters => ({ language: "", changed: "", offset: 0 });

/** Compare: a set of evaluated runs, compare.runs' one result drawn as figures and tables, and the items side by side. */
export const createCompareSlice =
  (api: ApiClient): StateCreator<AppState, [], [], CompareSlice> =>
  (set, get) => {
    let compareToken = 0;
    let itemsToken = 0;

    const itemsRequest = () => {
      const { compareResult, compareView, compareItemFilters: f } = get();
      if (!compareResult || !compareView.suite) return null;
      const runs = compareResult.runs.slice(0, compareItemsMaxRuns).map((r) => r.id);
      if (runs.length < 2) return null;
      return {
        runs,
        suite: compareView.suite,
        ...(f.language ? { language: f.language } : {}),
        ...(f.changed ? { changed: f.changed } : {}),
        ...(f.changed === "score" && compareView.metric ? { metric: compareView.metric } : {}),
        offset: f.offset,
        limit: compareItemsPage,
      };
    };

    const loadItems = async (): Promise<void> => {
      const request = itemsRequest();
      const token = ++itemsToken;
      if (!request) {
        set({ compareItems: null, compareItemsError: null });
        return;
      }
      const key = JSON.stringify(request);
      try {
        const page = await api.call("compare.items", request);
        if (token === itemsToken) set({ compareItems: { key, runs: request.runs, items: page.items, total: page.total }, compareItemsError: null });
      } catch (error) {
        if (token === itemsToken) set({ compareItemsError: toErrorShape(error) });
      }
    };

    /** Keeps the suite and metric when the new result has them, else the first it has. */
    const fitView = (result: CompareRunsResult): CompareView => {
      const view = get().compareView;
      const suites = [...new Set(result.cells.map((c) => c.suite))];
      const suite = view.suite && suites.includes(view.suite) ? view.suite : (suites[0] ?? "");
      const metrics = [...new Set(result.cells.filter((c) => c.suite === suite).map((c) => c.metric))];
      const metric = metrics.includes(view.metric) ? view.metric : (metrics.find((m) => m === "language_correctness") ?? metrics[0] ?? "");
      const known = new Set(result.languages.map((l) => l.language));
      return { suite, metric, languages: view.languages.filter((l) => known.has(l)) };
    };

    return {
      compareRunIds: [],
      compareReference: null,
      compareView: { suite: "", metric: "", languages: [] },
      comparePicker: { experiment: "", mix: "", method: "" },
      compareExperiments: [],
      compareResult: null,
      compareLoading: false,
      compareError: null,
      compareItemFilters: freshItemFilters(),
      compareItems: null,
      compareItemsError: null,

      async openCompare(runIds) {
        set({ compareRunIds: [...new Set(runIds)], compareReference: null, compareResult: null, compareError: null });
        get().navigate("compare");
        if (runIds.length) await get().runCompare();
      },

      setCompareRuns(runIds) {
        const reference = get().compareReference;
        set({ compareRunIds: runIds, compareReference: reference && runIds.includes(reference) ? reference : null });
      },

      async setCompareReference(run) {
        set({ compareReference: run });
        if (get().compareResult) await get().runCompare();
      },

      async setCompareView(patch) {
        const before = get().compareView;
        const view = { ...before, ...patch };
        // The item view follows the suite (and the metric when filtering on score changes).
        const itemsFollow = view.suite !== before.suite || (view.metric !== before.metric && get().compareItemFilters.changed === "score");
        set({ compareView: view, ...(itemsFollow ? { compareItemFilters: { ...get().compareItemFilters, offset: 0 } } : {}) });
        if (itemsFollow) await loadItems();
      },

      setComparePicker(patch) {
        set({ comparePicker: { ...get().comparePicker, ...patch } });
      },

      async loadCompareExperiments() {
        try {
          set({ compareExperiments: await api.call("experiments.list", {}) });
        } catch {
          // Experiments only add a filter; without them every evaluated run is still listed.
          set({ compareExperiments: [] });
        }
      },

      async runCompare() {
        const runs = get().compareRunIds;
        if (!runs.length) return;
        const reference = get().compareReference;
        const token = ++compareToken;
        set({ compareLoading: true, compareError: null });
        try {
          const result = await api.call("compare.runs", { runs, ...(reference ? { reference } : {}) });
          if (token !== compareToken) return;
          set({ compareResult: result, compareView: fitView(result), compareItemFilters: freshItemFilters() });
          await loadItems();
        } catch (error) {
          if (token === compareToken) set({ compareError: toErrorShape(error) });
        } finally {
          if (token === compareToken) set({ compareLoading: false });
        }
      },

      async setCompareItemFilters(patch) {
        // A new filter starts from the first page; paging keeps the filters.
        set({ compareItemFilters: { ...get().compareItemFilters, ...patch, offset: patch.offset ?? 0 } });
        await loadItems();
      },
    };
  };
