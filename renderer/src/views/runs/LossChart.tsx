import * as Plot from "@observablehq/plot";
import { useEffect, useRef, useState } from "react";
import type { RunMetric } from "../../../../electron/shared/contract.js";
import { strings } from "../../i18n/strings.js";

const s = strings.runs;
// Okabe–Ito: training in blue, validation in vermillion (colour-blind safe).
const colours = { train: "#0072B2", validation: "#D55E00" };

function download(name: string, href: string): void {
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  a.click();
}

/** Training and validation loss by step, drawn with Observable Plot; exports to SVG and PNG. */
export function LossChart({ metrics, runId }: { metrics: RunMetric[]; runId: string }) {
  const holder = useRef<HTMLDivElement>(null);
  const [log, setLog] = useState(false);

  useEffect(() => {
    const node = holder.current;
    if (!node) return;
    const train = metrics.map((m) => ({ step: m.step, loss: m.loss, series: s.train }));
    const val = metrics.filter((m) => m.valLoss !== null).map((m) => ({ step: m.step, loss: m.valLoss as number, series: s.validation }));
    const chart = Plot.plot({
      width: Math.max(320, node.clientWidth || 640),
      height: 260,
      marginLeft: 48,
      x: { label: s.step, type: log ? "log" : "linear", grid: true },
      y: { label: s.loss, grid: true },
      color: { domain: [s.train, s.validation], range: [colours.train, colours.validation], legend: true },
      marks: [
        Plot.line(train, { x: "step", y: "loss", stroke: "series", strokeWidth: 2 }),
        Plot.dot(val, { x: "step", y: "loss", fill: "series", r: 3 }),
        Plot.line(val, { x: "step", y: "loss", stroke: "series", strokeDasharray: "4,3" }),
      ],
    });
    node.replaceChildren(chart);
    return () => chart.remove();
  }, [metrics, log]);

  const svgText = (): string => {
    const svg = holder.current?.querySelector("svg");
    return svg ? new XMLSerializer().serializeToString(svg) : "";
  };
  const exportSvg = () => download(`polytune-run-${runId}-loss.svg`, `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText())}`);
  const exportPng = () => {
    const svg = holder.current?.querySelector("svg");
    if (!svg) return;
    const { width, height } = svg.getBoundingClientRect();
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = width * 2;
      canvas.height = height * 2;
      const ctx = canvas.getContext("2d");
      if (!ctx) return;
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.scale(2, 2);
      ctx.drawImage(image, 0, 0, width, height);
      download(`polytune-run-${runId}-loss.png`, canvas.toDataURL("image/png"));
    };
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText())}`;
  };
  const exportCsv = () => {
    const rows = ["step,loss,val_loss,lr,tokens,tokens_per_second,elapsed_ms", ...metrics.map((m) => [m.step, m.loss, m.valLoss ?? "", m.lr, m.tokens, m.tokensPerSecond.toFixed(1), m.elapsedMs].join(","))];
    download(`polytune-run-${runId}-metrics.csv`, `data:text/csv;charset=utf-8,${encodeURIComponent(rows.join("\n"))}`);
  };

  return (
    <section className="card" aria-labelledby="run-chart-heading">
      <h2 id="run-chart-heading">{s.chartHeading}</h2>
      {metrics.length === 0 ? <p className="muted">{s.noMetrics}</p> : null}
      <figure className="loss-chart" aria-label={s.chartLabel} data-testid="loss-chart" ref={holder} />
      <div className="button-row">
        <label className="checkbox">
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> {s.logScale}
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
    </section>
  );
}
