import * as Plot from "@observablehq/plot";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { languageLabel } from "../../format/languageName.js";
import { useContainerWidth } from "../../components/useContainerWidth.js";
import { strings } from "../../i18n/strings.js";
import { downloadBlob, standaloneSvg, svgToPng } from "../runs/chartExport.js";
import { chartPoints, metricScaleTop, rowMetrics, type ChartPoint, type ResultRow } from "./resultRows.js";

const s = strings.evaluate;
// Okabe–Ito: tuned blue, base orange (UI.md: a colour-blind-safe palette).
const colours = { tuned: "#0072B2", base: "#E69F00" } as const;

/** Per-language bars of one metric with 95% CI whiskers, tuned beside base; a hatched bar is a zero-shot language (the papers' convention). */
export function ResultsChart({ rows, suiteName, fileStem }: { rows: readonly ResultRow[]; suiteName: string; fileStem: string }) {
  const metrics = useMemo(() => rowMetrics(rows), [rows]);
  const [metric, setMetric] = useState(metrics[0] ?? "");
  const current = metrics.includes(metric) ? metric : (metrics[0] ?? "");
  const points = useMemo(() => chartPoints(rows, current), [rows, current]);
  const [holder, width] = useContainerWidth<HTMLDivElement>();
  const chart = useRef<SVGSVGElement | null>(null);
  const id = useId();
  const hatchId = `hatch${id.replace(/[^a-zA-Z0-9]/g, "")}`;
  const title = s.chartTitle(suiteName, s.metricName(current));

  useEffect(() => {
    const node = holder.current;
    if (!node || width <= 0 || points.length === 0) {
      node?.replaceChildren();
      chart.current = null;
      return;
    }
    const systems = [...new Set(points.map((p) => p.system))];
    const whiskers = points.filter((p) => p.low !== null && p.high !== null);
    const svg = Plot.plot({
      width,
      height: 240,
      marginLeft: 52,
      style: { fontSize: "12px", background: "transparent" },
      ariaLabel: title,
      ariaDescription: s.chartSummary,
      fx: { label: null, tickFormat: languageLabel },
      x: { axis: null, domain: systems, paddingOuter: 0.2 },
      // The metric's whole scale, so equal heights mean equal values across charts (and all-zero bars stay flat).
      y: { label: s.metricName(current), grid: true, domain: [0, metricScaleTop(current)] },
      color: { domain: systems, range: systems.map((x) => colours[x]) },
      marks: [
        Plot.barY(points, { fx: "language", x: "system", y: "mean", fill: "system", title: (p: ChartPoint) => `${languageLabel(p.language)} · ${s.systems[p.system]}: ${p.mean.toFixed(1)}` }),
        Plot.barY(
          points.filter((p) => p.zeroShot),
          { fx: "language", x: "system", y: "mean", fill: "black", className: "zero-shot-hatch" },
        ),
        Plot.ruleX(whiskers, { fx: "language", x: "system", y1: "low", y2: "high", stroke: "currentColor", strokeWidth: 1.5 }),
        Plot.tickY(whiskers, { fx: "language", x: "system", y: "low", stroke: "currentColor" }),
        Plot.tickY(whiskers, { fx: "language", x: "system", y: "high", stroke: "currentColor" }),
        Plot.ruleY([0]),
      ],
    }) as unknown as SVGSVGElement;
    // Plot has no pattern fills: the zero-shot overlay is drawn, then given the hatch.
    const ns = "http://www.w3.org/2000/svg";
    const defs = document.createElementNS(ns, "defs");
    defs.innerHTML = `<pattern id="${hatchId}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="transparent"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern>`;
    svg.insertBefore(defs, svg.firstChild);
    svg.querySelectorAll(".zero-shot-hatch rect").forEach((r) => r.setAttribute("fill", `url(#${hatchId})`));
    node.replaceChildren(svg);
    chart.current = svg;
  }, [points, width, title, current, hatchId]);

  if (!metrics.length) return null;
  const exportSvg = () => chart.current && downloadBlob(`${fileStem}.svg`, new Blob([standaloneSvg(chart.current).markup], { type: "image/svg+xml" }));
  const exportPng = () => chart.current && void svgToPng(chart.current).then((png) => downloadBlob(`${fileStem}.png`, png));
  const systems = [...new Set(points.map((p) => p.system))];

  return (
    <figure className="distribution-chart eval-chart">
      <figcaption className="chart-title">{title}</figcaption>
      <div className="list-toolbar">
        <label htmlFor={`${id}-metric`}>{s.resultColumns.metric}</label>
        <select id={`${id}-metric`} value={current} onChange={(e) => setMetric(e.target.value)}>
          {metrics.map((m) => (
            <option key={m} value={m}>
              {s.metricName(m)}
            </option>
          ))}
        </select>
      </div>
      <ul className="chart-legend" aria-label={s.resultColumns.tuned}>
        {systems.map((x) => (
          <li key={x}>
            <span className="swatch swatch-block" style={{ background: colours[x] }} aria-hidden="true" /> {s.systems[x]}
          </li>
        ))}
        {points.some((p) => p.zeroShot) ? (
          <li>
            <span className="swatch swatch-block swatch-hatched" aria-hidden="true" /> {s.tuning["zero-shot"]}
          </li>
        ) : null}
      </ul>
      <div className="bar-chart" role="img" aria-label={`${title}. ${s.chartSummary}`} data-testid="eval-chart" ref={holder} />
      <div className="button-row">
        <button type="button" onClick={exportSvg} disabled={points.length === 0}>
          {strings.runs.exportSvg}
        </button>
        <button type="button" onClick={exportPng} disabled={points.length === 0}>
          {strings.runs.exportPng}
        </button>
      </div>
    </figure>
  );
}
