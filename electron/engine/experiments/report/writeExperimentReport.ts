// An experiment's report: one self-contained HTML file (inline SVG figures, CSS, tables; nothing loaded
// from outside, a strict CSP) that opens offline on another machine. Written to a temporary file and
// renamed, so a crash never leaves half a report under the asked name.
import { statSync } from "node:fs";
import { parseHTML } from "linkedom";
import type { CompareRunsResult } from "../../../shared/compareContract.js";
import type { EvalSuiteName } from "../../../shared/evalContract.js";
import type { Experiment } from "../../../shared/experimentContract.js";
import { categoriesFigure } from "../../../shared/figures/categoriesFigure.js";
import { figureMarkup, type FigureDocument, type FigureElement } from "../../../shared/figures/FigureDocument.js";
import { heatmapFigure } from "../../../shared/figures/heatmapFigure.js";
import { languageBarsFigure } from "../../../shared/figures/languageBarsFigure.js";
import { comparedMetrics, languageTableRows, overallRowLabel } from "../../../shared/figures/languageTableRows.js";
import { escapeHtml as escape } from "../../../shared/escapeHtml.js";
import { reportContentSecurityPolicy } from "../../../shared/reportContentSecurityPolicy.js";
import { formatDelta, formatMeanCi } from "../../../shared/formatStatistics.js";
import { learningRateFigure } from "../../../shared/figures/learningRateFigure.js";
import type { RunMix } from "../../../shared/mixContract.js";
import { formatLearningRate, formatSettingValue } from "../../../shared/trainSettings.js";
import { writeFileAtomically } from "../../files/writeFileAtomically.js";
import { llamaCppTag } from "../../llamacpp/llamaCppSource.js";
import { appVersion } from "../../system/appVersion.js";

/** Everything the report shows; the caller (the experiments.report handler) gathers it. */
export interface ExperimentReportInput {
  experiment: Experiment;
  /** compareRuns over the experiment's runs (reference: the first, or the chosen one). */
  comparison: CompareRunsResult;
  /** Each mix the experiment trained on, with its recipe and fingerprint (RunStore's run.mix). */
  mixes: RunMix[];
  /** The base model. */
  model: { name: string; fingerprint: string };
}

const css = `
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#1d1d1f;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ccc}h3{font-size:1.05rem}
table{border-collapse:collapse;margin:.6rem 0 1.2rem;font-size:.88rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f5}td.num{font-variant-numeric:tabular-nums;white-space:nowrap}figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}
pre{background:#f6f6f8;padding:.6rem;overflow:auto;font-size:.8rem}.note{color:#555;font-size:.9rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}
`;

/** Writes the report to `out` (absolute); returns its path and size. */
export function writeExperimentReport(input: ExperimentReportInput, out: string): { path: string; bytes: number } {
  writeFileAtomically(out, experimentReportHtml(input));
  return { path: out, bytes: statSync(out).size };
}

/** The report's HTML (exported for the tests and for a carrier that serves it instead of writing it). */
export function experimentReportHtml({ experiment, comparison, mixes, model }: ExperimentReportInput): string {
  const document = parseHTML("<!doctype html><html><body></body></html>").document as unknown as FigureDocument;
  let figureCount = 0;
  const figure = (caption: string, draw: (idPrefix: string) => FigureElement): string => {
    const svg = figureMarkup(draw(`fig${++figureCount}`));
    return `<figure><figcaption>${escape(caption)}</figcaption>${svg}</figure>`;
  };
  const label = new Map(comparison.runs.map((r) => [r.id, r.label]));
  const reference = comparison.pairs[0]?.reference ?? comparison.runs[0]?.id;
  const sections: string[] = [];

  sections.push(`<h1>${escape(experiment.name)}</h1>
${experiment.spec.description ? `<p>${escape(experiment.spec.description)}</p>` : ""}
<dl>
<dt>Status</dt><dd>${escape(experiment.status)}</dd>
<dt>Created</dt><dd>${escape(experiment.createdAt)}${experiment.finishedAt ? ` · finished ${escape(experiment.finishedAt)}` : ""}</dd>
<dt>Base model</dt><dd>${escape(model.name)} <code>${escape(model.fingerprint)}</code></dd>
<dt>Polytune</dt><dd>${escape(appVersion())}</dd>
<dt>llama.cpp</dt><dd>${escape(llamaCppTag())} (the release node-llama-cpp ships)</dd>
<dt>Reference run</dt><dd>${reference ? escape(label.get(reference) ?? reference) : "none"}: every Δ is a run minus it on the same items, with the paired test's p.</dd>
</dl>`);

  const metrics = comparedMetrics(comparison);
  sections.push(`<h2>Per language</h2><p class="note">Mean [95% bootstrap CI] on 0–100, n items; † the language was absent from the run's tuning (zero-shot; hatched in the figures). A run without a value has an empty cell, never a zero. The row “${overallRowLabel}” is each evaluation's own aggregate over every language it evaluated.</p>`);
  for (const { suite, metric } of metrics) {
    sections.push(`<h3>${escape(suite)} · ${escape(metric)}</h3>`);
    sections.push(figure(`${suite}: ${metric} per language`, (idPrefix) => languageBarsFigure(comparison, { document, suite, metric, idPrefix })));
    sections.push(languageTableHtml(comparison, suite, metric, reference));
  }

  const heatSuites = [...new Set(comparison.heatmap.map((h) => h.suite))];
  if (heatSuites.length > 0) {
    sections.push("<h2>Criteria: English against the non-English average</h2><p class=\"note\">Each criterion coloured on its own range; the non-English value is the mean of the languages' means (CI: items resampled within each language).</p>");
    for (const suite of heatSuites) sections.push(figure(`${suite}: criteria per run`, (idPrefix) => heatmapFigure(comparison, { document, suite, idPrefix })));
    sections.push(heatmapTableHtml(comparison, label));
  }

  const lrMetrics = [...new Map(comparison.learningRates.map((p) => [`${p.suite}\u0000${p.metric}`, p])).values()].filter((p) => experiment.spec.lrChoice.criteria.some((c) => c.suite === p.suite && c.metric === p.metric));
  if (lrMetrics.length > 0 || experiment.decisions.length > 0) {
    sections.push("<h2>Learning rates</h2>");
    for (const p of lrMetrics) sections.push(figure(`${p.suite}: ${p.metric} against the learning rate (the chosen rate ringed)`, (idPrefix) => learningRateFigure(comparison, { document, suite: p.suite, metric: p.metric, idPrefix })));
    sections.push(decisionsHtml(experiment));
  }

  const categoryMetrics = [...new Map(comparison.categories.map((c) => [`${c.suite}\u0000${c.metric}`, c])).values()];
  if (categoryMetrics.length > 0) {
    sections.push("<h2>Per task category</h2>");
    for (const c of categoryMetrics) sections.push(figure(`${c.suite}: ${c.metric} per task category`, (idPrefix) => categoriesFigure(comparison, { document, suite: c.suite, metric: c.metric, idPrefix })));
  }

  sections.push(configurationsHtml(experiment, comparison));
  sections.push(mixesHtml(mixes));
  if (comparison.missing.length > 0) {
    sections.push(`<h2>Runs without numbers</h2><ul>${comparison.missing.map((m) => `<li>${escape(label.get(m.run) ?? m.run)} (${escape(m.run)}): ${escape(m.reason)}</li>`).join("")}</ul>`);
  }
  sections.push(`<h2>Experiment file</h2><pre>${escape(JSON.stringify(experiment.spec, null, 2))}</pre>`);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${reportContentSecurityPolicy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(experiment.name)} · Polytune report</title>
<style>${css}</style>
</head>
<body>
${sections.join("\n")}
<p class="note">Written by Polytune ${escape(appVersion())} on ${escape(new Date().toISOString())}.</p>
</body>
</html>
`;
}

function languageTableHtml(result: CompareRunsResult, suite: EvalSuiteName, metric: string, reference: string | undefined): string {
  const rows = languageTableRows(result, { suite, metric });
  const baseOf = (row: (typeof rows)[number]) => row.base.find((b) => b !== null) ?? null;
  const hasBase = rows.some((r) => baseOf(r) !== null);
  const head = `<tr><th>Language</th>${hasBase ? "<th>base</th>" : ""}${result.runs.map((r) => `<th>${escape(r.label)}${r.id === reference ? " (reference)" : ""}</th>`).join("")}</tr>`;
  const body = rows
    .map((row) => {
      const b = baseOf(row);
      const base = hasBase ? `<td class="num">${b ? `${formatMeanCi(b.mean, b.ci95)} n=${b.n}` : ""}</td>` : "";
      const cells = row.values
        .map((v, i) => {
          const d = row.deltas[i];
          return v ? `<td class="num">${formatMeanCi(v.mean, v.ci95)}${row.tuning[i] === "zero-shot" ? " †" : ""} n=${v.n}${d ? `<br>Δ ${escape(formatDelta(d.difference, d.p))}` : ""}</td>` : "<td></td>";
        })
        .join("");
      return `<tr><th>${escape(row.language ?? overallRowLabel)}</th>${base}${cells}</tr>`;
    })
    .join("");
  return `<table data-suite="${escape(suite)}" data-metric="${escape(metric)}">${head}${body}</table>`;
}

function heatmapTableHtml(result: CompareRunsResult, label: Map<string, string>): string {
  const part = (p: CompareRunsResult["heatmap"][number]["english"]) => (p ? `${formatMeanCi(p.mean, p.ci95)} n=${p.n}` : "");
  const body = result.heatmap.map((h) => `<tr><td>${escape(label.get(h.run) ?? h.run)}</td><td>${escape(h.suite)}</td><td>${escape(h.metric)}</td><td class="num">${part(h.english)}</td><td class="num">${part(h.nonEnglish)}</td></tr>`).join("");
  return `<table><tr><th>Run</th><th>Suite</th><th>Criterion</th><th>English</th><th>non-English</th></tr>${body}</table>`;
}

function decisionsHtml(experiment: Experiment): string {
  const criteria = experiment.spec.lrChoice.criteria.map((c) => `${c.suite} ${c.metric}`).join(", then ");
  const rows = experiment.decisions
    .map((d) => `<tr><td>${escape(d.configuration)}</td><td class="num">${d.chosenLr === null ? "none" : formatLearningRate(d.chosenLr)}</td><td class="num">${d.candidates.map((c) => `${formatLearningRate(c.lr)}: ${c.values.map((v) => (v === null ? "–" : v.toFixed(1))).join(" / ")}`).join("<br>")}</td><td>${escape(d.reason)}</td></tr>`)
    .join("");
  return `<p class="note">Rule: ${escape(criteria)} (tolerance ${experiment.spec.lrChoice.tolerance} points).</p><table><tr><th>Configuration</th><th>Chosen rate</th><th>Candidates (criteria in order)</th><th>Reason</th></tr>${rows}</table>`;
}

function configurationsHtml(experiment: Experiment, result: CompareRunsResult): string {
  const items = experiment.items
    .map((i) => `<tr><td>${i.position + 1}</td><td>${escape(i.label)}</td><td>${escape(i.configuration)}</td><td>${escape(i.mix.name)}</td><td>${escape(i.method)}</td><td class="num">${formatLearningRate(i.lr)}</td><td>${escape(i.state)}</td><td>${i.run ? escape(i.run) : ""}</td><td>${i.chosen === null ? "" : i.chosen ? "chosen" : ""}</td></tr>`)
    .join("");
  const diff = result.settingsDiff
    .map((d) => `<tr><th>${escape(d.setting)}</th>${d.values.map((v) => `<td>${escape(formatSettingValue(v))}</td>`).join("")}</tr>`)
    .join("");
  return `<h2>Configurations</h2>
<table><tr><th>#</th><th>Item</th><th>Configuration</th><th>Mix</th><th>Method</th><th>Learning rate</th><th>State</th><th>Run</th><th></th></tr>${items}</table>
<h3>Settings that differ between the runs</h3>
${diff ? `<table><tr><th>Setting</th>${result.runs.map((r) => `<th>${escape(r.label)}</th>`).join("")}</tr>${diff}</table>` : "<p>None: the runs share every setting.</p>"}
<h3>Settings every run shares</h3><pre>${escape(JSON.stringify(experiment.spec.train, null, 2))}</pre>`;
}

function mixesHtml(mixes: readonly RunMix[]): string {
  if (mixes.length === 0) return "";
  return `<h2>Data mixes</h2>${mixes
    .map((m) => `<h3>${escape(m.name)}</h3><dl><dt>Fingerprint</dt><dd><code>${escape(m.fingerprint)}</code></dd><dt>Examples</dt><dd>${m.counts.total}: ${escape(m.counts.languages.map((l) => `${l.language} ${l.examples}`).join(", "))}</dd></dl><pre>${escape(JSON.stringify(m.recipe, null, 2))}</pre>`)
    .join("")}`;
}
