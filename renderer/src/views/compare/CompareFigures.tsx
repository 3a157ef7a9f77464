import { memo, useCallback, useId, useMemo } from "react";
import type { CompareRunsResult } from "../../../../electron/shared/compareContract.js";
import { categoriesFigure } from "../../../../electron/shared/figures/categoriesFigure.js";
import type { FigureDocument, FigureElement } from "../../../../electron/shared/figures/FigureDocument.js";
import { heatmapFigure } from "../../../../electron/shared/figures/heatmapFigure.js";
import { languageBarsFigure } from "../../../../electron/shared/figures/languageBarsFigure.js";
import { learningRateFigure } from "../../../../electron/shared/figures/learningRateFigure.js";
import { strings } from "../../i18n/strings.js";
import { CompareFigure, type DrawFigure } from "./CompareFigure.js";
import { figureResult, type CompareSelection } from "./compareRows.js";

const s = strings.compare;

// The shared builders (also the HTML report's) take any DOM with createElementNS; the browser's is one.
const asSvg = (element: FigureElement): SVGSVGElement => element as unknown as SVGSVGElement;
const figureDocument = (document: Document): FigureDocument => document as unknown as FigureDocument;

/** The four figures of the papers, each drawn once per result and choice (memoised), each exportable as SVG and PNG. */
export const CompareFigures = memo(function CompareFigures({ result, selection, fileStem }: { result: CompareRunsResult; selection: CompareSelection; fileStem: string }) {
  const id = useId().replace(/[^a-zA-Z0-9]/g, "");
  const { suite, metric } = selection;
  const metricName = strings.evaluate.metricName(metric);
  const drawn = useMemo(() => figureResult(result, selection), [result, selection]);
  const has = useMemo(
    () => ({
      heatmap: result.heatmap.some((h) => h.suite === suite),
      lr: result.learningRates.some((p) => p.suite === suite && p.metric === metric),
      categories: result.categories.some((c) => c.suite === suite && c.metric === metric),
    }),
    [result, suite, metric],
  );

  const languages = useCallback<DrawFigure>(
    (document, width) => (drawn.cells.some((c) => c.language !== null && c.suite === suite && c.metric === metric) ? asSvg(languageBarsFigure(drawn, { document: figureDocument(document), width, idPrefix: `${id}languages`, suite, metric, title: s.figures.languages(metricName) })) : null),
    [drawn, suite, metric, metricName, id],
  );
  const heatmap = useCallback<DrawFigure>((document, width) => asSvg(heatmapFigure(result, { document: figureDocument(document), width, idPrefix: `${id}heatmap`, suite, title: s.figures.heatmap })), [result, suite, id]);
  const lr = useCallback<DrawFigure>(
    (document, width) => asSvg(learningRateFigure(result, { document: figureDocument(document), width, idPrefix: `${id}lr`, suite, metric, title: s.figures.lr(metricName) })),
    [result, suite, metric, metricName, id],
  );
  const categories = useCallback<DrawFigure>(
    (document, width) => asSvg(categoriesFigure(result, { document: figureDocument(document), width, idPrefix: `${id}categories`, suite, metric, title: s.figures.categories(metricName) })),
    [result, suite, metric, metricName, id],
  );

  return (
    <section className="card compare-figures" aria-label={s.figuresHeading} data-testid="compare-figures">
      <h2>{s.figuresHeading}</h2>
      <CompareFigure title={s.figures.languages(metricName)} summary={s.figureSummaries.languages} fileStem={`${fileStem}-languages`} testId="compare-figure-languages" draw={languages} />
      {has.heatmap ? <CompareFigure title={s.figures.heatmap} summary={s.figureSummaries.heatmap} fileStem={`compare-${suite}-heatmap`} testId="compare-figure-heatmap" draw={heatmap} /> : null}
      {has.lr ? <CompareFigure title={s.figures.lr(metricName)} summary={s.figureSummaries.lr} fileStem={`${fileStem}-lr`} testId="compare-figure-lr" draw={lr} /> : null}
      {has.categories ? <CompareFigure title={s.figures.categories(metricName)} summary={s.figureSummaries.categories} fileStem={`${fileStem}-categories`} testId="compare-figure-categories" draw={categories} /> : null}
    </section>
  );
});
