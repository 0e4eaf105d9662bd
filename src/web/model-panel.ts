import type { Dashboard } from '../modules/evaluation/index.js';
import { escapeHtml } from './layout.js';
import { axes, fmt, fmtInt, frame, legend, linear, marker, mix, niceDomain, pct, px, tip, type Box } from './svg-plot.js';

type Point = Dashboard['learningCurve'][number];
const SERIES = [
  { key: 'accuracy', label: 'accuracy', colour: '#2166ac', shape: 'circle' },
  { key: 'macroF1', label: 'macro-F1', colour: '#e08214', shape: 'square' },
] as const;

const ci = (c: [number, number] | null) => (c ? `[${fmt(c[0])}, ${fmt(c[1])}]` : '');

/** Eval accuracy and macro-F1 against training labels, with the 95% bootstrap interval as whiskers and a band. */
function learningCurve(points: Point[], champion: number | null): string {
  const shown = points.filter((p): p is Point & { trainingLabels: number } => p.trainingLabels !== null).sort((a, b) => a.trainingLabels - b.trainingLabels);
  if (shown.length === 0) return '<p class="muted">No evaluated version that Quorum trained yet: the curve needs training-set sizes.</p>';
  const w = 640, h = 320;
  const b: Box = { x0: 60, x1: w - 20, y0: 34, y1: h - 50 };
  const ys = shown.flatMap((p) => SERIES.flatMap((s) => [p[s.key].value, ...(p[s.key].ci ?? [])])).filter((v): v is number => v !== null);
  if (ys.length === 0) return '<p class="muted">The evaluated versions have no accuracy or macro-F1 (no eval rows).</p>';
  const yd = niceDomain(Math.max(0, Math.min(...ys) - 0.02), Math.min(1, Math.max(...ys) + 0.02), 5);
  const xd = niceDomain(0, Math.max(...shown.map((p) => p.trainingLabels)), 5);
  const x = linear(xd.lo, xd.hi, b.x0, b.x1), y = linear(yd.lo, Math.min(1, yd.hi), b.y1, b.y0);
  const parts: string[] = [axes(b, { ticks: xd.ticks.map((v) => ({ at: x(v), label: fmtInt(v) })), title: 'labels in the training set' }, { ticks: yd.ticks.filter((v) => v <= 1).map((v) => ({ at: y(v), label: v.toFixed(2) })), title: 'score on the eval items' })];
  SERIES.forEach((s, si) => {
    const dx = si === 0 ? -3 : 3; // the two series' whiskers side by side, not on top of each other
    const withCi = shown.filter((p) => p[s.key].ci);
    if (withCi.length >= 2) {
      const upper = withCi.map((p) => `${x(p.trainingLabels)},${y(p[s.key].ci![1])}`), lower = withCi.map((p) => `${x(p.trainingLabels)},${y(p[s.key].ci![0])}`).reverse();
      parts.push(`<polygon class="lc-band" points="${[...upper, ...lower].join(' ')}" fill="${s.colour}" fill-opacity="0.13"/>`);
    }
    const line = shown.filter((p) => p[s.key].value !== null).map((p) => `${x(p.trainingLabels) + dx},${y(p[s.key].value!)}`);
    if (line.length > 1) parts.push(`<polyline points="${line.join(' ')}" fill="none" stroke="${s.colour}" stroke-width="2"/>`);
    for (const p of shown) {
      const m = p[s.key];
      if (m.value === null) continue;
      const px0 = x(p.trainingLabels) + dx;
      if (m.ci) parts.push(`<path class="lc-whisker" d="M${px0},${y(m.ci[0])}V${y(m.ci[1])}M${px0 - 3},${y(m.ci[0])}h6M${px0 - 3},${y(m.ci[1])}h6" stroke="${s.colour}" fill="none"/>`);
      const t = `v${p.version}${p.version === champion ? ' (champion)' : ''}: ${fmtInt(p.trainingLabels)} training labels, ${s.label} ${fmt(m.value)} ${ci(m.ci)} on ${fmtInt(p.evalItems)} eval items`;
      parts.push(marker(s.shape, px0, y(m.value), s.colour, ` class="lc-point" data-series="${s.key}" data-version="${p.version}"`, tip(t)));
    }
  });
  const champ = shown.find((p) => p.version === champion);
  if (champ && champ.macroF1.value !== null) {
    const cx = x(champ.trainingLabels) + 3, cy = y(champ.macroF1.value);
    parts.push(`<circle class="lc-champion" cx="${cx}" cy="${cy}" r="9" fill="none" stroke="#1d2330" stroke-width="1.5"/><text x="${cx}" y="${px(cy - 13)}" text-anchor="middle" font-weight="600">★ v${champ.version}</text>`);
  }
  parts.push(legend(b.x0 + 8, 18, [...SERIES.map((s) => ({ label: s.label, colour: s.colour, shape: s.shape })), { label: '95% bootstrap interval', colour: '#9ca3af', shape: 'rect' as const }]));
  const last = shown.at(-1)!;
  const desc = `${shown.length} versions. Latest, v${last.version} with ${fmtInt(last.trainingLabels)} training labels: accuracy ${fmt(last.accuracy.value)} ${ci(last.accuracy.ci)}, macro-F1 ${fmt(last.macroF1.value)} ${ci(last.macroF1.ci)}.`;
  const off = points.filter((p) => p.trainingLabels === null).map((p) => `v${p.version}`);
  return frame('learning-curve-chart', w, h, 'Learning curve', desc, parts.join('')) + (off.length ? `<p class="muted">Not on the curve (not trained by Quorum, so no training-set size): ${off.join(', ')}.</p>` : '');
}

function versionsTable(d: Dashboard): string {
  if (d.versions.length === 0) return '<p class="muted">No model version yet: <code>quorum train</code>, or set <code>retrainEveryNewLabels</code> and let the loop train.</p>';
  const rows = d.versions.map((v) => {
    const decision = v.decision === null ? '<span class="muted">—</span>' : v.decision === 'promoted' ? '<strong>promoted</strong>' : 'not promoted';
    return `<tr${v.champion ? ' class="champion"' : ''} data-version="${v.version}"><td>v${v.version}${v.champion ? ' <span title="the champion: serves suggestions and selects batches">★ champion</span>' : ''}</td><td>${escapeHtml(v.kind)}</td>
<td class="num">${v.trainingLabels === null ? '—' : fmtInt(v.trainingLabels)}</td><td class="num">${v.evalItems === null ? '—' : fmtInt(v.evalItems)}</td>
<td class="num">${fmt(v.accuracy)} <span class="muted">${ci(v.intervals.accuracy)}</span></td><td class="num">${fmt(v.macroF1)} <span class="muted">${ci(v.intervals.macroF1)}</span></td>
<td>${decision}</td><td class="muted">${escapeHtml(v.reason ?? '')}</td><td class="muted">${escapeHtml(v.createdAt.slice(0, 16).replace('T', ' '))}</td></tr>`;
  });
  return `<table id="versions"><thead><tr><th>version</th><th>kind</th><th>training labels</th><th>eval items</th><th>accuracy [95%]</th><th>macro-F1 [95%]</th><th>decision</th><th>reason</th><th>created (UTC)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const whose = (x: { version: number; champion: boolean }) => (x.champion ? `champion v${x.version}` : `v${x.version}, the newest evaluated version (nothing promoted yet)`);

/** Cells coloured by the share of the true label's items (recall along the diagonal), counts written in. */
function confusionHeatmap(c: NonNullable<Dashboard['confusion']>): string {
  const k = c.labels.length;
  const cell = Math.max(14, Math.min(40, Math.floor(440 / Math.max(1, k))));
  const labelW = Math.min(130, 18 + 7 * Math.max(2, ...c.labels.map((l) => Math.min(16, l.length))));
  const x0 = labelW + 22, y0 = labelW + 22;
  const short = (l: string) => escapeHtml(l.length > 16 ? l.slice(0, 15) + '…' : l);
  const parts: string[] = [`<text class="axis-title" x="${x0 + (k * cell) / 2}" y="12" text-anchor="middle">predicted</text>`, `<text class="axis-title" transform="translate(12,${y0 + (k * cell) / 2}) rotate(-90)" text-anchor="middle">true label</text>`];
  let total = 0, right = 0;
  c.labels.forEach((l, i) => {
    parts.push(`<text x="${x0 - 6}" y="${y0 + i * cell + cell / 2 + 4}" text-anchor="end">${short(l)}</text>`);
    parts.push(`<text transform="translate(${x0 + i * cell + cell / 2 + 4},${y0 - 6}) rotate(-60)">${short(l)}</text>`);
    const row = c.counts[i] ?? [];
    const n = row.reduce((s, v) => s + v, 0);
    total += n;
    right += row[i] ?? 0;
    c.labels.forEach((p, j) => {
      const v = row[j] ?? 0, share = n ? v / n : 0;
      const t = `true ${l}, predicted ${p}: ${v} item${v === 1 ? '' : 's'}${n ? ` (${pct(share)} of true ${l})` : ''}`;
      parts.push(`<rect class="cm-cell" data-true="${i}" data-pred="${j}" data-count="${v}" x="${x0 + j * cell}" y="${y0 + i * cell}" width="${cell - 1}" height="${cell - 1}" fill="${v ? mix('#f0f4fa', i === j ? '#2166ac' : '#b3261e', 0.15 + 0.85 * share) : '#f7f8fa'}">${tip(t)}</rect>`);
      if (v && cell >= 22) parts.push(`<text x="${x0 + j * cell + cell / 2 - 0.5}" y="${y0 + i * cell + cell / 2 + 4}" text-anchor="middle" fill="${share > 0.55 ? '#fff' : '#1d2330'}" font-size="${cell >= 30 ? 11 : 9}">${v}</text>`);
    });
  });
  const size = x0 + k * cell + 10;
  const desc = `${whose(c)}: ${fmtInt(right)} of ${fmtInt(total)} eval items on the diagonal (${pct(total ? right / total : null, 1)}). Rows are true labels, columns predictions; blue: right, red: wrong, darker: a larger share of the row.`;
  return frame('confusion-chart', size, y0 + k * cell + 10, `Confusion matrix of ${whose(c)}`, desc, parts.join(''));
}

/** Reliability diagram: accuracy per confidence bin against the diagonal, the gap shaded, and how many items each bin holds. */
function reliabilityDiagram(cal: NonNullable<Dashboard['calibration']>): string {
  const w = 400;
  const b: Box = { x0: 56, x1: w - 36, y0: 30, y1: 290 };
  const x = linear(0, 1, b.x0, b.x1), y = linear(0, 1, b.y1, b.y0);
  const t5 = [0, 0.2, 0.4, 0.6, 0.8, 1];
  const parts = [axes(b, { ticks: t5.map((v) => ({ at: x(v), label: v.toFixed(1) })), title: 'confidence (top probability)' }, { ticks: t5.map((v) => ({ at: y(v), label: v.toFixed(1) })), title: 'accuracy' })];
  parts.push(`<line class="cal-diagonal" x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#6b7280" stroke-dasharray="5 4"/>`);
  const maxCount = Math.max(1, ...cal.bins.map((bin) => bin.count));
  const hy0 = b.y1 + 62, hh = 44;
  for (const bin of cal.bins) {
    const bx = px(x(bin.lower) + 1), bw = px(x(bin.upper) - x(bin.lower) - 2);
    const t = `(${bin.lower.toFixed(2)}, ${bin.upper.toFixed(2)}]: ${bin.count} items${bin.count ? `, mean confidence ${fmt(bin.confidence)}, accuracy ${fmt(bin.accuracy)}` : ''}`;
    if (bin.count > 0 && bin.accuracy !== null && bin.confidence !== null) {
      const [a, c2] = [y(bin.accuracy), y(bin.confidence)];
      parts.push(`<rect class="cal-bin" x="${bx}" y="${a}" width="${bw}" height="${px(b.y1 - a)}" fill="#2166ac" fill-opacity="0.8">${tip(t)}</rect>`);
      // shaded only above the bar: inside it the shade would blend into a third colour
      if (c2 < a) parts.push(`<rect class="cal-gap" x="${bx}" y="${c2}" width="${bw}" height="${px(a - c2)}" fill="#b3261e" fill-opacity="0.3">${tip(t)}</rect>`);
      parts.push(`<line class="cal-confidence" x1="${bx}" x2="${px(bx + bw)}" y1="${c2}" y2="${c2}" stroke="#1d2330" stroke-width="2"/>`);
    }
    const hgt = px((hh * bin.count) / maxCount);
    if (bin.count > 0) parts.push(`<rect class="cal-count" x="${bx}" y="${px(hy0 + hh - hgt)}" width="${bw}" height="${hgt}" fill="#9ca3af">${tip(t)}</rect>`);
  }
  parts.push(`<text x="${b.x0}" y="${hy0 - 4}" fill="#6b7280">items per bin (max ${fmtInt(maxCount)})</text><line x1="${b.x0}" x2="${b.x1}" y1="${hy0 + hh}" y2="${hy0 + hh}" stroke="#6b7280"/>`);
  parts.push(legend(8, 16, [{ label: 'accuracy', colour: '#2166ac', shape: 'rect' }, { label: 'mean confidence', colour: '#1d2330', shape: 'line' }, { label: 'over-confidence', colour: '#e8a8a5', shape: 'rect' }]));
  const used = cal.bins.filter((bin) => bin.count > 0).length;
  const desc = `${whose(cal)}: expected calibration error ${fmt(cal.ece)} over ${cal.bins.length} equal-width bins (${used} hold items). A bar below its confidence mark is over-confident, above it under-confident; the dashed diagonal is perfect calibration.`;
  return frame('calibration-chart', w, hy0 + hh + 8, `Calibration of ${whose(cal)} (ECE ${fmt(cal.ece)})`, desc, parts.join(''));
}

/** Kappa between successive versions' stop-set predictions, the rolling mean the rule uses, and the threshold. */
function stoppingChart(s: Dashboard['stopping']): string {
  const last = s.pairs.slice(-s.window).map((p) => p.kappa);
  const mean = last.length === s.window && last.every((k) => k !== null) ? (last as number[]).reduce((a, k) => a + k, 0) / s.window : null;
  const since = s.pairs[s.since ?? 0];
  const detail = s.stop
    ? `successive versions agree on the stop set (mean kappa of the last ${s.window} pairs ≥ ${s.threshold}) since v${since?.from}→v${since?.to}. More labels are unlikely to change the model's predictions.`
    : s.pairs.length < s.window
      ? `the signal needs ${s.window} pairs of successive evaluated versions; there ${s.pairs.length === 1 ? 'is' : 'are'} ${s.pairs.length}.`
      : mean === null
        ? `a pair among the last ${s.window} has no kappa (both versions predicted a single class), which never counts as stable.`
        : `the mean kappa of the last ${s.window} pairs is ${fmt(mean)}, below the threshold ${s.threshold}.`;
  const headline = s.stop ? 'Suggested stop' : 'Keep labelling';
  const state = `${headline}: ${detail}`;
  const badge = `<p class="stop-state" data-stop="${s.stop}"><strong>${s.stop ? '■' : '▶'} ${headline}</strong> — ${escapeHtml(detail)}</p>`;
  if (s.pairs.length === 0) return badge;
  const w = 560, h = 280;
  const b: Box = { x0: 60, x1: w - 24, y0: 34, y1: h - 50 };
  const ks = s.pairs.map((p) => p.kappa).filter((k): k is number => k !== null);
  const yd = niceDomain(Math.max(-1, Math.min(s.threshold, ...ks) - 0.02), 1, 4);
  const y = linear(yd.lo, 1, b.y1, b.y0);
  const step = (b.x1 - b.x0) / s.pairs.length;
  const x = (i: number) => px(b.x0 + (i + 0.5) * step);
  const parts = [axes(b, { ticks: s.pairs.map((p, i) => ({ at: x(i), label: `v${p.from}→v${p.to}` })), title: 'successive versions' }, { ticks: yd.ticks.map((v) => ({ at: y(v), label: v.toFixed(2) })), title: "Cohen's kappa on the stop set" })];
  parts.push(`<line class="stop-threshold" x1="${b.x0}" x2="${b.x1}" y1="${y(s.threshold)}" y2="${y(s.threshold)}" stroke="#b3261e" stroke-dasharray="6 4"/><text x="${b.x1}" y="${px(y(s.threshold) - 5)}" text-anchor="end" fill="#b3261e">threshold ${s.threshold}</text>`);
  const rolling = s.pairs.map((_, i) => {
    const win = s.pairs.slice(i - s.window + 1, i + 1).map((p) => p.kappa);
    return i >= s.window - 1 && win.every((k) => k !== null) ? (win as number[]).reduce((a, k) => a + k, 0) / s.window : null;
  });
  const pts = (vals: (number | null)[]) => vals.flatMap((v, i) => (v === null ? [] : [`${x(i)},${y(v)}`])).join(' ');
  if (rolling.some((v) => v !== null)) parts.push(`<polyline class="stop-mean" points="${pts(rolling)}" fill="none" stroke="#6b7280" stroke-width="1.5" stroke-dasharray="3 3"/>`);
  if (ks.length > 1) parts.push(`<polyline points="${pts(s.pairs.map((p) => p.kappa))}" fill="none" stroke="#2166ac" stroke-width="2"/>`);
  s.pairs.forEach((p, i) => {
    if (p.kappa === null) return;
    const on = s.stop && i >= (s.since ?? Infinity);
    parts.push(marker('circle', x(i), y(p.kappa), on ? '#15803d' : '#2166ac', ` class="kappa-point" data-from="${p.from}" data-to="${p.to}"`, tip(`v${p.from}→v${p.to}: kappa ${fmt(p.kappa)}, agreement ${pct(p.agreement, 1)} on ${fmtInt(p.items)} stop-set items`)));
  });
  parts.push(legend(b.x0 + 8, 18, [
    { label: 'kappa', colour: '#2166ac', shape: 'circle' },
    ...(s.stop ? [{ label: 'rule holds', colour: '#15803d', shape: 'circle' as const }] : []),
    { label: `mean of last ${s.window}`, colour: '#6b7280', shape: 'dash' },
    { label: 'threshold', colour: '#b3261e', shape: 'dash' },
  ]));
  return badge + frame('stopping-chart', w, h, 'Stopping signal: stabilizing predictions', state, parts.join(''));
}

/** The model side of the project page: how it learns, which version serves, where it errs, how far to trust it, when to stop. */
export function modelPanel(d: Dashboard): string {
  const ml = d.multiLabel ? '<p class="muted">Multi-label project: accuracy is subset accuracy; no confusion matrix, calibration or intervals.</p>' : '';
  return `<section id="model"><h2>Model</h2>${ml}
<h3>Learning curve</h3>${learningCurve(d.learningCurve, d.champion)}
<h3>Versions</h3>${versionsTable(d)}
<div class="chart-row"><div><h3>Confusion matrix</h3>${d.confusion ? confusionHeatmap(d.confusion) : '<p class="muted">No single-label evaluation yet.</p>'}</div>
<div><h3>Calibration</h3>${d.calibration ? reliabilityDiagram(d.calibration) : '<p class="muted">No single-label evaluation yet.</p>'}</div></div>
<h3>Stopping signal</h3>${stoppingChart(d.stopping)}
</section>`;
}
