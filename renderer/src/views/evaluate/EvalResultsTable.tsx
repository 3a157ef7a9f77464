import { useId, useMemo } from "react";
import type { EvalJob, EvalSuiteName } from "../../../../electron/shared/evalContract.js";
import { languageLabel } from "../../format/languageName.js";
import { strings } from "../../i18n/strings.js";
import { downloadBlob } from "../runs/chartExport.js";
import { formatDifference, formatMeanCi, formatP } from "../../../../electron/shared/formatStatistics.js";
import { resultRows, resultsCsv, type Aggregate } from "./resultRows.js";
import { ResultsChart } from "./ResultsChart.js";
import { TuningBadge } from "./TuningBadge.js";

const s = strings.evaluate;

function MeanCell({ aggregate }: { aggregate: Aggregate | null }) {
  return <td className="num mono">{aggregate ? formatMeanCi(aggregate.mean, aggregate.ci95) : <span className="muted">{s.notCovered}</span>}</td>;
}

/** One suite's results: language × metric with mean [95% CI] and n; tuned against base with Δ and p when the job has a baseline; notes and left-out items. */
export function EvalResultsTable({ job, suite }: { job: EvalJob; suite: EvalSuiteName }) {
  const id = useId();
  const rows = useMemo(() => resultRows(job, suite), [job, suite]);
  const withBase = job.baseline;
  const tuned = job.results.find((r) => r.suite === suite && r.system === "tuned");
  const base = job.results.find((r) => r.suite === suite && r.system === "base");
  const notes = [...new Set([...(tuned?.notes ?? []), ...(base?.notes ?? [])])];
  const excluded = [...(tuned?.excluded ?? []), ...(base?.excluded ?? []).filter((e) => !tuned?.excluded.some((t) => t.id === e.id))];
  const name = s.suiteNames[suite];

  return (
    <div className="eval-results" data-suite={suite}>
      <h3 className="subheading" id={`${id}-heading`}>
        {s.resultsHeading(name)}
      </h3>
      <div className="table-scroll">
        <table className="data-table compact" data-testid="eval-results" aria-labelledby={`${id}-heading`}>
          <caption className="visually-hidden">{s.resultsCaption(name)}</caption>
          <thead>
            <tr>
              <th scope="col">{s.resultColumns.language}</th>
              <th scope="col">{s.resultColumns.tuning}</th>
              <th scope="col">{s.resultColumns.metric}</th>
              <th scope="col" className="num">
                {s.resultColumns.n}
              </th>
              <th scope="col" className="num">
                {s.resultColumns.tuned}
              </th>
              {withBase ? (
                <>
                  <th scope="col" className="num">
                    {s.resultColumns.base}
                  </th>
                  <th scope="col" className="num">
                    {s.resultColumns.difference}
                  </th>
                  <th scope="col" className="num">
                    {s.resultColumns.p}
                  </th>
                </>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={`${row.language ?? ""}-${row.metric}`} data-language={row.language ?? "all"} data-metric={row.metric}>
                <th scope="row">{row.language === null ? s.allLanguages : languageLabel(row.language)}</th>
                <td>{row.tuning ? <TuningBadge tuning={row.tuning} /> : null}</td>
                <td title={s.metricHelp(row.metric)}>
                  {s.metricName(row.metric)}{" "}
                  <span className="info-icon" role="img" aria-label={s.metricHelp(row.metric)} title={s.metricHelp(row.metric)}>
                    i
                  </span>
                </td>
                <td className="num">{row.tuned?.n ?? row.base?.n ?? ""}</td>
                <MeanCell aggregate={row.tuned} />
                {withBase ? (
                  <>
                    <MeanCell aggregate={row.base} />
                    <td className="num mono">{row.comparison ? formatDifference(row.comparison.difference) : ""}</td>
                    <td className="num mono">{row.comparison ? formatP(row.comparison.p) : ""}</td>
                  </>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="button-row">
        <button type="button" onClick={() => downloadBlob(`${job.name}-${suite}.csv`, new Blob([resultsCsv(rows)], { type: "text/csv" }))}>
          {s.exportCsv}
        </button>
      </div>
      <ResultsChart rows={rows} suiteName={name} fileStem={`${job.name}-${suite}`} />
      {notes.length ? (
        <>
          <h4 className="subheading">{s.notesHeading}</h4>
          <ul className="plain-list small" data-testid="eval-notes">
            {notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </>
      ) : null}
      {excluded.length ? (
        <details className="small" data-testid="eval-excluded">
          <summary>{s.excludedSummary(excluded.length)}</summary>
          <ul className="plain-list">
            {excluded.map((e) => (
              <li key={e.id} className="mono">
                {s.excludedLine(e.id, e.reason)}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
