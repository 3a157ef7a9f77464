import type { KeyboardEvent } from "react";
import type { Model } from "../../../../electron/shared/contract.js";
import { StatusBadge } from "../../components/StatusBadge.js";
import { fileName } from "../../format/fileName.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import type { SortKey } from "../../store/AppState.js";
import { formatBytes, formatCount, formatInteger } from "../../../../electron/shared/formatQuantities.js";

const s = strings.models;
const columns: SortKey[] = ["name", "architecture", "parameterCount", "fileType", "contextLength", "fileSize", "status"];
const numeric = new Set<SortKey>(["parameterCount", "contextLength", "fileSize"]);

/** Arrow keys move between rows, Enter or Space opens one: the table works without a mouse. */
function onRowKey(event: KeyboardEvent<HTMLTableRowElement>, select: () => void): void {
  const row = event.currentTarget;
  const focus = (target: Element | null | undefined) => (target as HTMLElement | null | undefined)?.focus();
  switch (event.key) {
    case "Enter":
    case " ":
      event.preventDefault();
      select();
      break;
    case "ArrowDown":
      event.preventDefault();
      focus(row.nextElementSibling);
      break;
    case "ArrowUp":
      event.preventDefault();
      focus(row.previousElementSibling);
      break;
    case "Home":
      event.preventDefault();
      focus(row.parentElement?.firstElementChild);
      break;
    case "End":
      event.preventDefault();
      focus(row.parentElement?.lastElementChild);
      break;
  }
}

export function ModelTable({ models }: { models: Model[] }) {
  const sort = useAppStore((st) => st.sort);
  const toggleSort = useAppStore((st) => st.toggleSort);
  const selectedId = useAppStore((st) => st.selectedId);
  const select = useAppStore((st) => st.select);
  const reveal = useAppStore((st) => st.reveal);

  return (
    <div className="table-scroll">
      <table className="data-table model-table" aria-label={s.tableLabel}>
        <thead>
          <tr>
            {columns.map((key) => {
              const active = sort.key === key;
              return (
                <th
                  key={key}
                  scope="col"
                  className={numeric.has(key) ? "num" : undefined}
                  aria-sort={active ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}
                >
                  <button type="button" className="sort-button" title={s.sortBy(s.columns[key])} onClick={() => toggleSort(key)}>
                    {s.columns[key]}
                    <span className="sort-arrow" aria-hidden="true">
                      {active ? (sort.dir === "asc" ? "▲" : "▼") : "↕"}
                    </span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {models.map((m) => {
            const selected = m.id === selectedId;
            return (
              <tr
                key={m.id}
                tabIndex={0}
                data-model-id={m.id}
                aria-current={selected ? "true" : undefined}
                className={[selected ? "selected" : "", m.status === "error" ? "row-error" : ""].join(" ").trim() || undefined}
                onClick={() => void select(m.id).then(() => reveal())}
                onKeyDown={(e) => onRowKey(e, () => void select(m.id))}
              >
                <td className="cell-name">
                  <span className="model-name">{m.name}</span>
                  <span className="model-file mono">{fileName(m.path)}</span>
                  {m.error ? (
                    <span className="status-reason" title={m.error.message}>
                      {m.error.message}
                    </span>
                  ) : null}
                </td>
                <td>{m.architecture ?? strings.common.unknown}</td>
                <td className="num" title={m.parameterCount === null ? undefined : formatInteger(m.parameterCount)}>
                  {formatCount(m.parameterCount)}
                </td>
                <td>{m.fileType ?? strings.common.unknown}</td>
                <td className="num">{formatInteger(m.contextLength)}</td>
                <td className="num">{formatBytes(m.fileSize)}</td>
                <td>
                  <StatusBadge status={m.status} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
