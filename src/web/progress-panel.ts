import type { Dashboard } from '../modules/evaluation/index.js';
import { escapeHtml } from './layout.js';
import { axes, fmt, fmtInt, frame, legend, linear, niceDomain, pct, px, tip, type Box } from './svg-plot.js';

const SOURCES = [
  { key: 'task', label: 'labelled in Quorum', colour: '#2166ac' },
  { key: 'review', label: 'review decisions', colour: '#e08214' },
  { key: 'import', label: 'imported', colour: '#9ca3af' },
] as const;

function completionBar(c: Dashboard['completion']): string {
  const w = 640, bar = 560;
  const filled = px(bar * (c.rate ?? 0));
  const text = c.rate === null ? 'no pool or eval items yet' : `${pct(c.rate, 1)} complete: ${fmtInt(c.complete)} of ${fmtInt(c.items)} items have all the labels they want`;
  return frame(
    'completion-chart', w, 44, 'Completion rate', text,
    `<rect x="0" y="4" width="${bar}" height="18" rx="3" fill="#e5e7eb"/><rect class="completion-fill" x="0" y="4" width="${filled}" height="18" rx="3" fill="#2166ac">${tip(text)}</rect>
<text x="${bar + 8}" y="18" font-size="13" font-weight="600">${pct(c.rate, 1)}</text><text x="0" y="38">${escapeHtml(text)}</text>`,
  );
}

/** Stacked bars per day: labels given in Quorum, review decisions and imports. */
function labelsPerDayChart(days: Dashboard['labelsPerDay']): string {
  const w = 760, h = 250;
  const b: Box = { x0: 56, x1: w - 12, y0: 30, y1: h - 48 };
  const totals = days.map((d) => d.task + d.review + d.import);
  const sum = totals.reduce((s, n) => s + n, 0);
  const dom = niceDomain(0, Math.max(1, ...totals), 4);
  const y = linear(0, dom.hi, b.y1, b.y0);
  const band = (b.x1 - b.x0) / days.length;
  const bars = days.map((d, i) => {
    let base = 0;
    const x = px(b.x0 + i * band + 1);
    const rects = SOURCES.filter((s) => d[s.key] > 0).map((s) => {
      const top = y(base + d[s.key]), bottom = y(base);
      base += d[s.key];
      return `<rect x="${x}" y="${top}" width="${px(band - 2)}" height="${px(bottom - top)}" fill="${s.colour}"/>`;
    });
    const total = totals[i]!;
    const what = SOURCES.map((s) => `${d[s.key]} ${s.label}`).join(', ');
    // an invisible full-height rect gives every day, even an empty one, a tooltip
    return `<g class="day" data-date="${d.date}" data-total="${total}">${tip(`${d.date}: ${total} labels (${what})`)}<rect x="${x}" y="${b.y0}" width="${px(band - 2)}" height="${b.y1 - b.y0}" fill="transparent"/>${rects.join('')}</g>`;
  });
  const xTicks = days.flatMap((d, i) => (i % 10 === 9 || i === 0 ? [{ at: px(b.x0 + (i + 0.5) * band), label: d.date.slice(5) }] : []));
  const yTicks = dom.ticks.map((v) => ({ at: y(v), label: fmtInt(v) }));
  const desc = `${fmtInt(sum)} labels in the last ${days.length} days (${days[0]?.date} to ${days.at(-1)?.date}); busiest day ${fmtInt(Math.max(0, ...totals))}.`;
  return frame(
    'labels-per-day-chart', w, h, 'Labels per day', desc,
    axes(b, { ticks: xTicks, title: 'day (UTC, month-day)' }, { ticks: yTicks, title: 'labels' }) + bars.join('') +
      legend(b.x0 + 8, 16, SOURCES.map((s) => ({ label: s.label, colour: s.colour, shape: 'rect' as const }))) +
      (sum === 0 ? `<text x="${px((b.x0 + b.x1) / 2)}" y="${px((b.y0 + b.y1) / 2)}" text-anchor="middle" fill="#6b7280">no labels in these ${days.length} days</text>` : ''),
  );
}

interface HBar {
  id: string;
  title: string;
  unit: string;
  values: (number | null)[];
  format: (v: number) => string;
  max?: number;
  threshold?: { at: number; label: string };
}

/** One horizontal bar per annotator; the three charts share the rows so an annotator reads across. */
function hbarChart(names: string[], flagged: boolean[], c: HBar, showNames: boolean): string {
  const labelW = showNames ? Math.min(150, 14 + 7 * Math.max(6, ...names.map((n) => Math.min(20, n.length)))) : 10;
  const w = labelW + 250, rowH = 24;
  const b: Box = { x0: labelW, x1: w - 44, y0: 22, y1: 22 + names.length * rowH };
  const dom = niceDomain(0, c.max ?? Math.max(1e-9, ...c.values.map((v) => v ?? 0)), 3);
  const x = linear(0, dom.hi, b.x0, b.x1);
  const rows = names.map((n, i) => {
    const v = c.values[i] ?? null;
    const yy = b.y0 + i * rowH;
    const name = showNames ? `<text x="${labelW - 6}" y="${yy + 16}" text-anchor="end">${escapeHtml(n.length > 20 ? n.slice(0, 19) + '…' : n)}</text>` : '';
    if (v === null) return `${name}<text x="${b.x0 + 4}" y="${yy + 16}" fill="#6b7280">—${tip(`${n}: no ${c.unit}`)}</text>`;
    const colour = flagged[i] && c.threshold ? '#b3261e' : '#2166ac';
    return `${name}<rect class="ann-bar" data-metric="${c.id}" x="${b.x0}" y="${yy + 4}" width="${Math.max(1, px(x(v) - b.x0))}" height="${rowH - 8}" fill="${colour}">${tip(`${n}: ${c.format(v)} ${c.unit}${flagged[i] && c.threshold ? ', flagged: below the threshold' : ''}`)}</rect><text x="${px(x(v) + 4)}" y="${yy + 16}">${escapeHtml(c.format(v))}${flagged[i] && c.threshold ? ' ⚑' : ''}</text>`;
  });
  const grid = dom.ticks.map((t) => `<line x1="${x(t)}" x2="${x(t)}" y1="${b.y0}" y2="${b.y1}" stroke="#eceef2"/><text x="${x(t)}" y="${b.y1 + 14}" text-anchor="middle" fill="#6b7280">${escapeHtml(c.format(t))}</text>`);
  const th = c.threshold
    ? `<line x1="${x(c.threshold.at)}" x2="${x(c.threshold.at)}" y1="${b.y0 - 4}" y2="${b.y1}" stroke="#b3261e" stroke-dasharray="4 3"/><text x="${x(c.threshold.at)}" y="${b.y0 - 7}" text-anchor="middle" fill="#b3261e">${escapeHtml(c.threshold.label)}</text>`
    : '';
  const desc = names.map((n, i) => `${n}: ${c.values[i] === null || c.values[i] === undefined ? '—' : c.format(c.values[i]!)}`).join('; ');
  return frame(`annotator-${c.id}-chart`, w, b.y1 + 22, c.title, desc, `<text x="${b.x0}" y="12" font-weight="600">${escapeHtml(c.title)}</text>${grid.join('')}${rows.join('')}${th}`);
}

function annotatorCharts(d: Dashboard): string {
  if (d.annotators.length === 0) return '<p class="muted">Nobody has labelled in Quorum yet.</p>';
  const names = d.annotators.map((a) => a.annotator);
  const flagged = d.annotators.map((a) => a.flagged);
  return `<div class="chart-row">${[
    hbarChart(names, flagged, { id: 'annotations', title: 'Annotations', unit: 'annotations', values: d.annotators.map((a) => a.annotations), format: fmtInt }, true),
    hbarChart(names, flagged, { id: 'seconds', title: 'Median seconds per annotation', unit: 'seconds (median)', values: d.annotators.map((a) => a.medianSeconds), format: (v) => fmt(v, 1) }, false),
    hbarChart(names, flagged, {
      id: 'gold', title: 'Gold accuracy', unit: 'gold accuracy', values: d.annotators.map((a) => a.goldAccuracy), format: (v) => pct(v), max: 1,
      threshold: { at: d.goldThreshold, label: `flag < ${pct(d.goldThreshold)}` },
    }, false),
  ].join('')}</div>`;
}

export const CHART_STYLE = `<style>
figure.chart{margin:.4rem 0 1rem}figure.chart svg{max-width:100%;height:auto}.chart-row{display:flex;flex-wrap:wrap;gap:0 1.2rem;align-items:flex-start}
svg .axis-title{font-size:12px;fill:#374151}.stop-state{padding:.5rem .8rem;border-radius:6px;display:inline-block}
.stop-state[data-stop=true]{background:#e7f5ea;color:#14532d}.stop-state[data-stop=false]{background:#f3f4f6}tr.champion td{background:#eef4fb}tr.champion td:first-child{font-weight:600}#versions td.num{white-space:nowrap}
</style>`;

/** Labelling progress: completion, label volume per day, and the annotators side by side. */
export function progressPanel(d: Dashboard): string {
  return `${CHART_STYLE}<section id="progress"><h2>Progress</h2>
${completionBar(d.completion)}
<h3>Label volume</h3>${labelsPerDayChart(d.labelsPerDay)}
<h3>Annotators</h3>${annotatorCharts(d)}
</section>`;
}
