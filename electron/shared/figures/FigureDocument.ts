// The few DOM members the figures use, so the same code draws in the browser (its document) and in
// Node (a light DOM, linkedom) without either side's DOM typings.

export interface FigureElement {
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  appendChild<T>(child: T): T;
  insertBefore<T>(child: T, before: unknown): T;
  querySelectorAll(selector: string): { forEach(fn: (element: FigureElement) => void): void; length: number };
  readonly firstChild: unknown;
  textContent: string | null;
  readonly outerHTML: string;
}

export interface FigureDocument {
  createElementNS(namespace: string, name: string): FigureElement;
}

/** What every figure takes besides its data. */
export interface FigureOptions {
  /** A browser's `document`, or a light DOM's in Node. */
  document: FigureDocument;
  width?: number;
  /** Prefix of the ids inside the SVG (the hatch pattern), unique per figure on one page. */
  idPrefix?: string;
}

export const svgNamespace = "http://www.w3.org/2000/svg";

/** A figure as a standalone SVG file's text (namespace declared, so it opens on its own). */
export function figureMarkup(svg: FigureElement): string {
  const markup = svg.outerHTML;
  return markup.includes("xmlns=") ? markup : markup.replace(/^<svg/, `<svg xmlns="${svgNamespace}"`);
}
