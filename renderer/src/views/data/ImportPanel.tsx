import { useEffect, useId, useRef, useState, type DragEvent } from "react";
import { datasetFormats, importProvenances, parallelFormats, type DatasetFormat } from "../../../../electron/shared/datasetContract.js";
import { formatBytes, formatDuration, formatInteger, formatRate } from "../../../../electron/shared/formatQuantities.js";
import { ErrorMessage } from "../../components/ErrorMessage.js";
import { fileName } from "../../format/fileName.js";
import { strings } from "../../i18n/strings.js";
import { useAppStore } from "../../store/AppStoreProvider.js";
import { PathCompletionInput } from "../models/PathCompletionInput.js";
import { ImportSummary } from "./ImportSummary.js";
import { mappingProblems, mappingTargets, withColumn, type MappingProblem } from "./mappingDefaults.js";

const s = strings.data.import;

function problemText(p: MappingProblem): string {
  switch (p.kind) {
    case "missing-text":
      return s.problems.missingText;
    case "missing-output":
      return s.problems.missingOutput;
    case "unknown-column":
      return s.problems.unknownColumn(s.targets[p.target], p.column);
    case "same-column":
      return s.problems.sameColumn(p.column, p.targets.map((t) => s.targets[t]).join(", "));
  }
}

/**
 * The import wizard: paths (typed with completion, or dropped in the desktop app) → what Polytune found
 * in them (format, encoding, notes, the first records) → the column mapping or the two languages →
 * the import with its progress and Cancel → what was kept, skipped and why.
 */
export function ImportPanel() {
  const api = useAppStore((st) => st.api);
  const draft = useAppStore((st) => st.importDraft);
  const setDraft = useAppStore((st) => st.setImportDraft);
  const inspection = useAppStore((st) => st.inspection);
  const inspecting = useAppStore((st) => st.inspecting);
  const inspectError = useAppStore((st) => st.inspectError);
  const job = useAppStore((st) => st.importJob);
  const inspect = useAppStore((st) => st.inspectImport);
  const startImport = useAppStore((st) => st.startImport);
  const cancelImport = useAppStore((st) => st.cancelImport);
  const resetImport = useAppStore((st) => st.resetImport);
  const selectDataset = useAppStore((st) => st.selectDataset);
  const reveal = useAppStore((st) => st.reveal);
  const emptyList = useAppStore((st) => st.datasetsLoaded && st.datasets.length === 0);
  const [dragging, setDragging] = useState(false);
  const id = useId();
  const stepRef = useRef<HTMLHeadingElement>(null);
  const running = job?.status === "running" || job?.status === "cancelling";
  const finished = job?.status === "done";
  const step = finished ? "summary" : job ? "importing" : inspection ? "review" : "files";

  // Each step's heading takes focus when it appears, so the result of the click is where the user looks.
  useEffect(() => {
    if (step === "files") return;
    const el = stepRef.current;
    if (!el) return;
    const box = el.getBoundingClientRect();
    if (box.top < 0 || box.top > window.innerHeight - 120) el.scrollIntoView({ block: "start" });
    el.focus({ preventScroll: true });
  }, [step]);

  const moses = draft.format === "moses";
  const files = moses && draft.files.length < 2 ? [...draft.files, ""] : draft.files;
  const setFile = (index: number, value: string) => setDraft({ files: files.map((f, i) => (i === index ? value : f)) });
  const pathForFile = api.pathForFile;
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (!pathForFile) return;
    const dropped = [...event.dataTransfer.files].map((f) => pathForFile(f)).filter(Boolean);
    if (dropped.length) setDraft({ files: [...draft.files.filter((f) => f.trim()), ...dropped] });
  };

  const problems = inspection && inspection.kind === "instructions" && (inspection.mappingRequired || draft.mappingTouched) ? mappingProblems(draft.mapping, inspection.fields) : [];
  const canImport = inspection !== null && problems.length === 0 && !running;

  return (
    <section className="card import-panel" aria-labelledby={`${id}-heading`} data-testid="import-panel">
      <h2 id={`${id}-heading`}>{s.heading}</h2>
      <ol className="wizard-steps" aria-label={s.stepsLabel}>
        {(["files", "review", "importing", "summary"] as const).map((st) => (
          <li key={st} aria-current={st === step ? "step" : undefined} className={st === step ? "active" : undefined}>
            {s.steps[st]}
          </li>
        ))}
      </ol>

      <form
        className="add-form"
        onSubmit={(e) => {
          e.preventDefault();
          void inspect();
        }}
      >
        <div className="field-grid">
          <div className="field field-wide format-field">
            <label htmlFor={`${id}-format`}>{s.format}</label>
            <select id={`${id}-format`} value={draft.format} disabled={running} aria-describedby={`${id}-format-help`} onChange={(e) => setDraft({ format: e.target.value as DatasetFormat })}>
              {datasetFormats.map((f) => (
                <option key={f} value={f}>
                  {s.formats[f]}
                </option>
              ))}
            </select>
            <p className="help" id={`${id}-format-help`}>
              {s.formatHelp}
            </p>
          </div>
        </div>
        {files.map((file, index) => (
          <div className="field field-wide" key={index}>
            <label htmlFor={`${id}-file-${index}`}>{moses ? (index === 0 ? s.sourceFile : index === 1 ? s.targetFile : s.fileN(index + 1)) : files.length > 1 ? s.fileN(index + 1) : s.file}</label>
            <div className="input-row">
              <PathCompletionInput
                id={`${id}-file-${index}`}
                value={file}
                onChange={(v) => setFile(index, v)}
                describedBy={`${id}-files-help`}
                placeholder={s.filePlaceholder}
                autoFocus={emptyList && index === 0}
                label={s.fileSuggestions}
                kind="any"
              />
              {files.length > 1 && !(moses && index < 2) ? (
                <button type="button" disabled={running} onClick={() => setDraft({ files: files.filter((_, i) => i !== index) })} aria-label={s.removeFile(index + 1)}>
                  {s.remove}
                </button>
              ) : null}
            </div>
          </div>
        ))}
        <p className="help" id={`${id}-files-help`}>
          {moses ? s.mosesHelp : s.filesHelp}
        </p>
        <div className="button-row">
          <button type="submit" className="primary" disabled={inspecting || running || !files.some((f) => f.trim())}>
            {inspecting ? s.inspecting : s.inspect}
          </button>
          {!moses ? (
            <button type="button" disabled={running} onClick={() => setDraft({ files: [...files, ""] })}>
              {s.addFile}
            </button>
          ) : null}
        </div>
        {pathForFile ? (
          <div
            className={dragging ? "drop-zone dragging" : "drop-zone"}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
          >
            {s.dropHere}
          </div>
        ) : null}
      </form>
      {inspectError ? <ErrorMessage error={inspectError} alert /> : null}

      {inspection ? (
        <div className="import-review" data-testid="import-review">
          <h3 ref={stepRef} tabIndex={-1} id={`${id}-review`}>
            {step === "review" ? s.reviewHeading : step === "importing" ? s.importingHeading : s.summaryHeading}
          </h3>
          <dl className="facts small" data-testid="inspection-facts">
            <dt>{s.detectedFormat}</dt>
            <dd>{s.formats[inspection.format]}</dd>
            <dt>{s.kind}</dt>
            <dd>{strings.data.kinds[inspection.kind]}</dd>
            <dt>{s.encoding}</dt>
            <dd>{inspection.encoding}</dd>
            <dt>{s.filesFound}</dt>
            <dd>
              <ul className="plain-list">
                {inspection.files.map((f) => (
                  <li key={f.path}>
                    <span className="mono wrap" title={f.path}>
                      {fileName(f.path)}
                    </span>{" "}
                    <span className="muted">{formatBytes(f.bytes)}</span>
                  </li>
                ))}
              </ul>
            </dd>
          </dl>
          {inspection.notes.length ? (
            <ul className="banner banner-info plain-list" aria-label={s.notes}>
              {inspection.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          ) : null}
          {inspection.sample.length ? <SampleTable sample={inspection.sample} fields={inspection.fields} /> : null}

          {step === "review" ? (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                if (canImport) void startImport();
              }}
            >
              {inspection.kind === "instructions" ? (
                <fieldset className="field-group" aria-describedby={`${id}-mapping-help`}>
                  <legend>{inspection.mappingRequired ? s.mappingRequired : s.mapping}</legend>
                  <p className="help" id={`${id}-mapping-help`}>
                    {inspection.mappingRequired ? s.mappingRequiredHelp : s.mappingHelp}
                  </p>
                  <div className="field-grid">
                    {mappingTargets.map((target) => (
                      <div className="field" key={target}>
                        <label htmlFor={`${id}-map-${target}`}>{s.targets[target]}</label>
                        <select
                          id={`${id}-map-${target}`}
                          value={draft.mapping[target] ?? ""}
                          aria-invalid={problems.some((p) => (p.kind === "unknown-column" && p.target === target) || (p.kind === "same-column" && p.targets.includes(target))) || undefined}
                          onChange={(e) => setDraft({ mapping: withColumn(draft.mapping, target, e.target.value), mappingTouched: true })}
                        >
                          <option value="">{s.noColumn}</option>
                          {inspection.fields.map((f) => (
                            <option key={f} value={f}>
                              {f}
                            </option>
                          ))}
                        </select>
                      </div>
                    ))}
                  </div>
                  {problems.length ? (
                    <ul className="field-error plain-list" data-testid="mapping-problems">
                      {problems.map((p) => (
                        <li key={problemText(p)}>{problemText(p)}</li>
                      ))}
                    </ul>
                  ) : null}
                </fieldset>
              ) : (
                <fieldset className="field-group">
                  <legend>{s.languagesLegend}</legend>
                  <div className="field-grid">
                    <div className="field">
                      <label htmlFor={`${id}-src`}>{s.sourceLanguage}</label>
                      <input id={`${id}-src`} type="text" value={draft.sourceLanguage} placeholder="en" aria-describedby={`${id}-lang-help`} onChange={(e) => setDraft({ sourceLanguage: e.target.value })} />
                    </div>
                    <div className="field">
                      <label htmlFor={`${id}-tgt`}>{s.targetLanguage}</label>
                      <input id={`${id}-tgt`} type="text" value={draft.targetLanguage} placeholder="de" aria-describedby={`${id}-lang-help`} onChange={(e) => setDraft({ targetLanguage: e.target.value })} />
                    </div>
                  </div>
                  <p className="help" id={`${id}-lang-help`}>
                    {s.languagesHelp}
                  </p>
                </fieldset>
              )}
              <div className="field-grid">
                <div className="field">
                  <label htmlFor={`${id}-name`}>{s.name}</label>
                  <input id={`${id}-name`} type="text" value={draft.name} placeholder={fileName(inspection.files[0]?.path ?? "")} onChange={(e) => setDraft({ name: e.target.value })} />
                </div>
                <div className="field">
                  <label htmlFor={`${id}-prov`}>{s.provenance}</label>
                  <select id={`${id}-prov`} value={draft.provenance} aria-describedby={`${id}-prov-help`} onChange={(e) => setDraft({ provenance: e.target.value as typeof draft.provenance })}>
                    {importProvenances.map((p) => (
                      <option key={p} value={p}>
                        {strings.data.provenances[p]}
                      </option>
                    ))}
                  </select>
                  <p className="help" id={`${id}-prov-help`}>
                    {s.provenanceHelp}
                  </p>
                </div>
                {inspection.kind === "instructions" ? (
                  <div className="field">
                    <label htmlFor={`${id}-claimed`}>{s.claimedLanguage}</label>
                    <input id={`${id}-claimed`} type="text" value={draft.language} placeholder={s.claimedPlaceholder} aria-describedby={`${id}-claimed-help`} onChange={(e) => setDraft({ language: e.target.value })} />
                    <p className="help" id={`${id}-claimed-help`}>
                      {s.claimedHelp}
                    </p>
                  </div>
                ) : null}
              </div>
              <div className="button-row">
                <button type="submit" className="primary" disabled={!canImport}>
                  {s.importButton}
                </button>
                <button type="button" onClick={() => resetImport()}>
                  {s.back}
                </button>
              </div>
            </form>
          ) : null}

          {running ? <ImportProgressLine onCancel={() => void cancelImport()} /> : null}
          {job?.status === "failed" || job?.status === "cancelled" ? (
            <div role="alert" data-testid="import-failed">
              <p className={job.status === "cancelled" ? "banner banner-info" : undefined}>{job.status === "cancelled" ? s.cancelled : s.failed}</p>
              {job.status === "failed" && job.error ? <ErrorMessage error={job.error} /> : null}
              <div className="button-row">
                <button type="button" onClick={() => resetImport()}>
                  {s.back}
                </button>
              </div>
            </div>
          ) : null}
          {finished && job.result ? (
            <>
              <ImportSummary dataset={job.result} />
              <div className="button-row">
                <button type="button" className="primary" onClick={() => void selectDataset(job.result!.id).then(() => reveal())}>
                  {s.showDataset}
                </button>
                <button type="button" onClick={() => resetImport(true)}>
                  {s.importAnother}
                </button>
              </div>
            </>
          ) : null}
        </div>
      ) : null}
      {!inspection && parallelFormats.includes(draft.format as (typeof parallelFormats)[number]) ? <p className="help">{s.parallelNote}</p> : null}
    </section>
  );
}

/** The first records as the files hold them, one column per field found. */
function SampleTable({ sample, fields }: { sample: Record<string, string>[]; fields: string[] }) {
  const columns = fields.length ? fields : Object.keys(sample[0] ?? {});
  return (
    <div className="table-scroll">
      <table className="data-table compact sample-table" data-testid="inspection-sample">
        <caption className="visually-hidden">{s.sampleCaption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col" className="mono">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sample.map((record, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c} className="wrap">
                  {(record[c] ?? "").slice(0, 200)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Bytes read, records kept/skipped/duplicated, the rate and the time left; Cancel. */
function ImportProgressLine({ onCancel }: { onCancel: () => void }) {
  const job = useAppStore((st) => st.importJob)!;
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const p = job.progress;
  const seconds = Math.max(0.001, (now - job.startedAt) / 1000);
  const rate = p ? p.records / seconds : 0;
  const bytesRate = p ? p.bytesDone / seconds : 0;
  const eta = p && bytesRate > 0 && p.bytesTotal > p.bytesDone ? (p.bytesTotal - p.bytesDone) / bytesRate : null;
  return (
    <div className="import-progress" data-testid="import-progress" aria-live="polite">
      <progress max={Math.max(1, p?.bytesTotal ?? 1)} value={p?.bytesDone ?? 0} aria-label={s.progressLabel} />
      <p>
        {p ? s.progress(fileName(p.file), formatBytes(p.bytesDone), formatBytes(p.bytesTotal), formatInteger(p.kept), formatInteger(p.skipped), formatInteger(p.duplicates)) : s.starting}
        {p && rate > 0 ? ` · ${s.rate(formatRate(rate), eta === null ? null : formatDuration(eta))}` : ""}
      </p>
      <button type="button" className="danger-outline" onClick={onCancel} disabled={job.status === "cancelling"}>
        {job.status === "cancelling" ? s.cancelling : strings.common.cancel}
      </button>
      {job.error && job.status === "running" ? <ErrorMessage error={job.error} /> : null}
    </div>
  );
}
