import { useEffect, useRef } from "react";
import { ConnectionBanner } from "./components/ConnectionBanner.js";
import { ProgressList } from "./components/ProgressList.js";
import { ThemeSwitch } from "./components/ThemeSwitch.js";
import { strings } from "./i18n/strings.js";
import { useAppStore } from "./store/AppStoreProvider.js";
import type { Route } from "./store/AppState.js";
import { CompareView } from "./views/compare/CompareView.js";
import { DataView } from "./views/data/DataView.js";
import { EvaluateView } from "./views/evaluate/EvaluateView.js";
import { ExperimentsView } from "./views/experiments/ExperimentsView.js";
import { HomeView } from "./views/home/HomeView.js";
import { ModelsView } from "./views/models/ModelsView.js";
import { RunsView } from "./views/runs/RunsView.js";
import { SettingsView } from "./views/settings/SettingsView.js";

// Only areas that work appear (UI.md: "An area appears when it works").
const areas: Route[] = ["home", "models", "data", "runs", "evaluate", "experiments", "compare", "settings"];

/** The frame: header, the areas, and the current area's view. */
export function App() {
  const route = useAppStore((s) => s.route);
  const navigate = useAppStore((s) => s.navigate);
  const theme = useAppStore((s) => s.theme);
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  useEffect(() => {
    if (theme === "system") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);

  // Moving to another area moves focus to its content, as a page load would.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    // ...unless the new view already put focus somewhere useful (e.g. the path box of an empty library).
    if (!main.current?.contains(document.activeElement)) main.current?.focus();
    document.title = `${strings.nav[route]} · ${strings.appName}`;
  }, [route]);

  return (
    <div className="app">
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        {strings.skipToContent}
      </a>
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          <span className="brand-name">{strings.appName}</span>
          <span className="brand-tagline">{strings.tagline}</span>
        </div>
        <ThemeSwitch />
      </header>
      <nav className="app-nav" aria-label={strings.nav.label}>
        <ul>
          {areas.map((area) => (
            <li key={area}>
              <a
                href={`#/${area}`}
                aria-current={route === area ? "page" : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(area);
                }}
              >
                {strings.nav[area]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="app-main" ref={main} tabIndex={-1}>
        <ConnectionBanner />
        {route === "home" ? <HomeView /> : route === "models" ? <ModelsView /> : route === "data" ? <DataView /> : route === "runs" ? <RunsView /> : route === "evaluate" ? <EvaluateView /> : route === "experiments" ? <ExperimentsView /> : route === "compare" ? <CompareView /> : <SettingsView />}
      </main>
      <footer className="app-footer">
        <ProgressList />
      </footer>
    </div>
  );
}
