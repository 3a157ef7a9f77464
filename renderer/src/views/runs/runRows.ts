import type { Model, Run } from "../../../../electron/shared/contract.js";

/** One run as the list compares it: the settings that tell runs apart and how they ended. */
export interface RunRow {
  run: Run;
  name: string;
  status: Run["status"];
  model: string;
  data: string;
  steps: number;
  lr: number;
  /** Null for a full-parameter run (no adapter): it sorts last and reads as "full". */
  rank: number | null;
  loss: number | null;
  valLoss: number | null;
  seconds: number | null;
  ranOn: string;
  created: string;
}
export type RunSortKey = "name" | "status" | "model" | "data" | "steps" | "lr" | "rank" | "loss" | "valLoss" | "seconds" | "ranOn" | "created";

const fileStem = (path: string) => path.split(/[\\/]/).pop() ?? path;

export function runRow(run: Run, models: readonly Model[]): RunRow {
  const end = run.finishedAt ? Date.parse(run.finishedAt) : run.status === "running" ? Date.now() : null;
  const start = run.startedAt ? Date.parse(run.startedAt) : null;
  const finalVal = typeof run.summary?.finalValLoss === "number" ? run.summary.finalValLoss : null;
  return {
    run,
    name: run.name,
    status: run.status,
    model: models.find((m) => m.id === (run.modelId ?? run.config.model))?.name ?? run.config.model,
    data: run.mix?.name ?? run.config.mix ?? (run.config.text ? run.config.text.map(fileStem).join(", ") : fileStem(run.config.data ?? "")),
    steps: run.totalSteps || run.config.steps || 0,
    lr: run.config.lr,
    rank: run.config.method === "full" ? null : run.config.rank,
    loss: run.lastLoss,
    valLoss: finalVal ?? run.lastValLoss,
    seconds: start !== null && end !== null && end >= start ? (end - start) / 1000 : null,
    ranOn: typeof run.summary?.backend === "string" ? String(run.summary.backend).toUpperCase() : "",
    created: run.createdAt,
  };
}

/** Rows whose name, model, data, status or device contain every word of the filter. */
export function filterRuns(rows: readonly RunRow[], filter: string): RunRow[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((r) => {
    const text = [r.name, r.model, r.data, r.status, r.ranOn, `lr ${r.lr}`, r.rank === null ? "full" : `r ${r.rank}`].join(" ").toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** Sorted by one column; rows without a value (no loss yet) go last either way. */
export function sortRuns(rows: readonly RunRow[], key: RunSortKey, dir: "asc" | "desc"): RunRow[] {
  const sign = dir === "asc" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === null || x === "") return y === null || y === "" ? 0 : 1;
    if (y === null || y === "") return -1;
    return sign * (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y)));
  });
}
