import { useId } from "react";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { MixesPanel } from "../mixes/MixesPanel.js";
import { DatasetsPanel } from "./DatasetsPanel.js";
import { TranslatePanel } from "./translate/TranslatePanel.js";

const s = strings.data;
const tabs = ["datasets", "mixes", "translations"] as const;

/** The Data area: the datasets (import, list, preview) and the mixes built from them. */
export function DataView() {
  const tab = useAppStore((st) => st.dataTab);
  const setTab = useAppStore((st) => st.setDataTab);
  const datasets = useAppStore((st) => st.datasets.length);
  const mixes = useAppStore((st) => st.mixes.length);
  const translations = useAppStore((st) => st.translations.length);
  const id = useId();

  const onKeyDown = (e: React.KeyboardEvent) => {
    // Arrow keys move between tabs, as a tab list promises (WAI-ARIA).
    if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
    e.preventDefault();
    const next = tabs[(tabs.indexOf(tab) + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length]!;
    setTab(next);
    requestAnimationFrame(() => document.getElementById(`${id}-${next}`)?.focus());
  };

  return (
    <div className="view data-view">
      <h1>{s.title}</h1>
      <p className="lead">{s.intro}</p>
      <div className="tab-list" role="tablist" aria-label={s.tabsLabel} onKeyDown={onKeyDown}>
        {tabs.map((t) => (
          <button
            key={t}
            id={`${id}-${t}`}
            type="button"
            role="tab"
            aria-selected={tab === t}
            aria-controls={`${id}-${t}-panel`}
            tabIndex={tab === t ? 0 : -1}
            className={tab === t ? "tab active" : "tab"}
            onClick={() => setTab(t)}
          >
            {t === "datasets" ? s.tabDatasets(datasets) : t === "mixes" ? s.tabMixes(mixes) : strings.translate.tab(translations)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-${tab}-panel`} aria-labelledby={`${id}-${tab}`} className="tab-panel">
        {tab === "datasets" ? <DatasetsPanel /> : tab === "mixes" ? <MixesPanel /> : <TranslatePanel />}
      </div>
    </div>
  );
}
