import { useId, useMemo } from "react";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { AddModelsPanel } from "./AddModelsPanel.js";
import { AddReport } from "./AddReport.js";
import { filterModels } from "./filterModels.js";
import { ModelDetails } from "./ModelDetails.js";
import { ModelTable } from "./ModelTable.js";
import { sortModels } from "./sortModels.js";

const s = strings.models;

/** The model library: add, find, inspect, estimate and try. */
export function ModelsView() {
  const models = useAppStore((st) => st.models);
  const loaded = useAppStore((st) => st.modelsLoaded);
  const modelsError = useAppStore((st) => st.modelsError);
  const filter = useAppStore((st) => st.filter);
  const setFilter = useAppStore((st) => st.setFilter);
  const sort = useAppStore((st) => st.sort);
  const pathInputId = useId();
  const filterId = useId();

  const shown = useMemo(() => sortModels(filterModels(models, filter), sort.key, sort.dir), [models, filter, sort]);

  return (
    <div className="view models-view">
      <h1>{s.title}</h1>
      <AddModelsPanel pathInputId={pathInputId} />
      <div aria-live="polite">
        <AddReport />
      </div>
      {modelsError ? <ErrorMessage error={modelsError} alert /> : null}
      <div className={models.length ? "models-split" : "models-split single"}>
        <section className="models-list" aria-label={s.tableLabel}>
          {loaded && models.length === 0 ? (
            <div className="empty-state">
              <p>{s.empty}</p>
            </div>
          ) : loaded ? (
            <>
              <div className="list-toolbar">
                <label htmlFor={filterId}>{s.filterLabel}</label>
                <input id={filterId} type="search" value={filter} placeholder={s.filterPlaceholder} onChange={(e) => setFilter(e.target.value)} />
                <span className="muted" role="status">
                  {s.showing(shown.length, models.length)}
                </span>
              </div>
              {shown.length ? <ModelTable models={shown} /> : <p className="muted">{s.noMatch(filter)}</p>}
            </>
          ) : (
            <p className="muted">{strings.common.loading}</p>
          )}
        </section>
        {models.length ? (
          <aside className="models-details" aria-label={strings.details.heading}>
            <ModelDetails />
          </aside>
        ) : null}
      </div>
    </div>
  );
}
