import { useId, useRef, useState } from "react";
import { formatLearningRate } from "../../../../electron/shared/trainSettings.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { useSubmitErrors } from "../../components/useSubmitErrors.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import type { ExperimentPlan } from "../../store/createExperimentSlice.js";
import { downloadBlob } from "../runs/chartExport.js";
import { EvalTextField } from "../evaluate/EvalTextField.js";
import { SuiteList } from "../evaluate/SuiteList.js";
import { draftFromSpec, experimentFileName, experimentSpec, readExperimentFile } from "./experimentDraft.js";
import { ExperimentGridFields, LrChoiceFields } from "./ExperimentGridFields.js";
import { ExperimentMixesFields } from "./ExperimentMixesFields.js";

const s = strings.experiments;

/** What an opened file gave: its name, and its problems when it could not be read. */
interface FileNotice {
  name: string;
  problems: string[] | null;
}

/** The form that builds an experiment (or reads one from a file), previews its queue, and creates it. */
export function ExperimentForm() {
  const draft = useAppStore((st) => st.experimentDraft);
  const set = useAppStore((st) => st.setExperimentDraft);
  const replace = useAppStore((st) => st.replaceExperimentDraft);
  const models = useAppStore((st) => st.models);
  const plan = useAppStore((st) => st.experimentPlan);
  const planning = useAppStore((st) => st.experimentPlanning);
  const creating = useAppStore((st) => st.experimentCreating);
  const formError = useAppStore((st) => st.experimentFormError);
  const created = useAppStore((st) => st.experimentCreated);
  const planExperiment = useAppStore((st) => st.planExperiment);
  const createExperiment = useAppStore((st) => st.createExperiment);
  const [file, setFile] = useState<FileNotice | null>(null);
  const [saveRefused, setSaveRefused] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const id = useId();

  const { spec, errors } = experimentSpec(draft);
  const { errorOf, setSubmitted, attempt } = useSubmitErrors(errors);
  const usable = models.filter((m) => m.status === "ok" || m.status === "changed");
  const stale = plan !== null && plan.of !== JSON.stringify(spec);

  const openFile = async (chosen: File) => {
    const read = readExperimentFile(await chosen.text());
    if (read.spec) replace(draftFromSpec(read.spec));
    setFile({ name: chosen.name, problems: read.problems });
    setSubmitted(read.spec !== null);
  };
  const saveFile = () => {
    setSubmitted(true);
    setSaveRefused(!spec);
    if (spec) downloadBlob(experimentFileName(draft.name), new Blob([`${JSON.stringify(spec, null, 2)}\n`], { type: "application/json" }));
  };

  return (
    <form
      className="card experiment-form"
      aria-labelledby={`${id}-heading`}
      data-testid="experiment-form"
      noValidate
      onSubmit={attempt(createExperiment)}
    >
      <h2 id={`${id}-heading`}>{s.formHeading}</h2>
      <div className="button-row" role="group" aria-label={s.fileRow}>
        <button type="button" onClick={() => fileInput.current?.click()}>
          {s.openFile}
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          hidden
          aria-label={s.openFile}
          data-testid="experiment-file-input"
          onChange={(e) => {
            const chosen = e.target.files?.[0];
            e.target.value = "";
            if (chosen) void openFile(chosen);
          }}
        />
        <button type="button" onClick={saveFile}>
          {s.saveFile}
        </button>
      </div>
      {file ? (
        file.problems ? (
          <div className="error-message" role="alert" data-testid="experiment-file-problems">
            <p className="error-text">{s.fileProblems(file.name)}</p>
            <ul>
              {file.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
            <p className="help">{s.fileHint}</p>
          </div>
        ) : (
          <p className="banner banner-info" role="status" data-testid="experiment-file-opened">
            {s.fileOpened(file.name)}
          </p>
        )
      ) : null}
      {saveRefused && !spec ? (
        <p className="field-error" role="alert">
          {s.saveNeedsValid}
        </p>
      ) : null}

      <div className="field-grid">
        <EvalTextField id={`${id}-name`} field="name" label={s.name} value={draft.name} error={errorOf("name")} wide onChange={(name) => set({ name })} />
        <EvalTextField id={`${id}-description`} field="description" label={s.description} value={draft.description} error={errorOf("description")} multiline wide onChange={(description) => set({ description })} />
        <div className="field field-wide">
          <label htmlFor={`${id}-model`}>{s.model}</label>
          <select id={`${id}-model`} value={draft.model} aria-invalid={errorOf("model") ? true : undefined} aria-describedby={errorOf("model") ? `${id}-model-error` : undefined} onChange={(e) => set({ model: e.target.value })}>
            <option value="">{s.modelNone}</option>
            {usable.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
            {draft.model && !usable.some((m) => m.id === draft.model) ? <option value={draft.model}>{draft.model}</option> : null}
          </select>
          {usable.length ? null : <p className="help">{s.noModels}</p>}
          {errorOf("model") ? (
            <p className="field-error" id={`${id}-model-error`} data-field="model">
              {errorOf("model")}
            </p>
          ) : null}
        </div>
        <ExperimentMixesFields id={`${id}-mixes`} draft={draft} set={set} errorOf={errorOf} />
      </div>

      <h3 className="subheading">{s.gridHeading}</h3>
      <div className="field-grid">
        <ExperimentGridFields id={`${id}-grid`} draft={draft} set={set} errorOf={errorOf} />
      </div>

      <h3 className="subheading">{s.lrChoiceHeading}</h3>
      <div className="field-grid">
        <LrChoiceFields id={`${id}-lr`} draft={draft} set={set} errorOf={errorOf} />
      </div>

      <h3 className="subheading">{s.evalHeading}</h3>
      <SuiteList id={id} suites={draft.suites} errorOf={(field) => errorOf(`eval.${field}`)} onChange={(suites) => set({ suites })} />
      <div className="field-grid">
        <EvalTextField id={`${id}-languages`} field="eval.languages" label={s.evalLanguages} value={draft.evalLanguages} placeholder={strings.evaluate.languagesPlaceholder} error={errorOf("eval.languages")} onChange={(evalLanguages) => set({ evalLanguages })} />
        <EvalTextField id={`${id}-limit`} field="eval.limit" label={s.limit} value={draft.limit} error={errorOf("eval.limit")} numeric onChange={(limit) => set({ limit })} />
        <EvalTextField id={`${id}-max-tokens`} field="eval.decoding.maxTokens" label={s.maxTokens} value={draft.maxTokens} error={errorOf("eval.decoding.maxTokens")} numeric onChange={(maxTokens) => set({ maxTokens })} />
        <EvalTextField id={`${id}-eval-threads`} field="eval.threads" label={s.evalThreads} value={draft.evalThreads} error={errorOf("eval.threads")} numeric onChange={(evalThreads) => set({ evalThreads })} />
        <div className="field field-wide">
          <label htmlFor={`${id}-judge`}>{s.judge}</label>
          <select id={`${id}-judge`} value={draft.judge} aria-describedby={`${id}-judge-help`} onChange={(e) => set({ judge: e.target.value })}>
            <option value="">{s.judgeNone}</option>
            {usable.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
            {draft.judge && !usable.some((m) => m.id === draft.judge) ? <option value={draft.judge}>{draft.judge}</option> : null}
          </select>
          <p className="help" id={`${id}-judge-help`}>
            {s.judgeHelp}
          </p>
        </div>
        <label className="checkbox field-wide">
          <input type="checkbox" checked={draft.baseline} onChange={(e) => set({ baseline: e.target.checked })} /> {s.baseline}
        </label>
      </div>

      <div className="button-row">
        <button
          type="button"
          disabled={planning}
          onClick={attempt(planExperiment)}
        >
          {planning ? s.previewing : s.preview}
        </button>
        <button type="submit" className="primary" disabled={creating}>
          {creating ? s.creating : s.create}
        </button>
      </div>
      {formError ? <ErrorMessage error={formError} alert /> : null}
      {plan ? <PlanTable plan={plan.plan} stale={stale} /> : null}
      {created ? (
        <p className="banner banner-info" role="status" data-testid="experiment-created">
          {s.created(created.name, created.items.length)}
        </p>
      ) : null}
    </form>
  );
}

/** experiments.plan's answer: the runs the experiment would queue, before anything is created. */
function PlanTable({ plan, stale }: { plan: ExperimentPlan; stale: boolean }) {
  const id = useId();
  return (
    <section className="experiment-plan" aria-labelledby={`${id}-heading`} data-testid="experiment-plan" data-stale={stale ? "true" : undefined}>
      <h3 id={`${id}-heading`}>{s.planHeading(plan.items.length)}</h3>
      {stale ? <p className="banner banner-info">{s.planStale}</p> : null}
      {plan.mixesToBuild.length ? <p className="help">{s.planBuilds(plan.mixesToBuild)}</p> : null}
      {plan.warnings.map((w) => (
        <p key={w} className="banner banner-info">
          {w}
        </p>
      ))}
      <div className="table-scroll">
        <table className="data-table" data-testid="experiment-plan-table">
          <thead>
            <tr>
              <th scope="col">{s.planColumns.label}</th>
              <th scope="col">{s.planColumns.mix}</th>
              <th scope="col">{s.planColumns.method}</th>
              <th scope="col">{s.planColumns.lr}</th>
            </tr>
          </thead>
          <tbody>
            {plan.items.map((item, i) => (
              <tr key={i} data-configuration={item.configuration}>
                <td className="wrap">{item.label}</td>
                <td className="wrap">{item.mix.id ? item.mix.name : s.mixToBuild(item.mix.name)}</td>
                <td>{s.methodNames[item.method]}</td>
                <td>{formatLearningRate(item.lr)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
