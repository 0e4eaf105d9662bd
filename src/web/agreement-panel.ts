import type { AgreementReport } from '../modules/agreement/index.js';
import { heatmapSvg } from './charts.js';
import { escapeHtml } from './layout.js';

const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '<span class="muted">—</span>' : v.toFixed(digits));

/** The project page's agreement panel: every metric with its interval, the pairwise heat map, labels and annotators. */
export function agreementPanel(r: AgreementReport): string {
  if (r.units === 0) {
    return `<section id="agreement"><h2>Agreement</h2><p class="muted">No item has two or more annotations yet: agreement is measured once several annotators label the same items.</p></section>`;
  }
  const metrics = r.metrics
    .map((m) => `<tr><td>${m.metric}</td><td>${m.level}</td><td class="num">${num(m.value)}</td><td class="num">${m.ci ? `${num(m.ci[0])} – ${num(m.ci[1])}` : '—'}</td><td class="muted">${escapeHtml(m.reason ?? '')}</td></tr>`)
    .join('');
  const labels = r.perLabel.map((l) => `<tr><td>${escapeHtml(l.label)}</td><td class="num">${num(l.alpha)}</td><td class="num">${num(l.kappa)}</td></tr>`).join('');
  const annotators = r.perAnnotator
    .map((a) => `<tr><td>${escapeHtml(a.annotator)}</td><td class="num">${a.annotations}</td><td class="num">${num(a.meanPairwiseKappa)}</td><td class="num">${num(a.withConsensus.agreement)} <span class="muted">(${a.withConsensus.units})</span></td></tr>`)
    .join('');
  return `<section id="agreement"><h2>Agreement</h2>
<p class="muted">${r.units} items with two or more annotations, ${r.annotators} annotators; 95% bootstrap intervals from ${r.resamples} resamples (seed ${r.seed}).</p>
<table><thead><tr><th>metric</th><th>level</th><th>value</th><th>95% interval</th><th></th></tr></thead><tbody>${metrics}</tbody></table>
<h3>Pairwise Cohen's kappa</h3>${heatmapSvg(r.pairwise.annotators, r.pairwise.kappa, "Cohen's kappa between each pair of annotators")}
<h3>Per label</h3><table><thead><tr><th>label</th><th>alpha</th><th>kappa</th></tr></thead><tbody>${labels}</tbody></table>
<h3>Per annotator</h3><table><thead><tr><th>annotator</th><th>annotations</th><th>mean pairwise kappa</th><th>agreement with the majority</th></tr></thead><tbody>${annotators}</tbody></table>
</section>`;
}
