/**
 * validateRecord: one parsed import record checked against the project. Every
 * error is a RecordError whose `field` names the exact place (features[3],
 * annotations[0].label, label[2]); the content hash ignores meta key order.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash, RecordError, validateRecord, type RecordContext, type ValidRecord } from '../../../src/modules/items/import/record.js';

const LABELS = ['neg', 'neu', 'pos'];

function ctx(over: Partial<RecordContext> = {}): RecordContext {
  const labels = over.labels ?? LABELS;
  return {
    labels,
    labelIndex: new Map(labels.map((l, i) => [l, i])),
    multiLabel: false,
    defaultSplit: 'pool',
    labelSource: 'imported',
    featureDim: null,
    ...over,
  };
}
const multi = (over: Partial<RecordContext> = {}) => ctx({ multiLabel: true, ...over });

/** The RecordError thrown for `raw`, as { field, message }. */
function failure(raw: unknown, c: RecordContext = ctx()): { field: string | undefined; message: string } {
  try {
    validateRecord(raw, c);
  } catch (err) {
    expect(err).toBeInstanceOf(RecordError);
    const e = err as RecordError;
    return { field: e.field, message: e.message };
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

function floats(rec: ValidRecord): number[] {
  const b = rec.features!;
  expect(b.length % 4).toBe(0);
  return [...new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))];
}

describe('validateRecord: accepted records', () => {
  it('normalises a full record', () => {
    const rec = validateRecord(
      {
        id: 'x1',
        split: 'eval',
        text: 'hello',
        features: [0.5, -2, 0.1],
        meta: { b: 2, a: { d: 1, c: [3, { f: 1, e: 2 }] } },
        label: 'pos',
        annotations: [{ annotator: 'ann', label: 'neg', createdAt: '2024-02-03T04:05:06.789Z' }],
      },
      ctx(),
    );
    expect(rec).toMatchObject({
      externalId: 'x1',
      split: 'eval',
      text: 'hello',
      meta: '{"a":{"c":[3,{"e":2,"f":1}],"d":1},"b":2}',
      annotations: [
        { annotator: 'imported', value: 'pos', createdAt: null },
        { annotator: 'ann', value: 'neg', createdAt: Date.UTC(2024, 1, 3, 4, 5, 6, 789) },
      ],
    });
    expect(floats(rec)).toEqual([0.5, -2, Math.fround(0.1)]);
    expect(rec.features!.length).toBe(12);
    expect(rec.contentHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('uses the default split, and null for absent text, features and meta', () => {
    expect(validateRecord({ id: 'a', text: 't' }, ctx({ defaultSplit: 'gold' }))).toEqual({
      externalId: 'a',
      split: 'gold',
      text: 't',
      features: null,
      meta: null,
      annotations: [],
      contentHash: contentHash('gold', 't', null, null),
    });
    expect(validateRecord({ id: 'a', text: null, meta: { k: 1 }, features: null, label: null, split: null }, ctx())).toMatchObject({
      split: 'pool',
      text: null,
      features: null,
      meta: '{"k":1}',
      annotations: [],
    });
  });

  it('accepts an integer id and turns it into a string', () => {
    expect(validateRecord({ id: 42, text: 't' }, ctx()).externalId).toBe('42');
    expect(validateRecord({ id: 0, text: 't' }, ctx()).externalId).toBe('0');
    expect(validateRecord({ id: -7, text: 't' }, ctx()).externalId).toBe('-7');
    expect(validateRecord({ id: Number.MAX_SAFE_INTEGER, text: 't' }, ctx()).externalId).toBe('9007199254740991');
  });

  it('accepts the fields that export writes (prediction, consensus) and ignores them', () => {
    const rec = validateRecord({ id: 'a', text: 't', prediction: { label: 'pos', p: 0.9 }, consensus: 'pos' }, ctx());
    expect(rec).toMatchObject({ externalId: 'a', text: 't', annotations: [] });
    expect(rec.contentHash).toBe(validateRecord({ id: 'a', text: 't' }, ctx()).contentHash);
  });

  it('accepts the largest float32 and rounds values to float32', () => {
    const rec = validateRecord({ id: 'a', features: [3.4028234663852886e38, -3.4028234663852886e38, 1e-50, 16777217] }, ctx());
    expect(floats(rec)).toEqual([3.4028234663852886e38, -3.4028234663852886e38, 0, 16777216]);
  });

  it('accepts an item with only features or only meta', () => {
    expect(validateRecord({ id: 'a', features: [1] }, ctx()).features).not.toBeNull();
    expect(validateRecord({ id: 'a', meta: {} }, ctx()).meta).toBe('{}');
  });
});

describe('validateRecord: errors name the field', () => {
  it('rejects what is not an object, without a field', () => {
    expect(failure([1, 2])).toEqual({ field: undefined, message: 'each line must be a JSON object, got an array' });
    expect(failure('x')).toEqual({ field: undefined, message: 'each line must be a JSON object, got the string "x"' });
    expect(failure(null)).toEqual({ field: undefined, message: 'each line must be a JSON object, got null' });
    expect(failure(3)).toEqual({ field: undefined, message: 'each line must be a JSON object, got number 3' });
  });

  it('rejects unknown fields, naming them', () => {
    expect(failure({ id: 'a', text: 't', lable: 'pos' })).toEqual({
      field: 'lable',
      message: 'unknown field; known fields are id, split, text, features, meta, label, annotations',
    });
    expect(failure({ id: 'a', text: 't', annotations: [{ annotator: 'u', label: 'pos', when: 1 }] })).toEqual({
      field: 'annotations[0].when',
      message: 'unknown field; known fields are annotator, label, createdAt',
    });
  });

  it('checks the id', () => {
    expect(failure({ text: 't' })).toEqual({ field: 'id', message: 'is missing' });
    expect(failure({ id: '', text: 't' })).toEqual({ field: 'id', message: 'is empty' });
    expect(failure({ id: 1.5, text: 't' })).toEqual({ field: 'id', message: 'must be a string, got number 1.5' });
    expect(failure({ id: 2 ** 60, text: 't' })).toMatchObject({ field: 'id' });
    expect(failure({ id: null, text: 't' })).toEqual({ field: 'id', message: 'must be a string, got null' });
    expect(failure({ id: ['a'], text: 't' })).toEqual({ field: 'id', message: 'must be a string, got an array' });
    expect(failure({ id: 'x'.repeat(513), text: 't' })).toEqual({ field: 'id', message: 'is longer than 512 characters' });
    expect(validateRecord({ id: 'x'.repeat(512), text: 't' }, ctx()).externalId).toHaveLength(512);
  });

  it('checks split, text and meta', () => {
    expect(failure({ id: 'a', text: 't', split: 'train' })).toEqual({ field: 'split', message: 'must be one of pool, eval, gold, got the string "train"' });
    expect(failure({ id: 'a', text: 't', split: 1 })).toEqual({ field: 'split', message: 'must be one of pool, eval, gold, got number 1' });
    expect(failure({ id: 'a', text: 5 })).toEqual({ field: 'text', message: 'must be a string, got number 5' });
    expect(failure({ id: 'a', meta: [1] })).toEqual({ field: 'meta', message: 'must be an object, got an array' });
    expect(failure({ id: 'a', meta: 'k=v' })).toEqual({ field: 'meta', message: 'must be an object, got the string "k=v"' });
  });

  it('needs at least one of text, features or meta', () => {
    expect(failure({ id: 'a' })).toEqual({ field: undefined, message: 'an item needs at least one of text, features or meta' });
    expect(failure({ id: 'a', label: 'pos' })).toEqual({ field: undefined, message: 'an item needs at least one of text, features or meta' });
  });

  it('names the exact feature index for NaN, Infinity and strings', () => {
    expect(failure({ id: 'a', features: [1, 2, 3, 'NaN'] })).toEqual({ field: 'features[3]', message: 'must be a finite number, got the string "NaN"' });
    expect(failure({ id: 'a', features: ['Infinity'] })).toEqual({ field: 'features[0]', message: 'must be a finite number, got the string "Infinity"' });
    expect(failure({ id: 'a', features: [1, '-Infinity'] })).toEqual({ field: 'features[1]', message: 'must be a finite number, got the string "-Infinity"' });
    expect(failure({ id: 'a', features: [0, '1.5'] })).toEqual({ field: 'features[1]', message: 'must be a finite number, got the string "1.5"' });
    expect(failure({ id: 'a', features: [0, 0, null] })).toEqual({ field: 'features[2]', message: 'must be a finite number, got null' });
    expect(failure({ id: 'a', features: [NaN] })).toEqual({ field: 'features[0]', message: 'must be a finite number, got number NaN' });
    expect(failure({ id: 'a', features: [1, Infinity] })).toEqual({ field: 'features[1]', message: 'must be a finite number, got number Infinity' });
    expect(failure({ id: 'a', features: [[1]] })).toEqual({ field: 'features[0]', message: 'must be a finite number, got an array' });
  });

  it('rejects values outside the float32 range, naming the index', () => {
    expect(failure({ id: 'a', features: [0, 3.5e38] })).toEqual({ field: 'features[1]', message: '3.5e+38 is outside the float32 range' });
    expect(failure({ id: 'a', features: [0, 0, -1e39] })).toEqual({ field: 'features[2]', message: '-1e+39 is outside the float32 range' });
    expect(failure({ id: 'a', features: [1.7976931348623157e308] })).toEqual({
      field: 'features[0]',
      message: '1.7976931348623157e+308 is outside the float32 range',
    });
  });

  it('checks the features array itself and its dimension', () => {
    expect(failure({ id: 'a', features: 'x' })).toEqual({ field: 'features', message: 'must be an array of numbers, got the string "x"' });
    expect(failure({ id: 'a', features: { 0: 1 } })).toEqual({ field: 'features', message: 'must be an array of numbers, got an object' });
    expect(failure({ id: 'a', features: [] })).toEqual({ field: 'features', message: 'is empty' });
    expect(failure({ id: 'a', features: [1, 2] }, ctx({ featureDim: 3 }))).toEqual({
      field: 'features',
      message: "has 2 values, but this project's items have 3",
    });
    expect(validateRecord({ id: 'a', features: [1, 2, 3] }, ctx({ featureDim: 3 })).features!.length).toBe(12);
  });
});

describe('validateRecord: labels', () => {
  it('single-label: one known label', () => {
    expect(validateRecord({ id: 'a', text: 't', label: 'neu' }, ctx()).annotations).toMatchObject([{ annotator: 'imported', value: 'neu', createdAt: null }]);
    expect(validateRecord({ id: 'a', text: 't', label: 'neu' }, ctx({ labelSource: 'gold-team' })).annotations[0]!.annotator).toBe('gold-team');
  });

  it('single-label: unknown, empty, array or non-string labels name the field', () => {
    expect(failure({ id: 'a', text: 't', label: 'positive' })).toEqual({
      field: 'label',
      message: 'unknown label "positive"; the project\'s labels are "neg", "neu", "pos"',
    });
    expect(failure({ id: 'a', text: 't', label: 'Pos' })).toMatchObject({ field: 'label', message: expect.stringContaining('unknown label "Pos"') });
    expect(failure({ id: 'a', text: 't', label: '' })).toEqual({ field: 'label', message: 'is empty; a single-label project needs exactly one label' });
    expect(failure({ id: 'a', text: 't', label: ['pos'] })).toEqual({
      field: 'label',
      message: 'must be one label (a string) in a single-label project, got an array',
    });
    expect(failure({ id: 'a', text: 't', label: 1 })).toEqual({
      field: 'label',
      message: 'must be one label (a string) in a single-label project, got number 1',
    });
  });

  it('lists at most 20 labels in the message', () => {
    const many = Array.from({ length: 25 }, (_, i) => `l${i}`);
    const { message } = failure({ id: 'a', text: 't', label: 'zz' }, ctx({ labels: many }));
    expect(message).toBe(`unknown label "zz"; the project's labels are ${many.slice(0, 20).map((l) => `"${l}"`).join(', ')}, … (25 in all)`);
  });

  it('annotations: the label error names annotations[i].label', () => {
    expect(
      failure({ id: 'a', text: 't', annotations: [{ annotator: 'u', label: 'pos' }, { annotator: 'v', label: 'bad' }] }),
    ).toEqual({ field: 'annotations[1].label', message: 'unknown label "bad"; the project\'s labels are "neg", "neu", "pos"' });
    expect(failure({ id: 'a', text: 't', annotations: [{ annotator: 'u' }] })).toEqual({ field: 'annotations[0].label', message: 'is missing' });
  });

  it('annotations: checks the list, each entry, the annotator and createdAt', () => {
    expect(failure({ id: 'a', text: 't', annotations: { annotator: 'u' } })).toEqual({ field: 'annotations', message: 'must be an array, got an object' });
    expect(failure({ id: 'a', text: 't', annotations: ['pos'] })).toEqual({ field: 'annotations[0]', message: 'must be an object, got the string "pos"' });
    expect(failure({ id: 'a', text: 't', annotations: [{ label: 'pos' }] })).toMatchObject({
      field: 'annotations[0].annotator',
      message: expect.stringMatching(/^must be a non-empty name of at most 128 characters, got /),
    });
    expect(failure({ id: 'a', text: 't', annotations: [{ annotator: '  ', label: 'pos' }] })).toMatchObject({ field: 'annotations[0].annotator' });
    expect(failure({ id: 'a', text: 't', annotations: [{ annotator: 'x'.repeat(129), label: 'pos' }] })).toMatchObject({ field: 'annotations[0].annotator' });
    expect(failure({ id: 'a', text: 't', annotations: [{ annotator: 'u', label: 'pos', createdAt: 'yesterday' }] })).toEqual({
      field: 'annotations[0].createdAt',
      message: 'must be an ISO 8601 date-time, got the string "yesterday"',
    });
    expect(failure({ id: 'a', text: 't', annotations: [{ annotator: 'u', label: 'pos', createdAt: 1700000000000 }] })).toEqual({
      field: 'annotations[0].createdAt',
      message: 'must be an ISO 8601 date-time, got number 1700000000000',
    });
  });

  it('describes a missing value readably (not as "undefined undefined")', () => {
    const { field, message } = failure({ id: 'a', text: 't', annotations: [{ label: 'pos' }] });
    expect(field).toBe('annotations[0].annotator');
    expect(message).not.toContain('undefined undefined');
  });

  it('rejects an annotator who labels the item twice, naming the second place', () => {
    expect(failure({ id: 'a', text: 't', annotations: [{ annotator: 'u', label: 'pos' }, { annotator: 'u', label: 'neg' }] })).toEqual({
      field: 'annotations[1].annotator',
      message: 'annotator "u" labels this item twice',
    });
    // "label" is the label source's annotation; annotations[0] repeats it
    expect(failure({ id: 'a', text: 't', label: 'pos', annotations: [{ annotator: 'imported', label: 'neg' }] })).toEqual({
      field: 'annotations[0].annotator',
      message: 'annotator "imported" labels this item twice',
    });
    expect(
      failure({ id: 'a', text: 't', label: 'pos', annotations: [{ annotator: 'v', label: 'neg' }, { annotator: 'imported', label: 'neg' }] }),
    ).toEqual({ field: 'annotations[1].annotator', message: 'annotator "imported" labels this item twice' });
  });

  it('multi-label: sorts labels into the project order', () => {
    expect(validateRecord({ id: 'a', text: 't', label: ['pos', 'neg'] }, multi()).annotations[0]!.value).toEqual(['neg', 'pos']);
    expect(validateRecord({ id: 'a', text: 't', label: ['pos', 'neu', 'neg'] }, multi()).annotations[0]!.value).toEqual(['neg', 'neu', 'pos']);
    expect(validateRecord({ id: 'a', text: 't', label: 'neu' }, multi()).annotations[0]!.value).toEqual(['neu']);
    expect(validateRecord({ id: 'a', text: 't', label: [] }, multi()).annotations[0]!.value).toEqual([]);
    // the project order, not alphabetical
    expect(validateRecord({ id: 'a', text: 't', label: ['a', 'z', 'm'] }, multi({ labels: ['z', 'm', 'a'] })).annotations[0]!.value).toEqual(['z', 'm', 'a']);
  });

  it('multi-label: equal sets in another order give the same value', () => {
    const one = validateRecord({ id: 'a', text: 't', label: ['pos', 'neu'] }, multi());
    const two = validateRecord({ id: 'a', text: 't', label: ['neu', 'pos'] }, multi());
    expect(JSON.stringify(one.annotations[0]!.value)).toBe(JSON.stringify(two.annotations[0]!.value));
  });

  it('multi-label: duplicates, unknown labels and non-strings name the element', () => {
    expect(failure({ id: 'a', text: 't', label: ['pos', 'neg', 'pos'] }, multi())).toEqual({ field: 'label[2]', message: 'label "pos" is listed twice' });
    expect(failure({ id: 'a', text: 't', label: ['pos', 'nope'] }, multi())).toEqual({
      field: 'label[1]',
      message: 'unknown label "nope"; the project\'s labels are "neg", "neu", "pos"',
    });
    expect(failure({ id: 'a', text: 't', label: ['pos', 3] }, multi())).toEqual({ field: 'label[1]', message: 'must be a string, got number 3' });
    expect(failure({ id: 'a', text: 't', label: { pos: true } }, multi())).toEqual({
      field: 'label',
      message: 'must be a label or an array of labels, got an object',
    });
    expect(failure({ id: 'a', text: 't', annotations: [{ annotator: 'u', label: ['neu', 'neu'] }] }, multi())).toEqual({
      field: 'annotations[0].label[1]',
      message: 'label "neu" is listed twice',
    });
  });
});

describe('contentHash', () => {
  const hash = (raw: Record<string, unknown>, c = ctx()) => validateRecord({ id: 'x', ...raw }, c).contentHash;

  it('is equal for equal content with meta keys in another order (also nested)', () => {
    expect(hash({ text: 't', meta: { a: 1, b: { c: 2, d: [1, { e: 1, f: 2 }] } } })).toBe(hash({ text: 't', meta: { b: { d: [1, { f: 2, e: 1 }], c: 2 }, a: 1 } }));
    expect(canonicalJson({ b: 1, a: [{ y: 1, x: 2 }], c: undefined })).toBe('{"a":[{"x":2,"y":1}],"b":1}');
  });

  it('does not depend on the id, the labels or the annotations', () => {
    const base = hash({ text: 't', features: [1, 2] });
    expect(validateRecord({ id: 'other', text: 't', features: [1, 2] }, ctx()).contentHash).toBe(base);
    expect(hash({ text: 't', features: [1, 2], label: 'pos', annotations: [{ annotator: 'u', label: 'neg' }] })).toBe(base);
  });

  it('is equal for features that are equal as float32', () => {
    expect(hash({ features: [0.1, 1] })).toBe(hash({ features: [Math.fround(0.1), 1] }));
  });

  it('differs when split, text, features or meta differ', () => {
    const base = hash({ text: 't', features: [1, 2], meta: { k: 1 } });
    const variants = [
      hash({ text: 't', features: [1, 2], meta: { k: 1 }, split: 'eval' }),
      hash({ text: 'T', features: [1, 2], meta: { k: 1 } }),
      hash({ features: [1, 2], meta: { k: 1 } }),
      hash({ text: 't', features: [1, 3], meta: { k: 1 } }),
      hash({ text: 't', features: [2, 1], meta: { k: 1 } }),
      hash({ text: 't', meta: { k: 1 } }),
      hash({ text: 't', features: [1, 2], meta: { k: 2 } }),
      hash({ text: 't', features: [1, 2], meta: { k: '1' } }),
      hash({ text: 't', features: [1, 2] }),
      hash({ text: 't', features: [1, 2], meta: {} }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it('tells an empty text from no text', () => {
    expect(hash({ text: '', meta: { k: 1 } })).not.toBe(hash({ meta: { k: 1 } }));
  });

  it('does not collide when text holds NUL or U+0001 characters', () => {
    // The fields are joined with "\0" and null is written as "\u0001null", so texts containing
    // those characters can produce the same bytes as different content.
    expect(hash({ text: 'x', features: [0] })).not.toBe(hash({ text: 'x\u0000\u0000\u0000\u0000' }));
    expect(hash({ text: '\u0001null', meta: { k: 1 } })).not.toBe(hash({ meta: { k: 1 } }));
  });
});
