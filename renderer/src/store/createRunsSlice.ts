import type { StateCreator } from "zustand";
import { toErrorShape } from "../../../electron/shared/PolytuneError.js";
import type { ApiClient } from "../api/createApiClient.js";
import { formValuesFrom, type RunFormValues } from "../views/runs/runFormFields.js";
import { runPresets } from "../views/runs/runPresets.js";
import type { AppState, RunsSlice } from "./AppState.js";

const draftKey = "polytune.runDraft";
const viewKey = "polytune.runFormView";

/** A new form: the contract's defaults with the default preset (Kew et al. 2024). */
export const freshRunDraft = (): RunFormValues => formValuesFrom(runPresets[0].settings);

function storedDraft(): RunFormValues {
  const fresh = freshRunDraft();
  try {
    const saved = JSON.parse(localStorage.getItem(draftKey) ?? "null") as Partial<RunFormValues> | null;
    // Only keys the form still has, with the type each one had when saved (a newer form may differ).
    if (saved && typeof saved === "object") for (const [k, v] of Object.entries(saved)) if (k in fresh && typeof v === typeof fresh[k as keyof RunFormValues]) (fresh as Record<string, unknown>)[k] = v;
  } catch {
    // Storage unavailable or unreadable: start from the defaults.
  }
  return fresh;
}

function remember(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage unavailable (private windows): the draft then lasts for this session.
  }
}

/** Training runs: the list, the selected run with its metrics, the new-run draft, and the actions a run's status allows. */
export const createRunsSlice =
  (api: ApiClient): StateCreator<AppState, [], [], RunsSlice> =>
  (set, get) => ({
    runs: [],
    runsLoaded: false,
    runsError: null,
    selectedRunId: null,
    runDetail: null,
    runLive: null,
    startError: null,
    runActionError: null,
    runDraft: storedDraft(),
    runFormView: (() => {
      try {
        return localStorage.getItem(viewKey) === '"advanced"' ? "advanced" : "basic";
      } catch {
        return "basic";
      }
    })(),
    setRunDraft(patch) {
      const runDraft = { ...get().runDraft, ...patch } as RunFormValues;
      set({ runDraft, startError: null });
      remember(draftKey, runDraft);
    },
    setRunFormView(view) {
      set({ runFormView: view });
      remember(viewKey, view);
    },
    duplicateRun(id) {
      const run = get().runs.find((r) => r.id === id) ?? (get().runDetail?.id === id ? get().runDetail : null);
      if (!run) return;
      // The same settings under a new name: the default name then says what changed.
      // Where the first run wrote its adapter and merged model stays its own: the copy gets fresh files.
      const { name: _name, out: _out, mergedOut: _mergedOut, ...config } = run.config;
      get().setRunDraft(formValuesFrom(config));
      get().reveal("form");
    },
    async loadRuns() {
      try {
        set({ runs: await api.call("runs.list", {}), runsLoaded: true, runsError: null });
      } catch (error) {
        set({ runsError: toErrorShape(error), runsLoaded: true });
      }
    },
    async selectRun(id) {
      if (get().selectedRunId !== id) set({ selectedRunId: id, runDetail: null, runLive: null, runActionError: null });
      if (!id) return;
      try {
        const detail = await api.call("runs.get", { run: id });
        if (get().selectedRunId === id) set({ runDetail: detail });
      } catch (error) {
        set({ runActionError: toErrorShape(error) });
      }
    },
    async startRun(config) {
      set({ startError: null });
      try {
        const run = await api.call("runs.start", config);
        await get().loadRuns();
        await get().selectRun(run.id);
        get().reveal();
        return true;
      } catch (error) {
        set({ startError: toErrorShape(error) });
        return false;
      }
    },
    async renameRun(id, name) {
      set({ runActionError: null });
      try {
        await api.call("runs.rename", { run: id, name });
        await get().loadRuns();
        await get().selectRun(id);
        return true;
      } catch (error) {
        set({ runActionError: toErrorShape(error) });
        return false;
      }
    },
    async deleteRun(id) {
      set({ runActionError: null });
      try {
        await api.call("runs.delete", { run: id });
        if (get().selectedRunId === id) set({ selectedRunId: null, runDetail: null });
        await get().loadRuns();
      } catch (error) {
        set({ runActionError: toErrorShape(error) });
      }
    },
    async runAction(action, id) {
      set({ runActionError: null });
      try {
        await api.call(action === "pause" ? "runs.pause" : action === "resume" ? "runs.resume" : "runs.cancel", { run: id });
        await get().loadRuns();
        await get().selectRun(id);
      } catch (error) {
        set({ runActionError: toErrorShape(error) });
      }
    },
  });
