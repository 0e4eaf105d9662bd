/**
 * Observations for consensus: one entry per annotation (an annotator may rate an
 * item several times, as observer 1 does in Dawid & Skene's data). Parallel
 * typed arrays keep a million annotations cheap.
 */
export interface Observations {
  nItems: number;
  nAnnotators: number;
  nClasses: number;
  item: Int32Array;
  annotator: Int32Array;
  label: Int32Array;
  /** Known true class per item (gold), or -1. Gold items are clamped, which calibrates the annotators. */
  gold?: Int32Array;
}

export function validateObservations(o: Observations): void {
  const n = o.item.length;
  if (o.annotator.length !== n || o.label.length !== n) throw new RangeError('item, annotator and label arrays must have the same length');
  if (o.nClasses < 2) throw new RangeError(`consensus needs at least 2 classes, got ${o.nClasses}`);
  for (let i = 0; i < n; i++) {
    if (o.item[i]! < 0 || o.item[i]! >= o.nItems) throw new RangeError(`observation ${i}: item ${o.item[i]} out of range`);
    if (o.annotator[i]! < 0 || o.annotator[i]! >= o.nAnnotators) throw new RangeError(`observation ${i}: annotator ${o.annotator[i]} out of range`);
    if (o.label[i]! < 0 || o.label[i]! >= o.nClasses) throw new RangeError(`observation ${i}: label ${o.label[i]} out of range`);
  }
  if (o.gold && o.gold.length !== o.nItems) throw new RangeError('gold must have one entry per item');
}

/** Votes per item and class: nItems × nClasses, row-major. */
export function voteCounts(o: Observations): Float64Array {
  const counts = new Float64Array(o.nItems * o.nClasses);
  for (let i = 0; i < o.item.length; i++) counts[o.item[i]! * o.nClasses + o.label[i]!]! += 1;
  return counts;
}
