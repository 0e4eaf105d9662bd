/**
 * The files a simulation writes: `curves.csv` (one row per evaluation point),
 * `curves.svg` (learning curves, mean ± sd band per strategy) and `report.html`
 * (self-contained: inline SVG and CSS, no scripts, no external assets). String
 * builders only; simulate.service.ts writes them.
 */
import { curveBand, type CurvePoint } from './metrics.js';
import { formatInterval, formatLabels, RELATIVE_TARGETS, type StrategySummary } from './summary.js';

export const CSV_HEADER = 'strategy,seed,labels,accuracy,macro_f1';

const num = (x: number, d = 6): string => String(Number(x.toFixed(d)));

export function curvesCsv(runs: readonly { strategy: string; seed: number; points: readonly CurvePoint[] }[]): string {
  const lines = [CSV_HEADER];
  for (const r of runs) for (const p of r.points) lines.push(`${r.strategy},${r.seed},${p.labels},${num(p.accuracy)},${num(p.macroF1)}`);
  return lines.join('\n') + '\n';
}

/** Tableau 10, then greys. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export const colourOf = (i: number): string => PALETTE[i % PALETTE.length]!;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Round tick values covering [lo, hi] (about `count` of them). */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

export interface ChartSeries {
  name: string;
  curves: readonly (readonly CurvePoint[])[];
}

export interface ChartOptions {
  title: string;
  metric?: 'accuracy' | 'macroF1';
  /** Horizontal reference lines (e.g. the full-pool accuracy). */
  references?: { value: number; label: string }[];
  width?: number;
  height?: number;
}

/** Learning curves: one line (mean over seeds) and one band (± sd) per series, as a standalone SVG document. */
export function learningCurveSvg(series: readonly ChartSeries[], opts: ChartOptions): string {
  const W = opts.width ?? 820, H = opts.height ?? 460;
  const m = { left: 62, right: 170, top: 40, bottom: 52 };
  const metric = opts.metric ?? 'accuracy';
  const bands = series.map((s) => curveBand(s.curves, metric));
  const xs = bands.flatMap((b) => b.map((p) => p.labels));
  const ys = bands.flatMap((b) => b.flatMap((p) => [p.mean - p.sd, p.mean + p.sd]));
  for (const r of opts.references ?? []) ys.push(r.value);
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1);
  const y0 = Math.max(0, Math.floor(Math.min(...ys) * 20) / 20), y1 = Math.min(1, Math.ceil(Math.max(...ys) * 20) / 20);
  const yHi = y1 > y0 ? y1 : y0 + 0.05;
  const px = (v: number) => m.left + ((v - x0) / (x1 - x0)) * (W - m.left - m.right);
  const py = (v: number) => H - m.bottom - ((v - y0) / (yHi - y0)) * (H - m.top - m.bottom);
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`);
  out.push(`<title>${escapeXml(opts.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${m.left}" y="22" font-size="15" font-weight="600" fill="#222">${escapeXml(opts.title)}</text>`);
  // grid and axes
  for (const t of niceTicks(y0, yHi, 8)) {
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${f(py(t))}" y2="${f(py(t))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 8}" y="${f(py(t) + 4)}" text-anchor="end" fill="#444">${num(t, 3)}</text>`);
  }
  for (const t of niceTicks(x0, x1, 8)) {
    out.push(`<line x1="${f(px(t))}" x2="${f(px(t))}" y1="${m.top}" y2="${H - m.bottom}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${f(px(t))}" y="${H - m.bottom + 18}" text-anchor="middle" fill="#444">${num(t, 3)}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 12}" text-anchor="middle" fill="#222">labels</text>`);
  out.push(`<text transform="translate(16 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle" fill="#222">test ${metric === 'accuracy' ? 'accuracy' : 'macro-F1'} (mean ± sd over seeds)</text>`);
  // Reference lines; their labels go on top of the curves (below), at the left end of the plot:
  // above the line, or below it (further down) when an earlier label is too close.
  const refLabels: string[] = [];
  const taken: number[] = [];
  for (const r of [...(opts.references ?? [])].sort((a, b) => b.value - a.value)) {
    if (r.value < y0 || r.value > yHi) continue;
    const y = py(r.value);
    out.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${f(y)}" y2="${f(y)}" stroke="#555" stroke-dasharray="5 4"/>`);
    let ty = y - 4;
    for (let step = 1; taken.some((t) => Math.abs(t - ty) < 13) && step < 10; step++) ty = y + 13 * step;
    taken.push(ty);
    refLabels.push(
      `<text x="${m.left + 6}" y="${f(ty)}" fill="#333" font-size="11" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeXml(r.label)}</text>`,
    );
  }
  bands.forEach((b, i) => {
    const c = colourOf(i);
    if (b.length > 1) {
      const upper = b.map((p) => `${f(px(p.labels))},${f(py(Math.min(yHi, p.mean + p.sd)))}`);
      const lower = b.map((p) => `${f(px(p.labels))},${f(py(Math.max(y0, p.mean - p.sd)))}`).reverse();
      out.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${c}" fill-opacity="0.16" stroke="none"/>`);
    }
    out.push(`<polyline points="${b.map((p) => `${f(px(p.labels))},${f(py(p.mean))}`).join(' ')}" fill="none" stroke="${c}" stroke-width="2"/>`);
  });
  out.push(...refLabels);
  series.forEach((s, i) => {
    const y = m.top + 14 + i * 20;
    out.push(`<line x1="${W - m.right + 12}" x2="${W - m.right + 34}" y1="${y - 4}" y2="${y - 4}" stroke="${colourOf(i)}" stroke-width="3"/>`);
    out.push(`<text x="${W - m.right + 40}" y="${y}" fill="#222">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export interface ReportInput {
  title: string;
  /** Rows of [setting, value] describing the run. */
  settings: [string, string][];
  fullPool: { mean: number; sd: number; perSeed: { seed: number; accuracy: number; macroF1: number }[] } | null;
  budget: number;
  summaries: readonly StrategySummary[];
  accuracySvg: string;
  macroF1Svg: string;
  notes: string[];
}

const h = escapeXml;

export function reportHtml(r: ReportInput): string {
  const hasTarget = r.summaries.some((s) => s.labelsToAccuracy);
  const target = r.summaries.find((s) => s.labelsToAccuracy)?.labelsToAccuracy?.target;
  const relative = r.fullPool ? RELATIVE_TARGETS : [];
  const head = [
    'strategy',
    ...relative.map((f) => `labels to ${Math.round(f * 100)}% of full-pool acc.`),
    ...(hasTarget ? [`labels to acc. ${target}`] : []),
    'AULC (normalised)',
    `final acc. (${r.budget} labels)`,
    'Δ AULC vs random [95% CI]',
    ...(r.fullPool ? ['Δ labels to 98% vs random [95% CI]'] : []),
  ];
  const rows = r.summaries.map((s) => [
    s.strategy,
    ...s.labelsTo.map((t) => formatLabels(t, r.budget)),
    ...(hasTarget ? [s.labelsToAccuracy ? formatLabels(s.labelsToAccuracy, r.budget) : '—'] : []),
    `${s.aulc.mean.toFixed(4)} ± ${s.aulc.sd.toFixed(4)}`,
    `${s.finalAccuracy.mean.toFixed(4)} ± ${s.finalAccuracy.sd.toFixed(4)}`,
    s.strategy === 'random' ? '(reference)' : formatInterval(s.vsRandom?.aulc, 4),
    ...(r.fullPool ? [s.strategy === 'random' ? '(reference)' : formatInterval(s.vsRandom?.labelsTo98, 0)] : []),
  ]);
  const tableHtml = (header: string[], body: string[][]) =>
    `<table><thead><tr>${header.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead><tbody>${body
      .map((row) => `<tr>${row.map((c, i) => (i === 0 ? `<th scope="row">${h(c)}</th>` : `<td>${h(c)}</td>`)).join('')}</tr>`)
      .join('')}</tbody></table>`;
  const seeds = r.summaries[0]?.seeds ?? [];
  const perSeedTarget = (s: StrategySummary) => (r.fullPool ? s.labelsTo[1]?.perSeed : s.labelsToAccuracy?.perSeed) ?? [];
  const perSeedWhat = r.fullPool ? 'labels to 98% of full-pool accuracy' : r.summaries[0]?.labelsToAccuracy ? `labels to accuracy ${r.summaries[0].labelsToAccuracy.target}` : null;
  const perSeed = r.summaries.map((s) => [
    s.strategy,
    ...(perSeedWhat ? perSeedTarget(s).map((v) => (v === null ? `> ${r.budget}` : String(v))) : []),
    ...s.aulc.perSeed.map((v) => v.toFixed(4)),
  ]);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(r.title)}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; } thead th { background: #f4f4f4; text-align: center; }
.settings td, .settings th { text-align: left; }
figure { margin: 1rem 0; } svg { max-width: 100%; height: auto; }
.notes li { margin: 0.25rem 0; } code { background: #f4f4f4; padding: 0 0.2rem; }
</style>
</head>
<body>
<h1>${h(r.title)}</h1>
<table class="settings"><tbody>${r.settings.map(([k, v]) => `<tr><th scope="row">${h(k)}</th><td>${h(v)}</td></tr>`).join('')}</tbody></table>
${
  r.fullPool
    ? `<p>Full-pool accuracy (model trained on every pool row): <strong>${r.fullPool.mean.toFixed(4)}</strong> ± ${r.fullPool.sd.toFixed(4)}
(${r.fullPool.perSeed.map((p) => `seed ${p.seed}: ${p.accuracy.toFixed(4)}`).join(', ')}).</p>`
    : '<p>Full-pool accuracy: not computed (<code>--no-full-pool</code>), so there are no targets relative to it.</p>'
}
<h2>Learning curves</h2>
<figure>${r.accuracySvg}</figure>
<h2>Labels needed, area under the curve, and paired differences from random</h2>
${tableHtml(head, rows)}
<h2>Per seed: ${perSeedWhat ? `${h(perSeedWhat)}, then ` : ''}AULC</h2>
${tableHtml(['strategy', ...(perSeedWhat ? seeds.map((s) => `seed ${s}: labels`) : []), ...seeds.map((s) => `seed ${s}: AULC`)], perSeed)}
<h2>Macro-F1</h2>
<figure>${r.macroF1Svg}</figure>
<h2>How the figures are computed</h2>
<ul class="notes">${r.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>
</body>
</html>
`;
}
