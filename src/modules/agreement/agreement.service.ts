import type { Clock } from '../../core/clock.js';
import { ValidationError } from '../../core/errors.js';
import { SCALES, type Scale } from '../../core/labels.js';
import { parseOrThrow } from '../../core/validation.js';
import type { Db } from '../../db/index.js';
import { resolveProject } from '../projects/index.js';
import { AGREEMENT_METRICS, agreementQuerySchema, type AgreementQuery, type AgreementReport } from './agreement.schemas.js';
import { confusionView, metricResult, pairwiseView, perAnnotatorView, perLabelView, variables, type MetricOptions } from './agreement.views.js';
import { loadLabelData } from './label-data.js';

export interface AgreementDeps {
  db: Db;
  clock: Clock;
}

const rank = (s: Scale) => SCALES.indexOf(s);

/**
 * A level finer than the project's scale would invent distances the labels do
 * not have (interval alpha on nominal labels), so it is refused; coarser is fine.
 */
export function checkLevel(scale: Scale, multiLabel: boolean, level: Scale, weights: MetricOptions['weights']): void {
  if (multiLabel && (level !== 'nominal' || weights !== 'none')) {
    throw new ValidationError('a multi-label project is measured label by label as present/absent: use --level nominal and no weights', [
      { field: 'level', message: 'must be nominal for a multi-label project' },
    ]);
  }
  if (rank(level) > rank(scale)) {
    throw new ValidationError(`level ${level} does not fit this project's ${scale} labels; use ${SCALES.slice(0, rank(scale) + 1).join(' or ')}`, [
      { field: 'level', message: `finer than the project's scale (${scale})` },
    ]);
  }
  if (weights !== 'none' && scale === 'nominal') {
    throw new ValidationError(`${weights} weights need ordered labels; this project's scale is nominal`, [{ field: 'weights', message: 'needs an ordinal, interval or ratio scale' }]);
  }
}

/**
 * Agreement over every item with two or more current annotations: each metric
 * with a seeded bootstrap interval, agreement per label, per annotator pair and
 * per annotator (with the majority consensus), and the annotators' label confusion.
 */
export function computeAgreement(deps: AgreementDeps, projectRef: string | number, query: AgreementQuery = {}): AgreementReport {
  const q = parseOrThrow(agreementQuerySchema, query, 'agreement query');
  const project = resolveProject(deps, projectRef);
  const level = q.level ?? project.scale;
  checkLevel(project.scale, project.multiLabel, level, q.weights);
  const o: MetricOptions = { level, weights: q.weights };
  const data = loadLabelData(deps.db, project);
  const vars = variables(data);
  const metrics = (q.metric ? [q.metric] : AGREEMENT_METRICS).map((m) => metricResult(vars, m, o, q.resamples, q.seed));
  const pairwise = pairwiseView(data, vars, o);
  return {
    project: project.name,
    level,
    weights: q.weights,
    resamples: q.resamples,
    seed: q.seed,
    units: vars[0]?.counts.length ?? 0,
    annotators: vars[0]?.annotators ?? 0,
    metrics,
    perLabel: perLabelView(data, vars, o),
    pairwise,
    perAnnotator: perAnnotatorView(data, pairwise, o),
    confusion: confusionView(data, vars),
  };
}
