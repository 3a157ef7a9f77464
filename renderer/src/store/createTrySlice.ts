import type { StateCreator } from "zustand";
import { toErrorShape } from "../../../electron/shared/PolytuneError.js";
import type { ApiClient } from "../api/createApiClient.js";
import type { AppState, TrySlice } from "./AppState.js";

/** A fresh id per run, so stray tokens from an earlier run can never land in this one. */
function newRequestId(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `try-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export const createTrySlice =
  (api: ApiClient): StateCreator<AppState, [], [], TrySlice> =>
  (set, get) => {
    api.on("try.token", (payload) => {
      const run = get().tryRun;
      if (!run || run.requestId !== payload.requestId || run.result) return;
      set({ tryRun: { ...run, text: run.text + payload.text, tokens: payload.tokens, tokensPerSecond: payload.tokensPerSecond } });
    });

    return {
      tryRun: null,
      // The contract's defaults: repeat penalty 1.1; 1 sequence, seq len 1024, batch 4, rank 64; the context
      // is left empty, meaning the model's own up to 4096 (MemoryEstimate fills it in per model).
      tryDraft: { prompt: "Once upon a time", maxTokens: "64", repeatPenalty: "1.1" },
      estimateDraft: { contextSize: "", sequences: "1", seqLen: "1024", batch: "4", rank: "64" },
      setTryDraft(patch) {
        set({ tryDraft: { ...get().tryDraft, ...patch } });
      },
      setEstimateDraft(patch) {
        set({ estimateDraft: { ...get().estimateDraft, ...patch } });
      },

      async startTry(options) {
        const current = get().tryRun;
        if (current && (current.status === "running" || current.status === "stopping")) return;
        const requestId = newRequestId();
        set({
          // With an adapter it is a different model to try: the model page's panel does not show its text.
          tryRun: { requestId, modelId: tryKey(options.model, options.adapter), text: "", tokens: 0, tokensPerSecond: 0, status: "running", result: null, error: null },
        });
        try {
          const result = await api.call("models.try", { ...options, requestId });
          const run = get().tryRun;
          if (run?.requestId !== requestId) return;
          // The final answer is authoritative: it replaces whatever the stream assembled.
          set({ tryRun: { ...run, status: "done", result, text: result.text, tokens: result.tokens, tokensPerSecond: result.tokensPerSecond } });
        } catch (error) {
          const run = get().tryRun;
          if (run?.requestId !== requestId) return;
          set({ tryRun: { ...run, status: "error", error: toErrorShape(error) } });
        }
      },

      async stopTry() {
        const run = get().tryRun;
        if (!run || run.status !== "running") return;
        set({ tryRun: { ...run, status: "stopping" } });
        try {
          await api.call("models.tryCancel", { requestId: run.requestId });
        } catch (error) {
          const latest = get().tryRun;
          if (latest?.requestId === run.requestId) set({ tryRun: { ...latest, status: "error", error: toErrorShape(error) } });
        }
      },
    };
  };

/** Which panel a try belongs to: the model alone, or the model with one adapter. */
export const tryKey = (model: string, adapter?: string): string => (adapter ? `${model}#${adapter}` : model);
