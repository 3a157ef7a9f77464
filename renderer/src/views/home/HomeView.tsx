import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";

const s = strings.home;

/** What Polytune is, what works today, and the next step. */
export function HomeView() {
  const models = useAppStore((st) => st.models);
  const loaded = useAppStore((st) => st.modelsLoaded);
  const navigate = useAppStore((st) => st.navigate);
  const problems = models.filter((m) => m.status !== "ok").length;

  return (
    <div className="view home-view">
      <h1>{s.title}</h1>
      <p className="lead">{s.intro}</p>
      <div className="home-grid">
        <section className="card" aria-labelledby="home-works">
          <h2 id="home-works">{s.worksToday}</h2>
          <ul className="plain-list">
            <li>{s.modelsItem}</li>
            <li className="muted">{s.comingItem}</li>
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
      </div>
    </div>
  );
}
