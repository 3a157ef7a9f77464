import { strings } from "../i18n/strings.js";
import { useAppStore } from "../store/AppStoreProvider.js";

/** Long work stays visible: each task the engine reports, with a bar when its total is known. */
export function ProgressList() {
  const progress = useAppStore((s) => s.progress);
  const entries = Object.values(progress);
  return (
    <div className="progress-list" aria-live="polite" aria-label={strings.progress.label}>
      {entries.map((p) => (
        <div key={p.task} className="progress-item">
          <span className="progress-label">{p.label}</span>
          {p.total !== null && p.total > 0 ? (
            <progress max={p.total} value={Math.min(p.done, p.total)} aria-label={p.label} />
          ) : (
            <progress aria-label={p.label} />
          )}
          <span className="progress-count">{strings.progress.count(p.done, p.total)}</span>
        </div>
      ))}
    </div>
  );
}
