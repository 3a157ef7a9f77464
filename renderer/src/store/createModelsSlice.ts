import type { StateCreator } from "zustand";
import type { AddModelsResult, PolytuneErrorShape } from "../../../electron/shared/contract.js";
import { toErrorShape } from "../../../electron/shared/PolytuneError.js";
import type { ApiClient } from "../api/createApiClient.js";
import type { AppState, ModelsSlice } from "./AppState.js";

function mergeResults(results: AddModelsResult[]): AddModelsResult {
  return {
    added: results.flatMap((r) => r.added),
    updated: results.flatMap((r) => r.updated),
    failed: results.flatMap((r) => r.failed),
    scannedFiles: results.reduce((sum, r) => sum + r.scannedFiles, 0),
  };
}

export const createModelsSlice =
  (api: ApiClient): StateCreator<AppState, [], [], ModelsSlice> =>
  (set, get) => {
    // Only the answer to the latest selection may land, so quick clicks never show another model's details.
    let detailToken = 0;

    const refreshDetail = async (): Promise<void> => {
      const id = get().selectedId;
      if (!id) return;
      const token = ++detailToken;
      try {
        const detail = await api.call("models.get", { model: id });
        if (token === detailToken) set({ detail, detailError: null });
      } catch (error) {
        if (token === detailToken) set({ detail: null, detailError: toErrorShape(error) });
      }
    };

    const runAdd = async (sources: string[], requests: (() => Promise<AddModelsResult>)[]): Promise<void> => {
      set({ adding: true, addReport: { sources, result: null, errors: [] } });
      const results: AddModelsResult[] = [];
      const errors: PolytuneErrorShape[] = [];
      for (const request of requests) {
        try {
          results.push(await request());
        } catch (error) {
          errors.push(toErrorShape(error));
        }
      }
      const result = results.length ? mergeResults(results) : null;
      set({ adding: false, addReport: { sources, result, errors } });
      await get().loadModels();
      // Land on something useful: the first model just added, unless the user already picked one.
      const first = result?.added[0] ?? result?.failed[0];
      if (first && !get().selectedId) await get().select(first.id);
    };

    return {
      models: [],
      modelsLoaded: false,
      modelsError: null,
      selectedId: null,
      detail: null,
      detailError: null,
      filter: "",
      sort: { key: "name", dir: "asc" },
      adding: false,
      addReport: null,
      locations: null,
      locationsError: null,
      hashingId: null,
      actionError: null,

      async loadModels() {
        try {
          const models = await api.call("models.list", {});
          set({ models, modelsLoaded: true, modelsError: null });
          const { selectedId } = get();
          if (selectedId && !models.some((m) => m.id === selectedId)) set({ selectedId: null, detail: null, detailError: null });
          else if (selectedId) await refreshDetail();
        } catch (error) {
          set({ modelsError: toErrorShape(error) });
        }
      },

      async select(id) {
        if (id === get().selectedId) return;
        set({ selectedId: id, detail: null, detailError: null, actionError: null });
        if (id) await refreshDetail();
        else detailToken++;
      },

      setFilter(filter) {
        set({ filter });
      },

      toggleSort(key) {
        const { sort } = get();
        set({ sort: sort.key === key ? { key, dir: sort.dir === "asc" ? "desc" : "asc" } : { key, dir: "asc" } });
      },

      async addPaths(paths) {
        const clean = paths.map((p) => p.trim()).filter(Boolean);
        if (!clean.length || get().adding) return;
        await runAdd(
          clean,
          clean.map((path) => () => api.call("models.add", { path })),
        );
      },

      async discover() {
        if (get().adding) return;
        await runAdd([], [() => api.call("models.discover", {})]);
        await get().loadLocations();
      },

      async loadLocations() {
        try {
          set({ locations: await api.call("models.discoveryLocations", {}), locationsError: null });
        } catch (error) {
          set({ locationsError: toErrorShape(error) });
        }
      },

      dismissAddReport() {
        set({ addReport: null });
      },

      async hash(id) {
        set({ hashingId: id, actionError: null });
        try {
          const model = await api.call("models.hash", { model: id });
          set({ models: get().models.map((m) => (m.id === model.id ? model : m)) });
          if (get().selectedId === id) await refreshDetail();
        } catch (error) {
          set({ actionError: { action: "hash", error: toErrorShape(error) } });
        } finally {
          set({ hashingId: null });
        }
      },

      async remove(id) {
        set({ actionError: null });
        try {
          await api.call("models.remove", { model: id });
          if (get().selectedId === id) set({ selectedId: null, detail: null });
          await get().loadModels();
        } catch (error) {
          set({ actionError: { action: "remove", error: toErrorShape(error) } });
        }
      },
    };
  };
