import { strings } from "../../i18n/strings.js";
import { ExperimentForm } from "./ExperimentForm.js";
import { ExperimentItemDetail } from "./ExperimentItemDetail.js";
import { ExperimentQueue } from "./ExperimentQueue.js";

const s = strings.experiments;

/** Experiments: the form (or a file) that builds one, the queue of every experiment's runs, and an open run's detail. */
export function ExperimentsView() {
  return (
    <div className="view experiments-view">
      <h1>{s.title}</h1>
      <p className="muted">{s.intro}</p>
      <ExperimentForm />
      <ExperimentQueue />
      <ExperimentItemDetail />
    </div>
  );
}
