import type { StateCreator } from "zustand";
import type { PolytuneErrorShape } from "../../../electron/shared/contract.js";
import type { Mix, MixPreview, MixRecipe, MixSeriesInput } from "../../../electron/shared/mixContract.js";
import { toErrorShape } from "../../../electron/shared/PolytuneError.js";
import type { ApiClient } from "../api/createApiClient.js";
import { freshMixDraft, type MixDraft } from "../views/mixes/mixDraft.js";
import type { AppState } from "./AppState.js";

const draftKey = "polytune.mixDraft";

function storedDraft(): MixDraft {
  const fresh = freshMixDraft();
  try {
    const saved = JSON.parse(localStorage.getItem(draftKey) ?? "null") as Partial<MixDraft> | null;
    // Only keys the builder still has, each with the type it has now (a newer builder may differ).
    if (saved && typeof saved === "object") {
      for (const [k, v] of Object.entries(saved)) {
        const current = (fresh as unknown as Record<string, unknown>)[k];
        if (k in fresh && typeof v === typeof current && Array.isArray(v) === Array.isArray(current)) (fresh as unknown as Record<string, unknown>)[k] = v;
      }
    }
  } catch {
    // Storage unavailable or unreadable: start from the defaults.
  }
  return fresh;
}

/** What the last save or ladder made, shown where the user clicked. */
export interface MixNotice {
  kind: "saved" | "ladder";
  mixes: Mix[];
}

export interface MixesSlice {
  mixes: Mix[];
  mixesLoaded: boolean;
  mixesError: PolytuneErrorShape | null;
  mixDraft: MixDraft;
  mixPreview: MixPreview | null;
  /** The recipe the shown preview is of (JSON), so a stale one is marked as such. */
  mixPreviewOf: string | null;
  mixPreviewError: PolytuneErrorShape | null;
  mixPreviewing: boolean;
  mixSaving: boolean;
  mixNotice: MixNotice | null;
  mixActionError: PolytuneErrorShape | null;
  /** A failed removal, shown by the list rather than the builder. */
  mixRemoveError: PolytuneErrorShape | null;
  selectedMixId: string | null;
  setMixDraft(patch: Partial<MixDraft>): void;
  replaceMixDraft(draft: MixDraft): void;
  loadMixes(): Promise<void>;
  previewMix(recipe: MixRecipe, model?: string): Promise<void>;
  saveMix(recipe: MixRecipe): Promise<void>;
  buildLadder(input: MixSeriesInput): Promise<void>;
  removeMix(id: string): Promise<void>;
  selectMix(id: string | null): void;
  /** Runs, with the new-run form set to train on this mix and brought into view. */
  trainFromMix(id: string): void;
}

/** Mixes: the builder's draft and live preview, the saved recipes, and starting a run from one. */
export const createMixesSlice =
  (api: ApiClient): StateCreator<AppState, [], [], MixesSlice> =>
  (set, get) => {
    // Previews are asked for as the user types: only the answer to the latest request lands.
    let previewToken = 0;
    return {
      mixes: [],
      mixesLoaded: false,
      mixesError: null,
      mixDraft: storedDraft(),
      mixPreview: null,
      mixPreviewOf: null,
      mixPreviewError: null,
      mixPreviewing: false,
      mixSaving: false,
      mixNotice: null,
      mixActionError: null,
      mixRemoveError: null,
      selectedMixId: null,

      setMixDraft(patch) {
        get().replaceMixDraft({ ...get().mixDraft, ...patch });
      },
      replaceMixDraft(draft) {
        set({ mixDraft: draft, mixNotice: null });
        try {
          localStorage.setItem(draftKey, JSON.stringify(draft));
        } catch {
          // Storage unavailable (private windows): the draft then lasts for this session.
        }
      },

      async loadMixes() {
        try {
          const mixes = await api.call("mixes.list", {});
          set({ mixes, mixesLoaded: true, mixesError: null });
          const selected = get().selectedMixId;
          if (selected && !mixes.some((m) => m.id === selected)) set({ selectedMixId: null });
        } catch (error) {
          set({ mixesError: toErrorShape(error), mixesLoaded: true });
        }
      },

      async previewMix(recipe, model) {
        const token = ++previewToken;
        set({ mixPreviewing: true });
        try {
          const preview = await api.call("mixes.preview", { recipe, ...(model ? { model } : {}) });
          if (token === previewToken) set({ mixPreview: preview, mixPreviewOf: JSON.stringify(recipe), mixPreviewError: null, mixPreviewing: false });
        } catch (error) {
          if (token === previewToken) set({ mixPreviewError: toErrorShape(error), mixPreviewOf: JSON.stringify(recipe), mixPreviewing: false });
        }
      },

      async saveMix(recipe) {
        if (get().mixSaving) return;
        set({ mixSaving: true, mixActionError: null, mixNotice: null });
        try {
          const mix = await api.call("mixes.save", { recipe });
          await get().loadMixes();
          set({ mixNotice: { kind: "saved", mixes: [mix] }, selectedMixId: mix.id });
        } catch (error) {
          set({ mixActionError: toErrorShape(error) });
        } finally {
          set({ mixSaving: false });
        }
      },

      async buildLadder(input) {
        if (get().mixSaving) return;
        set({ mixSaving: true, mixActionError: null, mixNotice: null });
        try {
          const { mixes } = await api.call("mixes.series", { ...input, save: true });
          await get().loadMixes();
          set({ mixNotice: { kind: "ladder", mixes }, selectedMixId: mixes.at(-1)?.id ?? null });
        } catch (error) {
          set({ mixActionError: toErrorShape(error) });
        } finally {
          set({ mixSaving: false });
        }
      },

      async removeMix(id) {
        set({ mixRemoveError: null });
        try {
          await api.call("mixes.remove", { mix: id });
          await get().loadMixes();
        } catch (error) {
          set({ mixRemoveError: toErrorShape(error) });
        }
      },

      selectMix(id) {
        set({ selectedMixId: id });
      },

      trainFromMix(id) {
        // The mix replaces the data file: a run trains on one or the other.
        get().setRunDraft({ mix: id, data: "" });
        get().navigate("runs");
        // After Runs has mounted: a reveal made in the same update as the mount is taken as already handled.
        setTimeout(() => get().reveal("form"), 0);
      },
    };
  };
