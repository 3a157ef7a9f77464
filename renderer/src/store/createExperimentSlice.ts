import type { StateCreator } from "zustand";
import type { CallOutput, EventPayload, PolytuneErrorShape } from "../../../electron/shared/contract.js";
import type { Experiment, ExperimentSpec } from "../../../electron/shared/experimentContract.js";
import { toErrorShape } from "../../../electron/shared/PolytuneError.js";
import { formatBytes } from "../../../electron/shared/formatQuantities.js";
import type { ApiClient } from "../api/createApiClient.js";
import { strings } from "../i18n/strings.js";
import { experimentSpec, freshExperimentDraft, type ExperimentDraft } from "../views/experiments/experimentDraft.js";
import type { AppState } from "./AppState.js";

const s = strings.experiments;

export type ExperimentPlan = CallOutput<"experiments.plan">;

/** The item open below the queue. */
export interface OpenExperimentItem {
  experiment: string;
  item: string;
}

/** What the last action on an experiment (or one of its items) gave, shown next to where it was started. */
export interface ExperimentNotice {
  experiment: string;
  item: string | null;
  text: string | null;
  error: PolytuneErrorShape | null;
}

export interface ExperimentSlice {
  experiments: Experiment[];
  experimentsLoaded: boolean;
  experimentsError: PolytuneErrorShape | null;
  experimentDraft: ExperimentDraft;
  /** The preview, with the spec (JSON) it is of, so a stale one is marked as such. */
  experimentPlan: { of: string; plan: ExperimentPlan } | null;
  experimentPlanning: boolean;
  experimentCreating: boolean;
  /** The failed preview or create, shown under the form's buttons. */
  experimentFormError: PolytuneErrorShape | null;
  experimentCreated: Experiment | null;
  experimentNotice: ExperimentNotice | null;
  /** The experiment whose report is being written. */
  experimentReporting: string | null;
  openExperimentItem: OpenExperimentItem | null;
  setExperimentDraft(patch: Partial<ExperimentDraft>): void;
  replaceExperimentDraft(draft: ExperimentDraft): void;
  loadExperiments(): Promise<void>;
  planExperiment(): Promise<void>;
  createExperiment(): Promise<void>;
  cancelExperiment(experiment: string, item?: string): Promise<void>;
  retryExperimentItem(experiment: string, item: string): Promise<void>;
  moveExperimentItem(experiment: string, item: string, position: number): Promise<void>;
  resumeExperiment(experiment: string): Promise<void>;
  removeExperiment(experiment: string): Promise<void>;
  reportExperiment(experiment: string): Promise<void>;
  selectExperimentItem(experiment: string, item: string | null): Promise<void>;
  experimentProgressed(progress: EventPayload<"experiments.progress">): void;
  experimentChanged(change: EventPayload<"experiments.changed">): Promise<void>;
}

/** Experiments: the form (with its preview and file), the queue with its actions, and an item's detail. */
export const createExperimentSlice =
  (api: ApiClient): StateCreator<AppState, [], [], ExperimentSlice> =>
  (set, get) => {
    const replace = (experiment: Experiment): void => {
      const known = get().experiments.some((e) => e.id === experiment.id);
      set({ experiments: known ? get().experiments.map((e) => (e.id === experiment.id ? experiment : e)) : [experiment, ...get().experiments] });
    };

    /** The run of the open item, loaded into the Runs state so its live chart follows the step events. */
    const followRun = async (): Promise<void> => {
      const open = get().openExperimentItem;
      const run = open ? get().experiments.find((e) => e.id === open.experiment)?.items.find((i) => i.id === open.item)?.run : null;
      if (run && get().selectedRunId !== run) await get().selectRun(run);
    };

    const labelOf = (experiment: string, item: string | null): string => {
      const e = get().experiments.find((x) => x.id === experiment);
      return (item ? e?.items.find((i) => i.id === item)?.label : e?.name) ?? item ?? experiment;
    };

    const act = async (experiment: string, item: string | null, call: () => Promise<Experiment>, text: (label: string, e: Experiment) => string): Promise<void> => {
      set({ experimentNotice: null });
      try {
        const updated = await call();
        replace(updated);
        set({ experimentNotice: { experiment, item, text: text(labelOf(experiment, item), updated), error: null } });
        await followRun();
      } catch (error) {
        set({ experimentNotice: { experiment, item, text: null, error: toErrorShape(error) } });
      }
    };

    const specOrNull = (): ExperimentSpec | null => experimentSpec(get().experimentDraft).spec;

    return {
      experiments: [],
      experimentsLoaded: false,
      experimentsError: null,
      experimentDraft: freshExperimentDraft(),
      experimentPlan: null,
      experimentPlanning: false,
      experimentCreating: false,
      experimentFormError: null,
      experimentCreated: null,
      experimentNotice: null,
      experimentReporting: null,
      openExperimentItem: null,

      setExperimentDraft(patch) {
        set({ experimentDraft: { ...get().experimentDraft, ...patch }, experimentCreated: null });
      },

      replaceExperimentDraft(draft) {
        set({ experimentDraft: draft, experimentPlan: null, experimentCreated: null, experimentFormError: null });
      },

      async loadExperiments() {
        try {
          const experiments = await api.call("experiments.list", {});
          set({ experiments, experimentsLoaded: true, experimentsError: null });
          const open = get().openExperimentItem;
          if (open && !experiments.some((e) => e.id === open.experiment)) set({ openExperimentItem: null });
        } catch (error) {
          set({ experimentsError: toErrorShape(error), experimentsLoaded: true });
        }
      },

      async planExperiment() {
        const spec = specOrNull();
        if (!spec || get().experimentPlanning) return;
        set({ experimentPlanning: true, experimentFormError: null });
        try {
          const plan = await api.call("experiments.plan", { spec });
          set({ experimentPlan: { of: JSON.stringify(spec), plan } });
        } catch (error) {
          set({ experimentFormError: toErrorShape(error), experimentPlan: null });
        } finally {
          set({ experimentPlanning: false });
        }
      },

      async createExperiment() {
        const spec = specOrNull();
        if (!spec || get().experimentCreating) return;
        set({ experimentCreating: true, experimentFormError: null, experimentCreated: null });
        try {
          const experiment = await api.call("experiments.create", { spec });
          replace(experiment);
          set({ experimentCreated: experiment, experimentPlan: null });
        } catch (error) {
          set({ experimentFormError: toErrorShape(error) });
        } finally {
          set({ experimentCreating: false });
        }
      },

      cancelExperiment: (experiment, item) => act(experiment, item ?? null, () => api.call("experiments.cancel", { experiment, ...(item ? { item } : {}) }), s.done.cancel),
      retryExperimentItem: (experiment, item) => act(experiment, item, () => api.call("experiments.retry", { experiment, item }), s.done.retry),
      moveExperimentItem: (experiment, item, position) =>
        act(experiment, item, () => api.call("experiments.move", { experiment, item, position }), (label, e) => s.done.move(label, (e.items.find((i) => i.id === item)?.position ?? position) + 1)),
      resumeExperiment: (experiment) => act(experiment, null, () => api.call("experiments.resume", { experiment }), s.done.resume),

      async removeExperiment(experiment) {
        const name = labelOf(experiment, null);
        set({ experimentNotice: null });
        try {
          await api.call("experiments.remove", { experiment });
          set({ experiments: get().experiments.filter((e) => e.id !== experiment), experimentNotice: { experiment: "", item: null, text: s.removed(name), error: null } });
          if (get().openExperimentItem?.experiment === experiment) set({ openExperimentItem: null });
        } catch (error) {
          set({ experimentNotice: { experiment, item: null, text: null, error: toErrorShape(error) } });
        }
      },

      async reportExperiment(experiment) {
        set({ experimentReporting: experiment, experimentNotice: null });
        try {
          const { path, bytes } = await api.call("experiments.report", { experiment });
          set({ experimentNotice: { experiment, item: null, text: s.reportWritten(path, formatBytes(bytes)), error: null } });
        } catch (error) {
          set({ experimentNotice: { experiment, item: null, text: null, error: toErrorShape(error) } });
        } finally {
          set({ experimentReporting: null });
        }
      },

      async selectExperimentItem(experiment, item) {
        set({ openExperimentItem: item ? { experiment, item } : null });
        await followRun();
      },

      experimentProgressed(p) {
        let startedRun = false;
        set({
          experiments: get().experiments.map((e) =>
            e.id !== p.experiment
              ? e
              : {
                  ...e,
                  items: e.items.map((i) => {
                    if (i.id !== p.item) return i;
                    if (i.state !== p.state) startedRun = true;
                    return { ...i, state: p.state, done: p.done, total: p.total, etaSeconds: p.etaSeconds };
                  }),
                },
          ),
        });
        // A new phase may have made a run or an evaluation job the list does not name yet.
        if (startedRun) void get().loadExperiments().then(followRun);
      },

      async experimentChanged() {
        await get().loadExperiments();
        await followRun();
      },
    };
  };
