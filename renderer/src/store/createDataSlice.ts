import type { StateCreator } from "zustand";
import type { Dataset, DatasetFormat, FieldMapping, ImportProgress, Inspection, Provenance, ShowResult } from "../../../electron/shared/datasetContract.js";
import type { PolytuneErrorShape } from "../../../electron/shared/contract.js";
import { toErrorShape } from "../../../electron/shared/PolytuneError.js";
import type { ApiClient } from "../api/createApiClient.js";
import { initialMapping, mappingToSend } from "../views/data/mappingDefaults.js";
import type { AppState } from "./AppState.js";

/** What the import wizard holds between its steps. */
export interface ImportDraft {
  /** One path per file; two for Moses (the source side first). */
  files: string[];
  format: DatasetFormat;
  mapping: FieldMapping;
  /** Whether the user changed the suggested mapping (then it is sent even when the format needs none). */
  mappingTouched: boolean;
  sourceLanguage: string;
  targetLanguage: string;
  /** A language the whole file claims; empty for none. */
  language: string;
  provenance: Provenance;
  name: string;
}

export interface ImportJob {
  importId: string;
  status: "running" | "cancelling" | "done" | "failed" | "cancelled";
  startedAt: number;
  progress: ImportProgress | null;
  result: Dataset | null;
  error: PolytuneErrorShape | null;
}

export interface DatasetQuery {
  search: string;
  language: string;
  provenance: Provenance | "";
  lowConfidence: boolean;
  mismatched: boolean;
  offset: number;
  limit: number;
}

export type DataTab = "datasets" | "mixes" | "translations";

export interface DataSlice {
  dataTab: DataTab;
  setDataTab(tab: DataTab): void;
  datasets: Dataset[];
  datasetsLoaded: boolean;
  datasetsError: PolytuneErrorShape | null;
  selectedDatasetId: string | null;
  datasetQuery: DatasetQuery;
  datasetPage: ShowResult | null;
  datasetPageLoading: boolean;
  datasetPageError: PolytuneErrorShape | null;
  datasetActionError: PolytuneErrorShape | null;
  loadDatasets(): Promise<void>;
  selectDataset(id: string | null): Promise<void>;
  setDatasetQuery(patch: Partial<DatasetQuery>): Promise<void>;
  removeDataset(id: string): Promise<void>;

  importDraft: ImportDraft;
  inspection: Inspection | null;
  inspecting: boolean;
  inspectError: PolytuneErrorShape | null;
  importJob: ImportJob | null;
  setImportDraft(patch: Partial<ImportDraft>): void;
  inspectImport(): Promise<void>;
  startImport(): Promise<void>;
  cancelImport(): Promise<void>;
  /** Back to the first step, the paths kept unless `clear`. */
  resetImport(clear?: boolean): void;
  /** A progress event for the running import. */
  importProgressed(progress: ImportProgress): void;
}

export const freshQuery = (): DatasetQuery => ({ search: "", language: "", provenance: "", lowConfidence: false, mismatched: false, offset: 0, limit: 50 });
export const freshImportDraft = (): ImportDraft => ({
  files: [""],
  format: "auto",
  mapping: {},
  mappingTouched: false,
  sourceLanguage: "",
  targetLanguage: "",
  language: "",
  provenance: "native",
  name: "",
});

const newImportId = (): string => `import-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Datasets: the list, the selected one's rows page by page, and the import wizard. */
export const createDataSlice =
  (api: ApiClient): StateCreator<AppState, [], [], DataSlice> =>
  (set, get) => {
    // Only the answer to the latest query lands, so fast typing in the search never shows an older page.
    let pageToken = 0;

    const loadPage = async (): Promise<void> => {
      const id = get().selectedDatasetId;
      if (!id) return;
      const q = get().datasetQuery;
      const token = ++pageToken;
      set({ datasetPageLoading: true });
      try {
        const page = await api.call("data.show", {
          dataset: id,
          offset: q.offset,
          limit: q.limit,
          ...(q.search.trim() ? { search: q.search.trim() } : {}),
          ...(q.language ? { language: q.language } : {}),
          ...(q.provenance ? { provenance: q.provenance } : {}),
          ...(q.lowConfidence ? { lowConfidence: true } : {}),
          ...(q.mismatched ? { mismatched: true } : {}),
        });
        if (token === pageToken) set({ datasetPage: page, datasetPageError: null, datasetPageLoading: false });
      } catch (error) {
        if (token === pageToken) set({ datasetPageError: toErrorShape(error), datasetPageLoading: false });
      }
    };

    return {
      // The tab is in the address too (#/data/mixes), so a reload or a shared link keeps it.
      dataTab: typeof location !== "undefined" ? (/^#\/data\/(mixes|translations)/.exec(location.hash)?.[1] as DataTab | undefined) ?? "datasets" : "datasets",
      setDataTab(tab) {
        set({ dataTab: tab });
        const hash = tab === "datasets" ? "#/data" : `#/data/${tab}`;
        if (typeof location !== "undefined" && location.hash.startsWith("#/data") && location.hash !== hash) history.replaceState(history.state, "", hash);
      },
      datasets: [],
      datasetsLoaded: false,
      datasetsError: null,
      selectedDatasetId: null,
      datasetQuery: freshQuery(),
      datasetPage: null,
      datasetPageLoading: false,
      datasetPageError: null,
      datasetActionError: null,

      async loadDatasets() {
        try {
          const datasets = await api.call("data.list", {});
          set({ datasets, datasetsLoaded: true, datasetsError: null });
          const selected = get().selectedDatasetId;
          if (selected && !datasets.some((d) => d.id === selected)) set({ selectedDatasetId: null, datasetPage: null });
        } catch (error) {
          set({ datasetsError: toErrorShape(error), datasetsLoaded: true });
        }
      },

      async selectDataset(id) {
        if (id === get().selectedDatasetId) return;
        pageToken++;
        set({ selectedDatasetId: id, datasetPage: null, datasetPageError: null, datasetActionError: null, datasetQuery: freshQuery() });
        await loadPage();
      },

      async setDatasetQuery(patch) {
        // A new filter starts from the first page; paging keeps the filter.
        const offset = patch.offset ?? 0;
        set({ datasetQuery: { ...get().datasetQuery, ...patch, offset } });
        await loadPage();
      },

      async removeDataset(id) {
        set({ datasetActionError: null });
        try {
          await api.call("data.remove", { dataset: id });
          if (get().selectedDatasetId === id) set({ selectedDatasetId: null, datasetPage: null });
          await get().loadDatasets();
        } catch (error) {
          set({ datasetActionError: toErrorShape(error) });
        }
      },

      importDraft: freshImportDraft(),
      inspection: null,
      inspecting: false,
      inspectError: null,
      importJob: null,

      setImportDraft(patch) {
        // Other files or another format make the inspection stale: the wizard goes back to its first step.
        const stale = patch.files !== undefined || patch.format !== undefined;
        set({ importDraft: { ...get().importDraft, ...patch }, ...(stale ? { inspection: null, inspectError: null } : {}) });
      },

      async inspectImport() {
        const draft = get().importDraft;
        const files = draft.files.map((f) => f.trim()).filter(Boolean);
        if (!files.length || get().inspecting) return;
        set({ inspecting: true, inspection: null, inspectError: null, importJob: null });
        try {
          const inspection = await api.call("data.inspect", { files, format: draft.format });
          set({ inspection, importDraft: { ...get().importDraft, mapping: initialMapping(inspection), mappingTouched: false } });
        } catch (error) {
          set({ inspectError: toErrorShape(error) });
        } finally {
          set({ inspecting: false });
        }
      },

      async startImport() {
        const { importDraft: draft, inspection, importJob } = get();
        if (!inspection || importJob?.status === "running" || importJob?.status === "cancelling") return;
        const importId = newImportId();
        set({ importJob: { importId, status: "running", startedAt: Date.now(), progress: null, result: null, error: null } });
        const mapping = inspection.kind === "instructions" ? mappingToSend(draft.mapping, inspection, draft.mappingTouched) : undefined;
        const languages = inspection.kind === "parallel" && (draft.sourceLanguage.trim() || draft.targetLanguage.trim())
          ? { ...(draft.sourceLanguage.trim() ? { source: draft.sourceLanguage.trim() } : {}), ...(draft.targetLanguage.trim() ? { target: draft.targetLanguage.trim() } : {}) }
          : undefined;
        try {
          const result = await api.call("data.import", {
            importId,
            files: inspection.files.map((f) => f.path),
            // What the inspection found, so the import reads the files exactly as the wizard showed them.
            format: inspection.format,
            provenance: draft.provenance,
            ...(mapping ? { mapping } : {}),
            ...(languages ? { languages } : {}),
            ...(inspection.kind === "instructions" && draft.language.trim() ? { language: draft.language.trim() } : {}),
            ...(draft.name.trim() ? { name: draft.name.trim() } : {}),
          });
          const job = get().importJob;
          if (job?.importId === importId) set({ importJob: { ...job, status: "done", result } });
          await get().loadDatasets();
        } catch (error) {
          const job = get().importJob;
          if (job?.importId !== importId) return;
          const shape = toErrorShape(error);
          // An import the user cancelled ends in an error too; it is not a failure to report as one.
          set({ importJob: { ...job, status: job.status === "cancelling" || shape.code.includes("cancel") ? "cancelled" : "failed", error: shape } });
        }
      },

      async cancelImport() {
        const job = get().importJob;
        if (!job || job.status !== "running") return;
        set({ importJob: { ...job, status: "cancelling" } });
        try {
          await api.call("data.cancelImport", { importId: job.importId });
        } catch (error) {
          const latest = get().importJob;
          if (latest?.importId === job.importId && latest.status === "cancelling") set({ importJob: { ...latest, status: "running", error: toErrorShape(error) } });
        }
      },

      resetImport(clear = false) {
        set({ inspection: null, inspectError: null, importJob: null, ...(clear ? { importDraft: freshImportDraft() } : {}) });
      },

      importProgressed(progress) {
        const job = get().importJob;
        if (job?.importId === progress.importId && (job.status === "running" || job.status === "cancelling")) set({ importJob: { ...job, progress } });
      },
    };
  };
