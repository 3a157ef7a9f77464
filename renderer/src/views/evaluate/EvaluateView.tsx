import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { EvalForm } from "./EvalForm.js";
import { EvalJobDetail } from "./EvalJobDetail.js";
import { EvalJobs } from "./EvalJobs.js";

const s = strings.evaluate;

/** Evaluate: the form that starts an evaluation, the jobs with their progress, and the open job's results and items. */
export function EvaluateView() {
  const selected = useAppStore((st) => st.selectedEvalId);
  return (
    <div className="view evaluate-view">
      <h1>{s.title}</h1>
      <p className="muted">{s.intro}</p>
      <EvalForm />
      <EvalJobs />
      {selected ? <EvalJobDetail /> : null}
    </div>
  );
}
