import { createStore, type StoreApi } from "zustand/vanilla";
import type { ApiClient } from "../api/createApiClient.js";
import type { AppState } from "./AppState.js";
import { createAppSlice, routeFromHash } from "./createAppSlice.js";
import { createCompareSlice } from "./createCompareSlice.js";
import { createDataSlice } from "./createDataSlice.js";
import { createEvalSlice } from "./createEvalSlice.js";
import { createExperimentSlice } from "./createExperimentSlice.js";
import { createMixesSlice } from "./createMixesSlice.js";
import { createModelsSlice } from "./createModelsSlice.js";
import { createRunsSlice } from "./createRunsSlice.js";
import { createTranslateSlice } from "./createTranslateSlice.js";
import { createTrySlice } from "./createTrySlice.js";

/** How long a finished progress entry stays on screen before it goes. */
const progressLingerMs = 1500;

/** The whole UI state, built on one API client; engine events are wired here, once. */
export function createAppStore(api: ApiClient): StoreApi<AppState> {
  const store = createStore<AppState>()((...a) => ({
    ...createAppSlice(api)(...a),
    ...createModelsSlice(api)(...a),
    ...createTrySlice(api)(...a),
    ...createRunsSlice(api)(...a),
    ...createDataSlice(api)(...a),
    ...createMixesSlice(api)(...a),
    ...createTranslateSlice(api)(...a),
    ...createEvalSlice(api)(...a),
    ...createExperimentSlice(api)(...a),
    ...createCompareSlice(api)(...a),
  }));

  api.on("models.changed", () => void store.getState().loadModels());
  api.on("runs.changed", ({ run }) => {
    void store
      .getState()
      .loadRuns()
      .then(() => {
        const { runs, selectedRunId } = store.getState();
        if (selectedRunId !== run) return;
        // Deleted elsewhere (another window, the CLI): nothing left to show.
        if (runs.some((r) => r.id === run)) void store.getState().selectRun(run);
        else store.setState({ selectedRunId: null, runDetail: null });
      });
  });
  // Steps arrive several times a second: append to the open run instead of reloading it.
  api.on("runs.step", ({ run, metric, totalSteps, etaSeconds }) => {
    store.setState((s) => ({
      runs: s.runs.map((r) => (r.id === run ? { ...r, step: metric.step, totalSteps } : r)),
      ...(s.runDetail?.id === run
        ? {
            runDetail: { ...s.runDetail, step: metric.step, totalSteps, metrics: [...s.runDetail.metrics.filter((m) => m.step < metric.step), metric] },
            runLive: { tokensPerSecond: metric.tokensPerSecond, etaSeconds },
          }
        : {}),
    }));
  });
  api.on("data.importProgress", (p) => store.getState().importProgressed(p));
  api.on("mixes.changed", () => void store.getState().loadMixes());
  api.on("translate.progress", (p) => store.getState().translationProgressed(p));
  api.on("translate.changed", (c) => void store.getState().translationChanged(c));
  api.on("eval.progress", (p) => store.getState().evalProgressed(p));
  api.on("eval.changed", (c) => void store.getState().evalChanged(c));
  api.on("experiments.progress", (p) => store.getState().experimentProgressed(p));
  api.on("experiments.changed", (c) => void store.getState().experimentChanged(c));
  api.on("progress", (p) => {
    store.setState((s) => ({ progress: { ...s.progress, [p.task]: p } }));
    if (p.total !== null && p.done >= p.total) {
      setTimeout(() => {
        store.setState((s) => {
          if (s.progress[p.task] !== p) return s;
          const { [p.task]: _gone, ...rest } = s.progress;
          return { progress: rest };
        });
      }, progressLingerMs);
    }
  });

  function loadAll(): void {
    void store.getState().loadInfo();
    void store.getState().loadModels();
    void store.getState().loadRuns();
    void store.getState().loadDatasets();
    void store.getState().loadMixes();
    void store.getState().loadTranslations();
    void store.getState().loadEvalJobs();
    void store.getState().loadExperiments();
    // Files moved or changed while Polytune was closed, and models that could not be checked before
    // (llama.cpp failed to load), are looked at again; the models.changed event then refreshes the list.
    void api.call("models.recheck", {}).catch(() => undefined);
  }

  let wasOpen = api.connection().status === "open";
  api.onConnection((connection) => {
    store.setState({ connection });
    // After a reconnect the engine may have changed while we were away: read everything again.
    const isOpen = connection.status === "open";
    if (isOpen && !wasOpen) loadAll();
    wasOpen = isOpen;
  });

  // The desktop bridge is open from the start; the socket loads once it opens (handler above).
  if (wasOpen) loadAll();

  window.addEventListener("popstate", () => store.setState({ route: routeFromHash(location.hash) }));
  window.addEventListener("hashchange", () => store.setState({ route: routeFromHash(location.hash) }));
  return store;
}
