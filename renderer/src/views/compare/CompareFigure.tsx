import { memo, useEffect, useId, useRef, useState } from "react";
import { useContainerWidth } from "../../components/useContainerWidth.js";
import { strings } from "../../i18n/strings.js";
import { downloadBlob, standaloneSvg, svgToPng } from "../runs/chartExport.js";

const s = strings.compare;

/** Draws a figure into `document` at `width` pixels; null when there is nothing to draw. */
export type DrawFigure = (document: Document, width: number) => SVGSVGElement | null;

/**
 * One figure of the view: drawn by a shared figure builder once per (draw, width) — `draw` is memoised by
 * the caller on the result and the choices, so unrelated state changes never redraw — with SVG and PNG
 * export through the app's chart export.
 */
export const CompareFigure = memo(function CompareFigure({ title, summary, fileStem, testId, draw }: { title: string; summary: string; fileStem: string; testId: string; draw: DrawFigure }) {
  const [holder, width] = useContainerWidth<HTMLDivElement>();
  const chart = useRef<SVGSVGElement | null>(null);
  const [empty, setEmpty] = useState(false);
  const id = useId();

  useEffect(() => {
    const node = holder.current;
    if (!node || width <= 0) return;
    const svg = draw(document, width);
    chart.current = svg;
    setEmpty(svg === null);
    if (svg) node.replaceChildren(svg);
    else node.replaceChildren();
  }, [draw, width]);

  const exportSvg = () => chart.current && downloadBlob(`${fileStem}.svg`, new Blob([standaloneSvg(chart.current).markup], { type: "image/svg+xml" }));
  const exportPng = () => chart.current && void svgToPng(chart.current).then((png) => downloadBlob(`${fileStem}.png`, png));

  return (
    <figure className="distribution-chart compare-figure" data-testid={testId} aria-labelledby={`${id}-title`}>
      <figcaption className="chart-title" id={`${id}-title`}>
        {title}
      </figcaption>
      <div className="bar-chart" role="img" aria-label={`${title}. ${summary}`} data-testid={`${testId}-svg`} ref={holder} />
      {empty ? <p className="muted small">{s.noFigure}</p> : null}
      <div className="button-row">
        <button type="button" onClick={exportSvg} disabled={empty} aria-label={s.exportLabel(s.exportSvg, title)}>
          {s.exportSvg}
        </button>
        <button type="button" onClick={exportPng} disabled={empty} aria-label={s.exportLabel(s.exportPng, title)}>
          {s.exportPng}
        </button>
      </div>
    </figure>
  );
});
