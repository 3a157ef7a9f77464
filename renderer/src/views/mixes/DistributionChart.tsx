import * as Plot from "@observablehq/plot";
import { useEffect, useRef } from "react";
import { useContainerWidth } from "../../components/useContainerWidth.js";
import { strings } from "../../i18n/strings.js";
import { downloadBlob, standaloneSvg, svgToPng } from "../runs/chartExport.js";
import type { BarSegment } from "./distributionData.js";

const s = strings.mixes.chart;
const chartHeight = 260;

export interface DistributionChartProps {
  bars: BarSegment[];
  /** The bars in order. */
  xDomain: string[];
  /** The colours' keys in order, with a colour and a name each. */
  fills: { key: string; colour: string; label: string }[];
  xLabel: string;
  yLabel: string;
  /** What the legend lists ("Provenance", "Language"). */
  legendLabel: string;
  /** A bar's label on the axis ("de · Deutsch", a mix's name). */
  xTick: (x: string) => string;
  title: string;
  /** One sentence saying what the chart shows, for screen readers and the SVG's description. */
  summary: string;
  fileStem: string;
  testId: string;
}

/**
 * A stacked bar chart in the loss chart's conventions: drawn by Observable Plot at the width it is
 * shown at, labelled axes, an accessible name and description, each segment titled with its value,
 * exports to SVG, PNG and CSV.
 */
export function DistributionChart(props: DistributionChartProps) {
  const { bars, xDomain, fills, xLabel, yLabel, legendLabel, xTick, title, summary, fileStem, testId } = props;
  const [holder, width] = useContainerWidth<HTMLDivElement>();
  const chart = useRef<SVGSVGElement | null>(null);

  useEffect(() => {
    const node = holder.current;
    if (!node || width <= 0 || bars.length === 0) {
      node?.replaceChildren();
      chart.current = null;
      return;
    }
    const label = new Map(fills.map((f) => [f.key, f.label]));
    // Long tick labels (mix names) turn when there are many bars, so none overlap.
    const turn = xDomain.length * 90 > width;
    const svg = Plot.plot({
      width,
      height: chartHeight + (turn ? 60 : 0),
      marginLeft: 64,
      marginBottom: turn ? 100 : 44,
      style: { fontSize: "12px", background: "transparent" },
      ariaLabel: title,
      ariaDescription: summary,
      x: { label: xLabel, domain: xDomain, tickFormat: xTick, ...(turn ? { tickRotate: -30 } : {}) },
      y: { label: yLabel, grid: true, tickFormat: "~s" },
      color: { domain: fills.map((f) => f.key), range: fills.map((f) => f.colour) },
      marks: [
        Plot.barY(bars, { x: "x", y: "value", fill: "fill", title: (b: BarSegment) => s.segment(xTick(b.x), label.get(b.fill) ?? b.fill, b.value), stroke: "var(--surface, #fff)", strokeWidth: 0.5 }),
        Plot.ruleY([0]),
      ],
    }) as unknown as SVGSVGElement;
    node.replaceChildren(svg);
    chart.current = svg;
  }, [bars, xDomain, fills, xLabel, yLabel, xTick, title, summary, width]);

  const exportSvg = () => chart.current && downloadBlob(`${fileStem}.svg`, new Blob([standaloneSvg(chart.current).markup], { type: "image/svg+xml" }));
  const exportPng = () => chart.current && void svgToPng(chart.current).then((png) => downloadBlob(`${fileStem}.png`, png));
  const exportCsv = () => {
    const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const rows = [[xLabel, legendLabel, yLabel].map(quote).join(","), ...bars.map((b) => [b.x, b.fill, String(b.value)].map(quote).join(","))];
    downloadBlob(`${fileStem}.csv`, new Blob([rows.join("\n")], { type: "text/csv" }));
  };
  const used = fills.filter((f) => bars.some((b) => b.fill === f.key));

  return (
    <figure className="distribution-chart">
      <figcaption className="chart-title">{title}</figcaption>
      {used.length ? (
        <ul className="chart-legend" aria-label={legendLabel}>
          {used.map((f) => (
            <li key={f.key}>
              <span className="swatch swatch-block" style={{ background: f.colour }} aria-hidden="true" /> {f.label}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="bar-chart" role="img" aria-label={`${title}. ${summary}`} data-testid={testId} ref={holder} />
      <div className="button-row">
        <button type="button" onClick={exportSvg} disabled={bars.length === 0}>
          {strings.runs.exportSvg}
        </button>
        <button type="button" onClick={exportPng} disabled={bars.length === 0}>
          {strings.runs.exportPng}
        </button>
        <button type="button" onClick={exportCsv} disabled={bars.length === 0}>
          {s.exportCsv}
        </button>
      </div>
    </figure>
  );
}
