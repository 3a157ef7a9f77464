import { memo, useId, useMemo } from "react";
import type { CompareRunsResult } from "../../../../electron/shared/compareContract.js";
import { languageLabel } from "../../format/languageName.js";
import { strings } from "../../i18n/strings.js";
import { downloadBlob } from "../runs/chartExport.js";
import { TuningBadge } from "../evaluate/TuningBadge.js";
import { compareCsv, languageTableRows } from "../../../../electron/shared/figures/languageTableRows.js";
import { formatDifference, formatMeanCi, formatP } from "../../../../electron/shared/formatStatistics.js";
import { formatSettingValue } from "../../../../electron/shared/trainSettings.js";
import { compareJson, type CompareSelection } from "./compareRows.js";

const s = strings.compare;

/** Languages as rows, runs as columns: mean [95% CI] and n, Δ against the reference with p; exports CSV and JSON. */
export const CompareTable = memo(function CompareTable({ result, selection, reference, fileStem }: { result: CompareRunsResult; selection: CompareSelection; reference: string; fileStem: string }) {
  const id = useId();
  const rows = useMemo(() => languageTableRows(result, selection), [result, selection]);
  const suiteName = strings.evaluate.suiteNames[selection.suite];
  const metricName = strings.evaluate.metricName(selection.metric);
  const referenceName = result.runs.find((r) => r.id === reference)?.name ?? reference;

  return (
    <section className="card compare-table" aria-labelledby={`${id}-heading`} data-testid="compare-table-card">
      <h2 id={`${id}-heading`}>{s.tableHeading}</h2>
      <div className="table-scroll">
        <table className="data-table compact" data-testid="compare-table" data-suite={selection.suite} data-metric={selection.metric}>
          <caption className="visually-hidden">{s.tableCaption(suiteName, metricName, referenceName)}</caption>
          <thead>
            <tr>
              <th scope="col">{s.languageColumn}</th>
              {result.runs.map((run) => (
                <th scope="col" key={run.id} data-run={run.id} className="num" title={run.name}>
                  {run.label || run.name}
                  {run.id === reference ? <span className="muted small"> ({s.referenceMark})</span> : null}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.language ?? ""} data-language={row.language ?? "all"} data-group={row.group ?? "all"}>
                <th scope="row">{row.language === null ? s.overallRow : languageLabel(row.language)}</th>
                {result.runs.map((run, i) => {
                  const v = row.values[i];
                  const d = row.deltas[i];
                  const tuning = row.tuning[i];
                  return (
                    <td key={run.id} data-run={run.id} className="num mono">
                      {v ? (
                        <>
                          <span data-testid="compare-mean">{formatMeanCi(v.mean, v.ci95)}</span> <span className="muted" data-testid="compare-n">n {v.n}</span>
                          {tuning && tuning !== "supervised" ? (
                            <>
                              {" "}
                              <TuningBadge tuning={tuning} />
                            </>
                          ) : null}
                          {d ? (
                            <div className="small" data-testid="compare-delta">
                              {d.p === null ? s.deltaNoP(formatDifference(d.difference)) : s.delta(formatDifference(d.difference), formatP(d.p))}
                            </div>
                          ) : null}
                        </>
                      ) : (
                        <span className="muted">{s.notEvaluated}</span>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="button-row">
        <button type="button" onClick={() => downloadBlob(`${fileStem}.csv`, new Blob([compareCsv(result, [selection], reference)], { type: "text/csv" }))}>
          {s.exportCsv}
        </button>
        <button type="button" onClick={() => downloadBlob(`${fileStem}.json`, new Blob([compareJson(result, selection, reference)], { type: "application/json" }))}>
          {s.exportJson}
        </button>
      </div>
      <CompareSettings result={result} />
    </section>
  );
});

/** The settings that differ between the runs (the engine leaves the equal ones out) and the runs left out with their reason. */
function CompareSettings({ result }: { result: CompareRunsResult }) {
  const id = useId();
  return (
    <>
      <h3 className="subheading" id={`${id}-settings`}>
        {s.settingsHeading}
      </h3>
      {result.settingsDiff.length === 0 ? (
        <p className="muted small">{s.settingsSame}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table compact" data-testid="compare-settings" aria-labelledby={`${id}-settings`}>
            <thead>
              <tr>
                <th scope="col">{s.settingColumn}</th>
                {result.runs.map((run) => (
                  <th scope="col" key={run.id}>
                    {run.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.settingsDiff.map((d) => (
                <tr key={d.setting} data-setting={d.setting}>
                  <th scope="row" className="mono">
                    {d.setting}
                  </th>
                  {result.runs.map((run, i) => (
                    <td key={run.id} className="mono small wrap">
                      {formatSettingValue(d.values[i])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result.missing.length ? (
        <div data-testid="compare-missing">
          <h3 className="subheading">{s.missingHeading}</h3>
          <p className="small">{s.missingIntro}</p>
          <MissingRuns missing={result.missing} />
        </div>
      ) : null}
    </>
  );
}

/** The runs left out of a comparison, each with why (no completed evaluation, no result for the suite). */
export function MissingRuns({ missing }: { missing: CompareRunsResult["missing"] }) {
  return (
    <ul className="plain-list small">
      {missing.map((m) => (
        <li key={m.run} data-run={m.run}>
          {s.missingLine(m.run, m.reason)}
        </li>
      ))}
    </ul>
  );
}
