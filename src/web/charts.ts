import { escapeHtml } from './layout.js';

/** Diverging colour for a kappa-like value in [-1, 1]: red below 0, white at 0, blue at 1. */
export function heatColour(v: number | null): string {
  if (v === null) return '#eeeeee';
  const t = Math.max(-1, Math.min(1, v));
  const mix = (a: number, b: number, f: number) => Math.round(a + (b - a) * f);
  return t >= 0 ? `rgb(${mix(255, 33, t)},${mix(255, 102, t)},${mix(255, 172, t)})` : `rgb(${mix(255, 178, -t)},${mix(255, 24, -t)},${mix(255, 43, -t)})`;
}

/**
 * The pairwise agreement matrix as an SVG heat map: one cell per annotator pair,
 * coloured by kappa, with the value written in it (grey: no shared items).
 */
export function heatmapSvg(names: string[], matrix: (number | null)[][], caption: string): string {
  const cell = 44;
  const labelWidth = Math.min(160, 12 + 7 * Math.max(4, ...names.map((n) => n.length)));
  const size = names.length * cell;
  const width = labelWidth + size + 10;
  const height = labelWidth + size + 10;
  const parts: string[] = [];
  names.forEach((name, i) => {
    const short = escapeHtml(name.length > 20 ? name.slice(0, 19) + '…' : name);
    parts.push(`<text x="${labelWidth - 6}" y="${labelWidth + i * cell + cell / 2 + 4}" text-anchor="end">${short}</text>`);
    parts.push(`<text transform="translate(${labelWidth + i * cell + cell / 2 + 4},${labelWidth - 6}) rotate(-60)">${short}</text>`);
  });
  matrix.forEach((row, i) =>
    row.forEach((v, j) => {
      const x = labelWidth + j * cell, y = labelWidth + i * cell;
      const dark = v !== null && Math.abs(v) > 0.6;
      parts.push(`<rect x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" fill="${heatColour(v)}"><title>${escapeHtml(names[i]!)} × ${escapeHtml(names[j]!)}: ${v === null ? 'no shared items' : v.toFixed(3)}</title></rect>`);
      parts.push(`<text x="${x + cell / 2 - 1}" y="${y + cell / 2 + 3}" text-anchor="middle" fill="${dark ? '#fff' : '#222'}">${v === null ? '–' : v.toFixed(2)}</text>`);
    }),
  );
  return `<svg class="heatmap" role="img" aria-label="${escapeHtml(caption)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">${parts.join('')}</svg>`;
}
