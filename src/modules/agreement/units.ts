import type { LabelData } from './label-data.js';

/**
 * Units for agreement: items with two or more annotations. Per unit the label
 * counts (for the multi-coder metrics) and every annotator pair's two labels
 * (for the pairwise Cohen/Scott metrics), so a bootstrap resample only re-adds rows.
 */
export interface Units {
  categories: string[];
  /** Item index (into LabelData.items) of each unit. */
  item: Int32Array;
  counts: number[][];
  pairs: { a: number; b: number }[];
  /** Per unit: flat triples (pairIndex, labelOfA, labelOfB). */
  pairLabels: Int32Array[];
  annotators: number;
}

export function buildUnits(data: LabelData): Units {
  const k = data.labels.length;
  const byItem = new Map<number, { annotator: number; label: number }[]>();
  for (let t = 0; t < data.obsItem.length; t++) {
    const label = data.obsLabel[t]!;
    if (label < 0) continue;
    const i = data.obsItem[t]!;
    let list = byItem.get(i);
    if (!list) byItem.set(i, (list = []));
    list.push({ annotator: data.obsAnnotator[t]!, label });
  }
  const pairIndex = new Map<number, number>();
  const pairs: Units['pairs'] = [];
  const item: number[] = [];
  const counts: number[][] = [];
  const pairLabels: Int32Array[] = [];
  const coders = new Set<number>();
  const nA = data.annotators.length;
  for (const [i, list] of [...byItem.entries()].sort((x, y) => x[0] - y[0])) {
    if (list.length < 2) continue;
    item.push(i);
    const row = new Array<number>(k).fill(0);
    for (const o of list) {
      row[o.label]!++;
      coders.add(o.annotator);
    }
    counts.push(row);
    const trip: number[] = [];
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        let [p, q] = [list[x]!, list[y]!];
        if (p.annotator > q.annotator) [p, q] = [q, p];
        const key = p.annotator * nA + q.annotator;
        let idx = pairIndex.get(key);
        if (idx === undefined) {
          pairIndex.set(key, (idx = pairs.length));
          pairs.push({ a: p.annotator, b: q.annotator });
        }
        trip.push(idx, p.label, q.label);
      }
    }
    pairLabels.push(Int32Array.from(trip));
  }
  return { categories: data.labels, item: Int32Array.from(item), counts, pairs, pairLabels, annotators: coders.size };
}

/** Contingency table per annotator pair over the given units (indexes may repeat: bootstrap). */
export function pairTables(units: Units, sample: ArrayLike<number>): number[][][] {
  const k = units.categories.length;
  const tables = units.pairs.map(() => Array.from({ length: k }, () => new Array<number>(k).fill(0)));
  for (let s = 0; s < sample.length; s++) {
    const trip = units.pairLabels[sample[s]!]!;
    for (let t = 0; t < trip.length; t += 3) tables[trip[t]!]![trip[t + 1]!]![trip[t + 2]!]!++;
  }
  return tables;
}
