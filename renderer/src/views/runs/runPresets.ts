import type { TrainConfigInput } from "../../../../electron/shared/contract.js";
import { strings } from "../../i18n/strings.js";
import type { RunFormValues } from "./runFormFields.js";

/** The papers' settings as one-click presets; Kew et al. 2024 is the default. */
export const runPresets = [
  { id: "kew", label: strings.runs.presetKew, settings: { rank: 64, alpha: 16, lr: 1e-5, schedule: "constant", warmupSteps: 0, steps: 2000, gradAccum: 1 } },
  { id: "chirkova", label: strings.runs.presetChirkova, settings: { rank: 64, alpha: 16, lr: 1e-4, schedule: "inverse-sqrt", warmupSteps: 0, steps: 1000, gradAccum: 4 } },
] as const satisfies ReadonlyArray<{ id: string; label: string; settings: Partial<TrainConfigInput> }>;

/** The preset whose every setting the form currently has, if any. */
export function activePreset(values: RunFormValues): (typeof runPresets)[number]["id"] | null {
  const matches = (settings: Record<string, unknown>) => Object.entries(settings).every(([k, v]) => Number(values[k as keyof RunFormValues]) === v || values[k as keyof RunFormValues] === v);
  return runPresets.find((p) => matches(p.settings))?.id ?? null;
}

/** The settings a preset changes, as form text. */
export function presetValues(id: (typeof runPresets)[number]["id"]): Partial<RunFormValues> {
  const preset = runPresets.find((p) => p.id === id)!;
  return Object.fromEntries(Object.entries(preset.settings).map(([k, v]) => [k, String(v)]));
}
