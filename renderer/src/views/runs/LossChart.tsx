import * as Plot from "@observablehq/plot";
import { useEffect, useId, useRef, useState } from "react";
import type { RunMetric } from "../../../../electron/shared/contract.js";
import { useContainerWidth } from "../../components/useContainerWidth.js";
import { strings } from "../../i18n/strings.js";
import { downloadBlob, standaloneSvg, svgToPng } from "./chartExport.js";
import { smoothLoss, stepTicks } from "./smoothLoss.js";

const s = strings.runs;
// Okabe–Ito: training in blue, validation in vermillion (colour-blind safe).
const colours = { train: "#0072B2", validation: "#D55E00" };
const chartHeight = 280;

/** Training loss (raw and smoothed) and validation loss by step, drawn at the width it is shown at; exports to SVG, PNG and CSV. */
export function LossChart({ metrics, runId }: { metrics: RunMetric[]; runId: string }) {
  const [holder, width] = useContainerWidth<HTMLDivElement>();
  const chart = useRef<SVGSVGElement | null>(null);
  const [log, setLog] = useState(false);
  const [smoothing, setSmoothing] = useState(0.6);
  const id = useId();
  const hasValidation = metrics.some((m) => m.valLoss !== null);
  const last = metrics.at(-1);
  const summary = last ? s.chartSummary(metrics.length, metrics[0]!.loss, last.step, last.loss) : s.noMetrics;

  useEffect(() => {
    const node = holder.current;
    if (!node || width <= 0 || metrics.length === 0) {
      node?.replaceChildren();
      chart.current = null;
      return;
    }
    const smooth = smoothLoss(
      metrics.map((m) => m.loss),
      smoothing,
    );
    const train = metrics.map((m, i) => ({ step: m.step, loss: m.loss, smooth: smooth[i] }));
    const val = metrics.filter((m) => m.valLoss !== null).map((m) => ({ step: m.step, loss: m.valLoss as number }));
    const maxStep = metrics.at(-1)?.step ?? 1;
    const svg = Plot.plot({
      width,
      height: chartHeight,
      marginLeft: 56,
      marginBottom: 40,
      style: { fontSize: "12px", background: "transparent" },
      ariaLabel: s.chartLabel,
      ariaDescription: summary,
      x: log ? { label: s.step, type: "log", grid: true, tickFormat: "d" } : { label: s.step, grid: true, ticks: stepTicks(maxStep, Math.max(3, Math.floor(width / 90))), tickFormat: "d" },
      y: { label: s.loss, grid: true },
      marks: [
        Plot.line(train, { x: "step", y: "loss", stroke: colours.train, strokeWidth: smoothing > 0 ? 1 : 2, strokeOpacity: smoothing > 0 ? 0.35 : 1 }),
        smoothing > 0 ? Plot.line(train, { x: "step", y: "smooth", stroke: colours.train, strokeWidth: 2.5 }) : null,
        Plot.line(val, { x: "step", y: "loss", stroke: colours.validation, strokeDasharray: "4,3" }),
        Plot.dot(val, { x: "step", y: "loss", fill: colours.validation, r: 3 }),
      ],
    }) as unknown as SVGSVGElement;
    node.replaceChildren(svg);
    chart.current = svg;
  }, [metrics, log, smoothing, width, summary]);

  const exportSvg = () => chart.current && downloadBlob(`polytune-run-${runId}-loss.svg`, new Blob([standaloneSvg(chart.current).markup], { type: "image/svg+xml" }));
  const exportPng = () => chart.current && void svgToPng(chart.current).then((png) => downloadBlob(`polytune-run-${runId}-loss.png`, png));
  const exportCsv = () => {
    const rows = ["step,loss,val_loss,scheduled_lr,tokens,tokens_per_second,elapsed_ms", ...metrics.map((m) => [m.step, m.loss, m.valLoss ?? "", m.scheduledLr, m.tokens, m.tokensPerSecond.toFixed(1), m.elapsedMs].join(","))];
    downloadBlob(`polytune-run-${runId}-metrics.csv`, new Blob([rows.join("\n")], { type: "text/csv" }));
  };

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{s.chartHeading}</h2>
      {metrics.length === 0 ? <p className="muted">{s.noMetrics}</p> : null}
      {metrics.length > 0 ? (
        <ul className="chart-legend" aria-label={s.legend}>
          <li>
            <span className="swatch" style={{ background: colours.train, opacity: smoothing > 0 ? 0.35 : 1 }} aria-hidden="true" /> {s.train}
          </li>
          {smoothing > 0 ? (
            <li>
              <span className="swatch swatch-thick" style={{ background: colours.train }} aria-hidden="true" /> {s.trainSmoothed}
            </li>
          ) : null}
          {hasValidation ? (
            <li>
              <span className="swatch swatch-dashed" style={{ borderColor: colours.validation }} aria-hidden="true" /> {s.validation}
            </li>
          ) : null}
        </ul>
      ) : null}
      <div className="loss-chart" role="img" aria-label={`${s.chartLabel}. ${summary}`} data-testid="loss-chart" ref={holder} />
      <div className="button-row">
        <label className="checkbox">
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> {s.logScale}
        </label>
        <label className="checkbox" htmlFor={`${id}-smoothing`}>
          {s.smoothing}
          <input id={`${id}-smoothing`} type="range" min={0} max={0.99} step={0.01} value={smoothing} aria-describedby={`${id}-smoothing-help`} onChange={(e) => setSmoothing(Number(e.target.value))} />
          <output htmlFor={`${id}-smoothing`}>{smoothing.toFixed(2)}</output>
        </label>
        <button type="button" onClick={exportSvg} disabled={metrics.length === 0}>
          {s.exportSvg}
        </button>
        <button type="button" onClick={exportPng} disabled={metrics.length === 0}>
          {s.exportPng}
        </button>
        <button type="button" onClick={exportCsv} disabled={metrics.length === 0}>
          {s.exportCsv}
        </button>
      </div>
      <p className="help" id={`${id}-smoothing-help`}>
        {s.smoothingHelp}
      </p>
    </section>
  );
}
