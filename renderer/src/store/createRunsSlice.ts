import type { StateCreator } from "zustand";
import { toErrorShape } from "../../../electron/shared/PolytuneError.js";
import type { ApiClient } from "../api/createApiClient.js";
import type { AppState, RunsSlice } from "./AppState.js";

/** Training runs: the list, the selected run with its metrics, and the actions a run's status allows. */
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
        return true;
      } catch (error) {
        set({ startError: toErrorShape(error) });
        return false;
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
