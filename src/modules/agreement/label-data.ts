import type { Db } from '../../db/index.js';
import type { ProjectRow } from '../../db/schema/projects.js';
import type { LabelValue, Split } from '../../core/labels.js';
import { iterateProjectAnnotations } from './agreement.repo.js';

/**
 * A project's annotations as parallel typed arrays (one entry per annotation),
 * the shape every agreement metric and consensus method reads.
 *
 * Gold items: the labels imported with them are the truth (`gold`), not a coder's
 * opinion, so they are kept out of the observations.
 */
export interface LabelData {
  labels: string[];
  multiLabel: boolean;
  items: { id: number; externalId: string; split: Split }[];
  annotators: string[];
  obsItem: Int32Array;
  obsAnnotator: Int32Array;
  /** Single-label: the label index. Multi-label: unused (-1). */
  obsLabel: Int32Array;
  /** Multi-label: nObs × nLabels presence flags. */
  obsPresent: Uint8Array | null;
  /** Per item: the gold label index (single-label) or -1. */
  gold: Int32Array;
  /** Per item: a reviewer's final label, which wins over the vote; null when none. */
  resolved: (LabelValue | null)[];
}

export function loadLabelData(db: Db, project: ProjectRow): LabelData {
  const labelIndex = new Map(project.labels.map((l, i) => [l, i]));
  const k = project.labels.length;
  const items: LabelData['items'] = [];
  const annotatorIndex = new Map<string, number>();
  const obsItem: number[] = [];
  const obsAnnotator: number[] = [];
  const obsLabel: number[] = [];
  const present: number[] = [];
  const gold: number[] = [];
  const resolved: (LabelValue | null)[] = [];
  let lastItem = -1;
  for (const row of iterateProjectAnnotations(db, project.id)) {
    if (row.itemId !== lastItem) {
      items.push({ id: row.itemId, externalId: row.externalId, split: row.split });
      gold.push(-1);
      resolved.push(null);
      lastItem = row.itemId;
    }
    const itemIdx = items.length - 1;
    const value = JSON.parse(row.value) as LabelValue;
    if (row.source === 'review') {
      resolved[itemIdx] = value;
      continue;
    }
    if (row.source === 'gold') {
      if (!project.multiLabel && typeof value === 'string') {
        const g = labelIndex.get(value) ?? -1;
        // imported gold labels that disagree make the item unusable as gold
        gold[itemIdx] = gold[itemIdx] === -1 || gold[itemIdx] === g ? g : -2;
      }
      continue;
    }
    let a = annotatorIndex.get(row.annotator);
    if (a === undefined) annotatorIndex.set(row.annotator, (a = annotatorIndex.size));
    obsItem.push(itemIdx);
    obsAnnotator.push(a);
    if (project.multiLabel) {
      const set = new Set(Array.isArray(value) ? value : [value]);
      obsLabel.push(-1);
      for (let l = 0; l < k; l++) present.push(set.has(project.labels[l]!) ? 1 : 0);
    } else {
      obsLabel.push(labelIndex.get(value as string) ?? -1);
    }
  }
  // annotators in name order, so that reports and matrices read the same every time
  const annotators = [...annotatorIndex.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = new Map(annotators.map((name, i) => [annotatorIndex.get(name)!, i]));
  return {
    labels: project.labels,
    multiLabel: project.multiLabel,
    items,
    annotators,
    obsItem: Int32Array.from(obsItem),
    obsAnnotator: Int32Array.from(obsAnnotator, (a) => rank.get(a)!),
    obsLabel: Int32Array.from(obsLabel),
    obsPresent: project.multiLabel ? Uint8Array.from(present) : null,
    gold: Int32Array.from(gold.map((g) => (g < 0 ? -1 : g))),
    resolved,
  };
}

/** Binary view of one label of a multi-label project: 1 = present, 0 = absent. */
export function binaryLabelData(data: LabelData, label: number): LabelData {
  const k = data.labels.length;
  const obsLabel = new Int32Array(data.obsItem.length);
  for (let t = 0; t < obsLabel.length; t++) obsLabel[t] = data.obsPresent![t * k + label]!;
  const resolved = data.resolved.map((r) => (r === null ? null : (Array.isArray(r) ? r : [r]).includes(data.labels[label]!) ? 'present' : 'absent'));
  return { ...data, labels: ['absent', 'present'], multiLabel: false, obsLabel, obsPresent: null, gold: new Int32Array(data.items.length).fill(-1), resolved };
}
