import { useState } from "react";
import type { PolytuneErrorShape } from "../../../../electron/shared/contract.js";
import { toErrorShape } from "../../../../electron/shared/PolytuneError.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";

const s = strings.home;

/** What Polytune is, what works today, and the next step. */
export function HomeView() {
  const models = useAppStore((st) => st.models);
  const loaded = useAppStore((st) => st.modelsLoaded);
  const navigate = useAppStore((st) => st.navigate);
  const problems = models.filter((m) => m.status !== "ok").length;
  const runs = useAppStore((st) => st.runs);
  const selectRun = useAppStore((st) => st.selectRun);
  const active = runs.filter((r) => r.status === "running" || r.status === "queued");
  const interrupted = runs.filter((r) => r.status === "interrupted");
  const experiments = useAppStore((st) => st.experiments);
  const experimentsLoaded = useAppStore((st) => st.experimentsLoaded);
  const api = useAppStore((st) => st.api);
  const loadExperiments = useAppStore((st) => st.loadExperiments);
  const [demoStarting, setDemoStarting] = useState(false);
  const [demoError, setDemoError] = useState<PolytuneErrorShape | null>(null);
  // The engine sets up the shipped model, data and mixes, then queues the experiment; its queue is the Experiments area's.
  const runDemo = async (): Promise<void> => {
    setDemoStarting(true);
    setDemoError(null);
    try {
      await api.call("experiments.demo", {});
      await loadExperiments();
      navigate("experiments");
    } catch (error) {
      setDemoError(toErrorShape(error));
    } finally {
      setDemoStarting(false);
    }
  };

  return (
    <div className="view home-view">
      <h1>{s.title}</h1>
      <p className="lead">{s.intro}</p>
      <div className="home-grid">
        <section className="card" aria-labelledby="home-demo">
          <h2 id="home-demo">{s.demoTitle}</h2>
          <p>{s.demoText}</p>
          {demoError ? <ErrorMessage error={demoError} /> : null}
          <button type="button" className="primary" data-testid="home-run-demo" disabled={demoStarting} onClick={() => void runDemo()}>
            {demoStarting ? s.startingDemo : s.runDemo}
          </button>
        </section>
        <section className="card" aria-labelledby="home-works">
          <h2 id="home-works">{s.worksToday}</h2>
          <ul className="plain-list">
            <li>{s.modelsItem}</li>
            <li>{s.dataItem}</li>
            <li>{s.runsItem}</li>
            <li>{s.experimentsItem}</li>
          </ul>
        </section>
        <section className="card" aria-labelledby="home-library">
          <h2 id="home-library">{s.library}</h2>
          {!loaded ? (
            <p className="muted">{strings.common.loading}</p>
          ) : models.length === 0 ? (
            <>
              <p>{strings.models.empty}</p>
              <button type="button" className="primary" onClick={() => navigate("models")}>
                {s.addModel}
              </button>
            </>
          ) : (
            <>
              <p className="big-number" data-testid="home-model-count">
                {s.modelCount(models.length)}
              </p>
              <p className="muted">{s.modelHealth(models.length - problems, problems)}</p>
              <button type="button" className="primary" onClick={() => navigate("models")}>
                {s.openModels}
              </button>
            </>
          )}
        </section>
        <section className="card" aria-labelledby="home-runs">
          <h2 id="home-runs">{s.activeRuns}</h2>
          {active.length === 0 ? <p className="muted">{s.noActiveRuns}</p> : null}
          <ul className="plain-list">
            {active.map((r) => (
              <li key={r.id}>
                <a href="#/runs" onClick={(e) => (e.preventDefault(), void selectRun(r.id), navigate("runs"))}>
                  {r.name}
                </a>{" "}
                <progress max={Math.max(1, r.totalSteps)} value={r.step} aria-label={strings.runs.progress(r.step, r.totalSteps)} /> {r.step}/{r.totalSteps}
              </li>
            ))}
          </ul>
          {interrupted.length ? <p className="banner banner-info">{s.interruptedRuns(interrupted.length)}</p> : null}
          <h3>{s.recentRuns}</h3>
          {runs.length === 0 ? <p className="muted">{s.noRuns}</p> : null}
          <ul className="plain-list" data-testid="home-recent-runs">
            {runs.slice(0, 5).map((r) => (
              <li key={r.id}>
                <a href="#/runs" onClick={(e) => (e.preventDefault(), void selectRun(r.id), navigate("runs"))}>
                  {r.name}
                </a>{" "}
                <span className="muted">{s.runLine(strings.runs.status[r.status], r.lastLoss === null ? null : r.lastLoss.toFixed(3))}</span>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => navigate("runs")}>
            {s.openRuns}
          </button>
        </section>
        <section className="card" aria-labelledby="home-experiments">
          <h2 id="home-experiments">{s.recentExperiments}</h2>
          {!experimentsLoaded ? <p className="muted">{strings.common.loading}</p> : experiments.length === 0 ? <p className="muted">{s.noExperiments}</p> : null}
          <ul className="plain-list" data-testid="home-recent-experiments">
            {experiments.slice(0, 5).map((e) => (
              <li key={e.id} data-status={e.status}>
                <a href="#/experiments" onClick={(ev) => (ev.preventDefault(), navigate("experiments"))}>
                  {e.name}
                </a>{" "}
                <span className="muted">{s.experimentLine(strings.experiments.statuses[e.status], e.items.filter((i) => i.state === "done").length, e.items.length)}</span>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => navigate("experiments")}>
            {s.openExperiments}
          </button>
        </section>
      </div>
    </div>
  );
}
