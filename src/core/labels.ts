/** A label value as stored and exchanged: one label, or a set of labels for multi-label projects. */
export type LabelValue = string | string[];

export const SPLITS = ['pool', 'eval', 'gold'] as const;
export type Split = (typeof SPLITS)[number];

export const SCALES = ['nominal', 'ordinal', 'interval', 'ratio'] as const;
export type Scale = (typeof SCALES)[number];

export const ROLES = ['admin', 'annotator', 'reviewer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Class probabilities: rows × labels, in the model version's label order. */
export interface Probabilities {
  rows: number;
  labels: number;
  data: Float32Array;
}
