import type { Model } from "../../../../electron/shared/contract.js";
import type { SortKey } from "../../store/AppState.js";

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** Sorted copy; unknown values go last in either direction, so a sort never opens on a column of dashes. */
export function sortModels(models: Model[], key: SortKey, dir: "asc" | "desc"): Model[] {
  const sign = dir === "asc" ? 1 : -1;
  return [...models].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === null && y === null) return collator.compare(a.name, b.name);
    if (x === null) return 1;
    if (y === null) return -1;
    const order = typeof x === "number" && typeof y === "number" ? x - y : collator.compare(String(x), String(y));
    return order === 0 ? collator.compare(a.name, b.name) : sign * order;
  });
}
