/**
 * The few pieces the project page's SVG charts share: scales, round ticks, axes,
 * legends and an accessible frame. Server-side strings, like the agreement heat
 * map: the page works without scripts and ships no chart library.
 */
import { escapeHtml } from './layout.js';

/** The plotting area in pixels: left, right, top, bottom. */
export interface Box {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export interface Tick {
  at: number;
  label: string;
}

/** Pixel coordinates with one decimal keep the markup small. */
export const px = (v: number) => Math.round(v * 10) / 10;

export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  return (v) => px(d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0));
}

/** A 1-2-5 step that splits [lo, hi] into about `count` parts, and the domain widened to whole steps. */
export function niceDomain(lo: number, hi: number, count = 5): { lo: number; hi: number; ticks: number[] } {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9))!;
  const from = Math.floor(lo / step + 1e-9) * step;
  const to = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; from + i * step <= to + step * 1e-9; i++) ticks.push(Number((from + i * step).toFixed(10)));
  return { lo: from, hi: to, ticks };
}

export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
export const fmt = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '—' : v.toFixed(digits));
export const pct = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(digits)}%`);

/** Linear mix of two #rrggbb colours. */
export function mix(from: string, to: string, t: number): string {
  const c = (s: string, i: number) => parseInt(s.slice(1 + 2 * i, 3 + 2 * i), 16);
  const f = Math.max(0, Math.min(1, t));
  return `rgb(${[0, 1, 2].map((i) => Math.round(c(from, i) + (c(to, i) - c(from, i)) * f)).join(',')})`;
}

/** Grid lines at the y ticks, tick labels on both axes, the axis lines and their titles. */
export function axes(b: Box, x: { ticks: Tick[]; title: string }, y: { ticks: Tick[]; title: string }): string {
  const out: string[] = [];
  for (const t of y.ticks) {
    out.push(`<line x1="${b.x0}" x2="${b.x1}" y1="${t.at}" y2="${t.at}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${b.x0 - 6}" y="${px(t.at + 4)}" text-anchor="end">${escapeHtml(t.label)}</text>`);
  }
  for (const t of x.ticks) {
    out.push(`<line x1="${t.at}" x2="${t.at}" y1="${b.y1}" y2="${b.y1 + 4}" stroke="#6b7280"/>`);
    out.push(`<text x="${t.at}" y="${b.y1 + 16}" text-anchor="middle">${escapeHtml(t.label)}</text>`);
  }
  out.push(`<path d="M${b.x0},${b.y0}V${b.y1}H${b.x1}" fill="none" stroke="#6b7280"/>`);
  out.push(`<text class="axis-title" x="${px((b.x0 + b.x1) / 2)}" y="${b.y1 + 34}" text-anchor="middle">${escapeHtml(x.title)}</text>`);
  out.push(`<text class="axis-title" transform="translate(${b.x0 - 42},${px((b.y0 + b.y1) / 2)}) rotate(-90)" text-anchor="middle">${escapeHtml(y.title)}</text>`);
  return out.join('');
}

export interface LegendItem {
  label: string;
  colour: string;
  /** rect: a swatch; dash, line: a dashed or solid line; otherwise a marker on a line. */
  shape: 'rect' | 'circle' | 'square' | 'dash' | 'line';
}

/** A one-row legend starting at (x, y); about 7px per character. */
export function legend(x: number, y: number, items: LegendItem[]): string {
  let at = x;
  return `<g class="legend">${items
    .map((it) => {
      const sw =
        it.shape === 'rect'
          ? `<rect x="${at}" y="${y - 9}" width="12" height="12" fill="${it.colour}"/>`
          : it.shape === 'dash' || it.shape === 'line'
            ? `<line x1="${at}" x2="${at + 14}" y1="${y - 3}" y2="${y - 3}" stroke="${it.colour}" stroke-width="2"${it.shape === 'dash' ? ' stroke-dasharray="4 3"' : ''}/>`
            : `<line x1="${at}" x2="${at + 14}" y1="${y - 3}" y2="${y - 3}" stroke="${it.colour}" stroke-width="2"/>${marker(it.shape, at + 7, y - 3, it.colour)}`;
      const g = `${sw}<text x="${at + 18}" y="${y}">${escapeHtml(it.label)}</text>`;
      at += 30 + 7 * it.label.length;
      return g;
    })
    .join('')}</g>`;
}

/** Circles and squares: two series stay apart without colour. `inner` holds a tooltip. */
export function marker(shape: 'circle' | 'square', x: number, y: number, colour: string, attrs = '', inner = ''): string {
  const end = inner ? `>${inner}</${shape === 'circle' ? 'circle' : 'rect'}>` : '/>';
  return shape === 'circle'
    ? `<circle cx="${x}" cy="${y}" r="4" fill="${colour}"${attrs}${end}`
    : `<rect x="${px(x - 3.5)}" y="${px(y - 3.5)}" width="7" height="7" fill="${colour}"${attrs}${end}`;
}

/** The chart's SVG with a title and a description that screen readers announce. */
export function frame(id: string, width: number, height: number, title: string, desc: string, body: string): string {
  return `<figure class="chart"><svg id="${id}" class="${id}" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11" fill="#1d2330"><title id="${id}-title">${escapeHtml(title)}</title><desc id="${id}-desc">${escapeHtml(desc)}</desc>${body}</svg></figure>`;
}

/** A `<title>` child: the tooltip of one bar, point or cell. */
export const tip = (s: string) => `<title>${escapeHtml(s)}</title>`;
