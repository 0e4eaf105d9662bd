import type { AnnotatorStats, QueueStatus } from '../modules/queue/index.js';
import { escapeHtml } from './layout.js';

/** Queue progress and the annotators: work done, median seconds, gold accuracy (flagged below the threshold). */
export function queuePanel(q: QueueStatus, annotators: AnnotatorStats[], goldThreshold: number): string {
  const rows = annotators
    .map((a) => {
      const gold = a.gold.accuracy === null ? '<span class="muted">—</span>' : `${(100 * a.gold.accuracy).toFixed(0)}% <span class="muted">(${a.gold.correct}/${a.gold.answered})</span>`;
      return `<tr${a.gold.flagged ? ' class="flagged"' : ''}><td>${escapeHtml(a.annotator)}${a.gold.flagged ? ` <strong class="error" title="gold accuracy below ${(100 * goldThreshold).toFixed(0)}%">⚑ flagged</strong>` : ''}</td>
<td class="num">${a.done}</td><td class="num">${a.doneToday}</td><td class="num">${a.medianSeconds === null ? '—' : a.medianSeconds.toFixed(1)}</td><td class="num">${gold}</td></tr>`;
    })
    .join('');
  return `<section id="queue"><h2>Queue</h2>
<p>${q.open} open, ${q.leased} leased, ${q.done} done; ${q.notYetQueued} items not queued yet. Reviews: ${q.reviews.open} open, ${q.reviews.resolved} resolved.</p>
${rows ? `<table><thead><tr><th>annotator</th><th>done</th><th>today</th><th>median s</th><th>gold accuracy</th></tr></thead><tbody>${rows}</tbody></table>` : '<p class="muted">Nobody has labelled yet.</p>'}
</section>`;
}
