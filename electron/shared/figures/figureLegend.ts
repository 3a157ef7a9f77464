import { svgNamespace, type FigureDocument, type FigureElement } from "./FigureDocument.js";

/** Okabe–Ito, a colour-blind-safe palette (UI.md), then darker tones for more than eight series. */
export const figurePalette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#4B6A88", "#8C6D31", "#5E3C99", "#1B7837"];

export const paletteFor = (count: number): string[] => Array.from({ length: count }, (_, i) => figurePalette[i % figurePalette.length]!);

export interface LegendEntry {
  label: string;
  colour: string;
  /** Drawn with the hatch pattern of this id (the zero-shot key). */
  hatch?: string;
  /** A ring instead of a square (the chosen learning rate). */
  ring?: boolean;
}

const rowHeight = 18;

/** Adds the legend under the plot, inside the SVG (so an exported file carries it), growing its height. */
export function appendLegend(document: FigureDocument, svg: FigureElement, entries: readonly LegendEntry[], width: number): void {
  if (entries.length === 0) return;
  const height = Number(svg.getAttribute("height") ?? "0");
  const group = document.createElementNS(svgNamespace, "g");
  group.setAttribute("class", "figure-legend");
  group.setAttribute("font-size", "11");
  group.setAttribute("font-family", "system-ui, sans-serif");
  // Plot sets text-anchor="middle" on its root; legend labels start after their key.
  group.setAttribute("text-anchor", "start");
  let x = 8;
  let y = height + 6;
  for (const entry of entries) {
    const w = 22 + entry.label.length * 6.2;
    if (x + w > width && x > 8) {
      x = 8;
      y += rowHeight;
    }
    const key = document.createElementNS(svgNamespace, entry.ring ? "circle" : "rect");
    if (entry.ring) {
      for (const [k, v] of [["cx", x + 6], ["cy", y + 6], ["r", 5]] as const) key.setAttribute(k, String(v));
      key.setAttribute("fill", "none");
      key.setAttribute("stroke", entry.colour);
      key.setAttribute("stroke-width", "2");
    } else {
      for (const [k, v] of [["x", x], ["y", y], ["width", 12], ["height", 12]] as const) key.setAttribute(k, String(v));
      key.setAttribute("fill", entry.hatch ? `url(#${entry.hatch})` : entry.colour);
      if (entry.hatch) {
        // The hatch is white lines: drawn over a grey square, as over a bar.
        const under = document.createElementNS(svgNamespace, "rect");
        for (const [k, v] of [["x", x], ["y", y], ["width", 12], ["height", 12]] as const) under.setAttribute(k, String(v));
        under.setAttribute("fill", entry.colour);
        group.appendChild(under);
      }
    }
    const text = document.createElementNS(svgNamespace, "text");
    text.setAttribute("x", String(x + 17));
    text.setAttribute("y", String(y + 10));
    text.setAttribute("fill", "currentColor");
    text.textContent = entry.label;
    group.appendChild(key);
    group.appendChild(text);
    x += w;
  }
  const total = y + rowHeight + 4;
  svg.appendChild(group);
  svg.setAttribute("height", String(total));
  svg.setAttribute("viewBox", `0 0 ${width} ${total}`);
}

/**
 * Plot has no pattern fills: the hatched marks are drawn with the class `className`, then their rects
 * get a diagonal white hatch over the bar's own colour (the papers' zero-shot convention).
 */
export function hatchMarks(document: FigureDocument, svg: FigureElement, className: string, id: string): void {
  const defs = document.createElementNS(svgNamespace, "defs");
  const pattern = document.createElementNS(svgNamespace, "pattern");
  for (const [k, v] of [["id", id], ["width", "6"], ["height", "6"], ["patternUnits", "userSpaceOnUse"], ["patternTransform", "rotate(45)"]] as const) pattern.setAttribute(k, v);
  const back = document.createElementNS(svgNamespace, "rect");
  for (const [k, v] of [["width", "6"], ["height", "6"], ["fill", "#00000000"]] as const) back.setAttribute(k, v);
  const line = document.createElementNS(svgNamespace, "line");
  for (const [k, v] of [["x1", "0"], ["y1", "0"], ["x2", "0"], ["y2", "6"], ["stroke", "#ffffff"], ["stroke-width", "2.5"]] as const) line.setAttribute(k, v);
  pattern.appendChild(back);
  pattern.appendChild(line);
  defs.appendChild(pattern);
  svg.insertBefore(defs, svg.firstChild);
  svg.querySelectorAll(`.${className} rect`).forEach((r) => r.setAttribute("fill", `url(#${id})`));
}
