import type { StateCreator } from "zustand";
import type { EventPayload, PolytuneErrorShape } from "../../../electron/shared/contract.js";
import type { TranslationItem, TranslationJob } from "../../../electron/shared/translateContract.js";
import { toErrorShape } from "../../../electron/shared/PolytuneError.js";
import type { ApiClient } from "../api/createApiClient.js";
import { applyProgress, freshTranslateDraft, translateRequest, type TranslateDraft, type TranslateSource } from "../views/data/translate/translateDraft.js";
import type { AppState } from "./AppState.js";

/** How many flagged outputs the job's details list at first, and how many more each "Show more" adds. */
const flaggedPage = 20;

export interface TranslationDetail {
  job: string;
  /** The flagged outputs with their reasons (the first `flaggedLimit`). */
  flagged: TranslationItem[];
  flaggedTotal: number;
  /** How many flagged outputs are asked for. */
  flaggedLimit: number;
}

export interface TranslateSlice {
  translations: TranslationJob[];
  translationsLoaded: boolean;
  translationsError: PolytuneErrorShape | null;
  translateDraft: TranslateDraft;
  translateStarting: boolean;
  translateStartError: PolytuneErrorShape | null;
  /** The job the last start made, announced next to the button. */
  translateStarted: TranslationJob | null;
  /** Seconds left per running job, from the engine's progress events. */
  translationEta: Record<string, number | null>;
  selectedTranslationId: string | null;
  translationDetail: TranslationDetail | null;
  translationDetailError: PolytuneErrorShape | null;
  /** The last failed cancel or resume, shown next to the job's buttons. */
  translationActionError: { job: string; error: PolytuneErrorShape } | null;
  setTranslateDraft(patch: Partial<TranslateDraft>): void;
  /** "Translate…" on a dataset or a mix: the form set to it, its tab open, the form brought into view. */
  openTranslate(source: TranslateSource): void;
  loadTranslations(): Promise<void>;
  startTranslation(): Promise<void>;
  cancelTranslation(job: string): Promise<void>;
  resumeTranslation(job: string): Promise<void>;
  selectTranslation(job: string | null): Promise<void>;
  /** The next page of the open job's flagged outputs. */
  moreFlagged(): Promise<void>;
  /** The output dataset of a job, opened in the datasets tab. */
  showTranslationOutput(dataset: string): Promise<void>;
  translationProgressed(progress: EventPayload<"translate.progress">): void;
  translationChanged(change: EventPayload<"translate.changed">): Promise<void>;
}

/** Offline translation: the form, the jobs with their live progress, and a job's flagged outputs. */
export const createTranslateSlice =
  (api: ApiClient): StateCreator<AppState, [], [], TranslateSlice> =>
  (set, get) => {
    let detailToken = 0;

    const loadDetail = async (): Promise<void> => {
      const job = get().selectedTranslationId;
      if (!job) return;
      const token = ++detailToken;
      const current = get().translationDetail;
      const limit = current?.job === job ? current.flaggedLimit : flaggedPage;
      try {
        const [result, flagged] = await Promise.all([api.call("translate.get", { job, limit: 1 }), api.call("translate.get", { job, status: "flagged", limit })]);
        if (token !== detailToken) return;
        set({
          translations: get().translations.map((j) => (j.id === job ? result.job : j)),
          translationDetail: { job, flagged: flagged.items, flaggedTotal: flagged.itemsTotal, flaggedLimit: limit },
          translationDetailError: null,
        });
      } catch (error) {
        if (token === detailToken) set({ translationDetailError: toErrorShape(error) });
      }
    };

    const replaceJob = (job: TranslationJob): void => {
      const known = get().translations.some((j) => j.id === job.id);
      set({ translations: known ? get().translations.map((j) => (j.id === job.id ? job : j)) : [job, ...get().translations] });
    };

    return {
      translations: [],
      translationsLoaded: false,
      translationsError: null,
      translateDraft: freshTranslateDraft(),
      translateStarting: false,
      translateStartError: null,
      translateStarted: null,
      translationEta: {},
      selectedTranslationId: null,
      translationDetail: null,
      translationDetailError: null,
      translationActionError: null,

      setTranslateDraft(patch) {
        set({ translateDraft: { ...get().translateDraft, ...patch }, translateStarted: null });
      },

      openTranslate(source) {
        get().setTranslateDraft({ source });
        get().setDataTab("translations");
        if (get().route !== "data") get().navigate("data");
        // After the tab has rendered: the form must be on the page when the reveal moves, or it is missed.
        setTimeout(() => get().reveal("translate"), 0);
      },

      async loadTranslations() {
        try {
          const translations = await api.call("translate.list", {});
          set({ translations, translationsLoaded: true, translationsError: null });
          const selected = get().selectedTranslationId;
          if (selected && !translations.some((j) => j.id === selected)) set({ selectedTranslationId: null, translationDetail: null });
        } catch (error) {
          set({ translationsError: toErrorShape(error), translationsLoaded: true });
        }
      },

      async startTranslation() {
        if (get().translateStarting) return;
        const { request } = translateRequest(get().translateDraft);
        if (!request) return;
        set({ translateStarting: true, translateStartError: null, translateStarted: null });
        try {
          const job = await api.call("translate.start", request);
          replaceJob(job);
          set({ translateStarted: job, selectedTranslationId: job.id, translationDetail: null, translationDetailError: null });
          await loadDetail();
        } catch (error) {
          set({ translateStartError: toErrorShape(error) });
        } finally {
          set({ translateStarting: false });
        }
      },

      async cancelTranslation(job) {
        set({ translationActionError: null });
        try {
          replaceJob(await api.call("translate.cancel", { job }));
          if (get().selectedTranslationId === job) await loadDetail();
        } catch (error) {
          set({ translationActionError: { job, error: toErrorShape(error) } });
        }
      },

      async resumeTranslation(job) {
        set({ translationActionError: null });
        try {
          replaceJob(await api.call("translate.resume", { job }));
          if (get().selectedTranslationId === job) await loadDetail();
        } catch (error) {
          set({ translationActionError: { job, error: toErrorShape(error) } });
        }
      },

      async selectTranslation(job) {
        detailToken++;
        set({ selectedTranslationId: job, translationDetail: null, translationDetailError: null });
        await loadDetail();
      },

      async moreFlagged() {
        const detail = get().translationDetail;
        if (!detail || detail.job !== get().selectedTranslationId) return;
        set({ translationDetail: { ...detail, flaggedLimit: Math.min(500, detail.flaggedLimit + flaggedPage * 5) } });
        await loadDetail();
      },

      async showTranslationOutput(dataset) {
        // The output dataset may be newer than the list the store holds.
        if (!get().datasets.some((d) => d.id === dataset)) await get().loadDatasets();
        get().setDataTab("datasets");
        await get().selectDataset(dataset);
        get().reveal();
      },

      translationProgressed(p) {
        set({ translations: applyProgress(get().translations, p), translationEta: { ...get().translationEta, [p.job]: p.etaSeconds } });
        const detail = get().translationDetail;
        // The open job's flagged list grows as items are flagged.
        if (detail?.job === p.job && p.last && !p.last.kept && detail.flagged.length < detail.flaggedLimit) void loadDetail();
      },

      async translationChanged({ job, status }) {
        if (status !== "running") {
          const { [job]: _gone, ...rest } = get().translationEta;
          set({ translationEta: rest });
        }
        await get().loadTranslations();
        if (get().selectedTranslationId === job) await loadDetail();
        // A completed job may have written a dataset.
        if (status === "completed") await get().loadDatasets();
      },
    };
  };
