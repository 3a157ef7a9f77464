import type { Run } from "../../shared/contract.js";
import { formatLearningRate } from "../../shared/trainSettings.js";

// Settings that name a run or where it writes, never what it is: left out of the diff.
const ignored = new Set(["name", "out", "mergedOut"]);
// The settings a reader looks for first, in this order; the rest follow as the runs list them.
const first = ["mix", "method", "lr", "rank", "steps", "epochs"];

/** A run's settings as compared: the mix by name, the data file only when it is not a mix's file. */
function settingsOf(run: Run): Record<string, unknown> {
  const out: Record<string, unknown> = { mix: run.mix?.name ?? null };
  for (const [key, value] of Object.entries(run.config)) {
    if (ignored.has(key) || key === "mix") continue;
    if (key === "data" && run.mix) continue;
    out[key] = value;
  }
  return out;
}

/** Only the settings whose values differ between the runs; `values` aligned with `runs` (null where unset). */
export function settingsDiff(runs: readonly Run[]): Array<{ setting: string; values: unknown[] }> {
  const all = runs.map(settingsOf);
  const keys = [...new Set(all.flatMap((s) => Object.keys(s)))].sort((a, b) => rank(a) - rank(b));
  return keys.flatMap((setting) => {
    const values = all.map((s) => s[setting] ?? null);
    const distinct = new Set(values.map((v) => JSON.stringify(v)));
    return distinct.size > 1 ? [{ setting, values }] : [];
  });
}

const rank = (key: string): number => (first.includes(key) ? first.indexOf(key) : first.length);

/** One setting's value in a few characters: "Multi-3", "lr 1e-4", "r64", "200 steps". */
export function settingLabel(setting: string, value: unknown): string {
  if (value === null || value === undefined) return `${setting} –`;
  if (setting === "mix" || setting === "method") return String(value);
  if (setting === "lr" && typeof value === "number") return `lr ${formatLearningRate(value)}`;
  if (setting === "rank") return `r${String(value)}`;
  if (setting === "steps") return `${String(value)} steps`;
  return `${setting} ${typeof value === "object" ? JSON.stringify(value) : String(value)}`;
}

/** Legend labels: the differing settings of each run (its name where none differ), unique. */
export function runLabels(runs: readonly Run[], diff: ReadonlyArray<{ setting: string; values: unknown[] }>): string[] {
  const shown = diff.slice(0, 3);
  const labels = runs.map((run, i) => (shown.length === 0 ? run.name : shown.map((d) => settingLabel(d.setting, d.values[i])).join(" · ")));
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return labels.map((l, i) => (counts.get(l)! > 1 && shown.length > 0 ? `${l} (${runs[i]!.name})` : l));
}

/** Each run's configuration: its differing settings but the learning rate (runs that differ only in it share one). */
export function configurationLabels(runs: readonly Run[], diff: ReadonlyArray<{ setting: string; values: unknown[] }>): string[] {
  const shown = diff.filter((d) => d.setting !== "lr");
  return runs.map((_, i) => (shown.length === 0 ? "all runs" : shown.map((d) => settingLabel(d.setting, d.values[i])).join(" · ")));
}
