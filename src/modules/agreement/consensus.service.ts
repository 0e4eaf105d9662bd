import { parseOrThrow } from '../../core/validation.js';
import { resolveProject } from '../projects/index.js';
import type { AgreementDeps } from './agreement.service.js';
import { consensusQuerySchema, type ConsensusItem, type ConsensusMethod, type ConsensusReport } from './agreement.schemas.js';
import { dawidSkene, majorityVote, type Observations } from './consensus/index.js';
import { binaryLabelData, loadLabelData, type LabelData } from './label-data.js';

interface VariableConsensus {
  label: Int32Array;
  confidence: Float64Array;
  share: Float64Array;
  votes: Int32Array;
  posterior?: Float64Array;
  accuracy?: Float64Array;
  iterations?: number;
  converged?: boolean;
}

function observations(data: LabelData): Observations {
  return {
    nItems: data.items.length, nAnnotators: data.annotators.length, nClasses: data.labels.length,
    item: data.obsItem, annotator: data.obsAnnotator, label: data.obsLabel, gold: data.gold,
  };
}

function consensusOf(data: LabelData, method: ConsensusMethod, seed: number): VariableConsensus {
  const o = observations(data);
  const mv = majorityVote(o);
  if (method === 'majority') return { label: mv.label, confidence: mv.share, share: mv.share, votes: mv.votes };
  const ds = dawidSkene(o, { seed });
  return { ...ds, share: mv.share, votes: mv.votes };
}

/**
 * Consensus labels (what training will use): majority vote (ties unresolved, for
 * review) or Dawid–Skene. Gold items keep their imported label. Multi-label
 * projects decide each label as present/absent; an item with any unresolved
 * label is unresolved.
 */
export function computeConsensus(deps: AgreementDeps, projectRef: string | number, query: { method?: ConsensusMethod; seed?: number } = {}): ConsensusReport {
  const q = parseOrThrow(consensusQuerySchema, query, 'consensus query');
  const project = resolveProject(deps, projectRef);
  const data = loadLabelData(deps.db, project);
  const vars = data.multiLabel ? data.labels.map((_, l) => consensusOf(binaryLabelData(data, l), q.method, q.seed)) : [consensusOf(data, q.method, q.seed)];
  const k = data.labels.length;
  const items: ConsensusItem[] = data.items.map((it, i) => {
    const votes = vars[0]!.votes[i]!;
    const agreement = vars.reduce((s, v) => s + v.share[i]!, 0) / vars.length;
    const review = data.resolved[i];
    if (review !== null && review !== undefined) return { id: it.externalId, split: it.split, label: review, confidence: 1, source: 'review', votes, agreement };
    const gold = data.gold[i]!;
    if (gold >= 0) return { id: it.externalId, split: it.split, label: data.labels[gold]!, confidence: 1, source: 'gold', votes, agreement };
    const unresolved = vars.some((v) => v.label[i]! < 0);
    if (unresolved) return { id: it.externalId, split: it.split, label: null, confidence: null, source: 'unresolved', votes, agreement };
    const label = data.multiLabel ? data.labels.filter((_, l) => vars[l]!.label[i] === 1) : data.labels[vars[0]!.label[i]!]!;
    const confidence = vars.reduce((p, v) => p * v.confidence[i]!, 1);
    const post = vars[0]!.posterior;
    const probabilities =
      post && !data.multiLabel ? Object.fromEntries(data.labels.map((l, c) => [l, post[i * k + c]!])) : undefined;
    return { id: it.externalId, split: it.split, label, confidence, source: q.method, votes, agreement, ...(probabilities ? { probabilities } : {}) };
  });
  const annotations = new Array<number>(data.annotators.length).fill(0);
  for (const a of data.obsAnnotator) annotations[a]!++;
  const acc = vars.map((v) => v.accuracy);
  return {
    project: project.name,
    method: q.method,
    seed: q.seed,
    summary: {
      items: items.length,
      resolved: items.filter((i) => i.label !== null).length,
      unresolved: items.filter((i) => i.source === 'unresolved').length,
      gold: items.filter((i) => i.source === 'gold').length,
      reviewed: items.filter((i) => i.source === 'review').length,
    },
    annotators: data.annotators.map((annotator, a) => ({
      annotator,
      annotations: annotations[a]!,
      accuracy: acc[0] ? acc.reduce((s, x) => s + x![a]!, 0) / acc.length : null,
    })),
    ...(vars[0]!.iterations !== undefined ? { iterations: Math.max(...vars.map((v) => v.iterations!)), converged: vars.every((v) => v.converged) } : {}),
    items,
  };
}
