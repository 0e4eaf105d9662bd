import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import {
  DEFAULT_DIMENSION,
  decodeFeaturizer,
  densify,
  encodeFeaturizer,
  featurize,
  featurizerConfigSchema,
  featurizerFromJSON,
  featurizerToJSON,
  fitFeaturizer,
  fitTransform,
  hashCounts,
  murmur3Bytes,
  murmur3String,
  murmur3Utf16,
  parseFeaturizerConfig,
  rowNorms,
  selectRows,
  sliceRows,
  tokenize,
  type SparseRows,
} from '../../../src/modules/models/featurize/index.js';

/** Row r as a Map column → value. */
function row(x: SparseRows, r: number): Map<number, number> {
  const m = new Map<number, number>();
  for (let p = x.indptr[r]!; p < x.indptr[r + 1]!; p++) m.set(x.indices[p]!, x.values[p]!);
  return m;
}

/** Where a word n-gram lands: bucket and sign. */
function bucket(gram: string, dim: number, seed = 0): { idx: number; sign: number } {
  const h = murmur3String(gram, seed);
  return { idx: h & (dim - 1), sign: h >>> 31 ? -1 : 1 };
}

const CORPUS = [
  'Win money now! Cheap pills, $$$ free offer',
  'Meeting moved to Tuesday; please review the agenda',
  'Free money!!! Click now to win',
  'The agenda for the review meeting is attached',
  "Don't miss the Tuesday meeting",
];

describe('tokenize', () => {
  it('lower-cases and splits on anything that is not a letter, mark or digit', () => {
    expect(tokenize('Hello, World! 42 times...')).toEqual(['hello', 'world', '42', 'times']);
    expect(tokenize('e-mail_address foo.bar')).toEqual(['e', 'mail', 'address', 'foo', 'bar']);
    expect(tokenize('KEEP Case', { lowercase: false })).toEqual(['KEEP', 'Case']);
    expect(tokenize('')).toEqual([]);
    expect(tokenize('  \n\t ...  ')).toEqual([]);
  });

  it('is Unicode-aware: accents, non-Latin scripts, NFKC folding, apostrophes inside words', () => {
    expect(tokenize('Crème Brûlée à la Straße')).toEqual(['crème', 'brûlée', 'à', 'la', 'straße']);
    expect(tokenize('Привет, МИР')).toEqual(['привет', 'мир']);
    expect(tokenize('ＡＢＣ１２３ ﬁne')).toEqual(['abc123', 'fine']); // full-width and ligature fold (NFKC)
    expect(tokenize("don't l’homme 'quoted'")).toEqual(["don't", 'l’homme', 'quoted']);
    // combining marks stay in the word (NFKC composes e + ◌́ into é)
    expect(tokenize('cafe\u0301 ok')).toEqual(['café', 'ok']);
  });

  it('emits each ideograph / kana and each symbol as its own token', () => {
    expect(tokenize('東京タワー abc')).toEqual(['東', '京', 'タ', 'ワ', 'ー', 'abc']);
    expect(tokenize('pay $100 + €5 😀!')).toEqual(['pay', '$', '100', '+', '€', '5', '😀']);
  });
});

describe('murmur3', () => {
  it('matches the published MurmurHash3 x86_32 test vectors', () => {
    const b = (s: string) => new TextEncoder().encode(s);
    expect(murmur3Bytes(b(''), 0)).toBe(0);
    expect(murmur3Bytes(b(''), 1)).toBe(0x514e28b7);
    expect(murmur3Bytes(b(''), 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3Bytes(b('test'), 0)).toBe(0xba6bd213);
    expect(murmur3Bytes(b('Hello, world!'), 0)).toBe(0xc0363e43);
    expect(murmur3Bytes(b('The quick brown fox jumps over the lazy dog'), 0)).toBe(0x2e4ff723);
    expect(murmur3Bytes(new Uint8Array([0x21, 0x43, 0x65, 0x87]), 0x5082edee)).toBe(0x2362f9de);
  });

  it('hashes a string as its UTF-16LE bytes, for any range and length', () => {
    const strings = ['', 'a', 'ab', 'abc', 'héllo wörld', '東京', 'x😀y', 'The quick brown fox'];
    for (const s of strings) {
      for (const seed of [0, 1, 42, 0xdeadbeef]) {
        expect(murmur3String(s, seed)).toBe(murmur3Bytes(Buffer.from(s, 'utf16le'), seed));
        if (s.length >= 3) expect(murmur3Utf16(s, 1, s.length - 1, seed)).toBe(murmur3Bytes(Buffer.from(s.slice(1, -1), 'utf16le'), seed));
      }
    }
  });
});

describe('hashed n-gram counts', () => {
  const dim = 2 ** 20;

  it('counts word unigrams and bigrams in their hashed, signed buckets', () => {
    const cfg = parseFeaturizerConfig({ dimension: dim, weighting: 'log-count' });
    const x = hashCounts(['a b a'], cfg);
    const expected = new Map<number, number>();
    for (const [g, c] of [['a', 2], ['b', 1], ['a b', 1], ['b a', 1]] as const) {
      const { idx, sign } = bucket(g, dim);
      expected.set(idx, (expected.get(idx) ?? 0) + sign * c);
    }
    expect(row(x, 0)).toEqual(expected);
    // ascending, distinct columns
    expect(Array.from(x.indices)).toEqual([...expected.keys()].sort((p, q) => p - q));
  });

  it('respects the word n-gram range and the seed', () => {
    const uni = hashCounts(['x y z'], parseFeaturizerConfig({ dimension: dim, wordNgrams: { min: 1, max: 1 } }));
    expect(uni.indices.length).toBe(3);
    const tri = hashCounts(['x y z'], parseFeaturizerConfig({ dimension: dim, wordNgrams: { min: 3, max: 3 } }));
    expect([...row(tri, 0).keys()]).toEqual([bucket('x y z', dim).idx]);
    const seeded = hashCounts(['x y z'], parseFeaturizerConfig({ dimension: dim, wordNgrams: { min: 3, max: 3 }, seed: 7 }));
    expect([...row(seeded, 0).keys()]).toEqual([bucket('x y z', dim, 7).idx]);
  });

  it('adds char n-grams of each space-padded token (char_wb), a short token once, on code points', () => {
    const cfg = parseFeaturizerConfig({ dimension: dim, wordNgrams: { min: 1, max: 1 }, charNgrams: { min: 3, max: 5 }, signed: false });
    const charSeed = (0 + 0x9e3779b9) | 0;
    const at = (g: string) => murmur3String(g, charSeed) & (dim - 1);
    // "ab" → " ab " (4 code points): 3-grams " ab", "ab "; 4 ≥ length → the whole " ab " once, then stop.
    const x = hashCounts(['ab'], cfg);
    const want = new Map<number, number>([[bucket('ab', dim).idx, 1]]);
    for (const g of [' ab', 'ab ', ' ab ']) want.set(at(g), (want.get(at(g)) ?? 0) + 1);
    expect(row(x, 0)).toEqual(want);
    // an emoji token is 3 code points padded (5 UTF-16 units): counted once as a whole
    const e = hashCounts(['😀'], cfg);
    expect(row(e, 0)).toEqual(new Map([[bucket('😀', dim).idx, 1], [at(' 😀 '), 1]]));
  });

  it('signs features by hash bit 31, or not at all when signed is false', () => {
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const signed = hashCounts([words], parseFeaturizerConfig({ dimension: dim, wordNgrams: { min: 1, max: 1 } }));
    const neg = Array.from(signed.values).filter((v) => v < 0).length;
    expect(neg).toBeGreaterThan(60);
    expect(neg).toBeLessThan(140);
    const unsigned = hashCounts([words], parseFeaturizerConfig({ dimension: dim, wordNgrams: { min: 1, max: 1 }, signed: false }));
    expect(Array.from(unsigned.values).every((v) => v > 0)).toBe(true);
  });
});

describe('fitFeaturizer / featurize', () => {
  it('is deterministic: same texts and config → identical rows and idf', () => {
    const a = fitTransform(CORPUS, { charNgrams: { min: 3, max: 4 } });
    const b = fitTransform(CORPUS, { charNgrams: { min: 3, max: 4 } });
    expect(a.features.indices).toEqual(b.features.indices);
    expect(a.features.values).toEqual(b.features.values);
    expect(a.fitted.idf).toEqual(b.fitted.idf);
    const again = featurize(CORPUS, a.fitted);
    expect(again.indices).toEqual(a.features.indices);
    expect(again.values).toEqual(a.features.values);
  });

  it('fits idf = ln((1 + n) / (1 + df)) + 1, 0 for buckets no training document reached or below minDf', () => {
    const dim = 2 ** 20;
    const docs = ['apple banana', 'apple cherry', 'apple banana'];
    const f = fitFeaturizer(docs, { dimension: dim, wordNgrams: { min: 1, max: 1 } });
    expect(f.documentCount).toBe(3);
    const idf = f.idf!;
    expect(idf[bucket('apple', dim).idx]).toBeCloseTo(1, 6);
    expect(idf[bucket('banana', dim).idx]).toBeCloseTo(Math.log(4 / 3) + 1, 6);
    expect(idf[bucket('cherry', dim).idx]).toBeCloseTo(Math.log(4 / 2) + 1, 6);
    expect(idf[bucket('durian', dim).idx]).toBe(0);
    const min2 = fitFeaturizer(docs, { dimension: dim, wordNgrams: { min: 1, max: 1 }, minDf: 2 });
    expect(min2.idf![bucket('cherry', dim).idx]).toBe(0);
    expect(min2.idf![bucket('banana', dim).idx]).toBeGreaterThan(0);
  });

  it('weights tfidf as (1 + ln tf) · idf and L2-normalises each row; unseen words are dropped', () => {
    const dim = 2 ** 20;
    const f = fitFeaturizer(['apple banana', 'apple cherry', 'apple banana'], { dimension: dim, wordNgrams: { min: 1, max: 1 } });
    const x = featurize(['banana banana cherry durian', ''], f);
    const b = bucket('banana', dim), c = bucket('cherry', dim);
    const wb = (1 + Math.log(2)) * (Math.log(4 / 3) + 1), wc = Math.log(4 / 2) + 1;
    const norm = Math.hypot(wb, wc);
    const r = row(x, 0);
    expect(r.size).toBe(2);
    expect(r.get(b.idx)!).toBeCloseTo((b.sign * wb) / norm, 6);
    expect(r.get(c.idx)!).toBeCloseTo((c.sign * wc) / norm, 6);
    expect(row(x, 1).size).toBe(0); // an empty text is an empty row
  });

  it('log-count weighting: ln(1 + tf), nothing fitted, still L2-normalised', () => {
    const dim = 2 ** 20;
    const f = fitFeaturizer([], { dimension: dim, weighting: 'log-count', wordNgrams: { min: 1, max: 1 } });
    expect(f.idf).toBeNull();
    const x = featurize(['zeta zeta zeta eta'], f);
    const z = bucket('zeta', dim), e = bucket('eta', dim);
    const n = Math.hypot(Math.log(4), Math.log(2));
    expect(row(x, 0).get(z.idx)!).toBeCloseTo((z.sign * Math.log(4)) / n, 6);
    expect(row(x, 0).get(e.idx)!).toBeCloseTo((e.sign * Math.log(2)) / n, 6);
  });

  it('gives every non-empty row an L2 norm of 1', () => {
    const { features } = fitTransform(CORPUS, { dimension: 2 ** 12 });
    for (const n of rowNorms(features)) expect(n).toBeCloseTo(1, 5);
    expect(features.dim).toBe(2 ** 12);
  });

  it('densifies rows and selects / slices them', () => {
    const { features } = fitTransform(CORPUS, { dimension: 64 });
    const dense = densify(features);
    expect(dense.length).toBe(CORPUS.length * 64);
    for (let r = 0; r < features.rows; r++) {
      const m = row(features, r);
      for (let j = 0; j < 64; j++) expect(dense[r * 64 + j]).toBe(m.get(j) ?? 0);
    }
    const part = densify(features, 1, 3);
    expect(part).toEqual(dense.subarray(64, 3 * 64));
    const out = new Float32Array(2 * 64).fill(9);
    expect(densify(features, 3, 5, out)).toBe(out);
    expect(out).toEqual(dense.subarray(3 * 64));
    const sel = selectRows(features, [4, 0]);
    expect(densify(sel)).toEqual(Float32Array.from([...dense.subarray(4 * 64), ...dense.subarray(0, 64)]));
    expect(densify(sliceRows(features, 2, 4))).toEqual(dense.subarray(2 * 64, 4 * 64));
    expect(() => densify(features, 3, 9)).toThrow(RangeError);
  });

  it('uses a power-of-two default dimension of 2^18', () => {
    expect(DEFAULT_DIMENSION).toBe(2 ** 18);
    const cfg = parseFeaturizerConfig({});
    expect(cfg).toEqual({
      type: 'hashed-ngrams',
      dimension: 2 ** 18,
      wordNgrams: { min: 1, max: 2 },
      charNgrams: null,
      lowercase: true,
      weighting: 'tfidf',
      minDf: 1,
      signed: true,
      seed: 0,
    });
  });
});

describe('featurizer config and serialisation', () => {
  it('round-trips through JSON + idf and through one byte string', () => {
    const { fitted, features } = fitTransform(CORPUS, { dimension: 2 ** 10, charNgrams: { min: 2, max: 3 } });
    const json = JSON.parse(JSON.stringify(featurizerToJSON(fitted)));
    const back = featurizerFromJSON(json, fitted.idf!.slice());
    expect(back.config).toEqual(fitted.config);
    const bytes = encodeFeaturizer(fitted);
    const decoded = decodeFeaturizer(bytes);
    expect(decoded.config).toEqual(fitted.config);
    expect(decoded.idf).toEqual(fitted.idf);
    for (const f of [back, decoded]) {
      const x = featurize(CORPUS, f);
      expect(x.indices).toEqual(features.indices);
      expect(x.values).toEqual(features.values);
    }
    // a blob sitting at an odd offset of a bigger buffer decodes too
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(decodeFeaturizer(shifted.subarray(3)).idf).toEqual(fitted.idf);
    const lc = fitFeaturizer(CORPUS, { weighting: 'log-count', dimension: 64 });
    expect(decodeFeaturizer(encodeFeaturizer(lc))).toEqual(lc);
  });

  it('rejects bad configs with the field named', () => {
    const bad: unknown[] = [
      { dimension: 1000 },
      { dimension: 2 ** 25 },
      { dimension: 8 },
      { wordNgrams: { min: 2, max: 1 } },
      { wordNgrams: { min: 0, max: 1 } },
      { charNgrams: { min: 3, max: 9 } },
      { weighting: 'bm25' },
      { minDf: 0 },
      { seed: -1 },
      { dimensions: 1024 },
    ];
    for (const c of bad) {
      expect(featurizerConfigSchema.safeParse(c).success, JSON.stringify(c)).toBe(false);
      expect(() => fitFeaturizer(['x'], c as never)).toThrow(ValidationError);
    }
    expect(() => parseFeaturizerConfig({ dimension: 1000 })).toThrow(/dimension: dimension must be a power of two/);
  });

  it('rejects inconsistent fitted featurizers and corrupt blobs', () => {
    const f = fitFeaturizer(CORPUS, { dimension: 64 });
    expect(() => featurizerFromJSON(featurizerToJSON(f), new Float32Array(32))).toThrow(ValidationError);
    expect(() => featurizerFromJSON(featurizerToJSON(f), null)).toThrow(ValidationError);
    expect(() => featurizerFromJSON({ ...featurizerToJSON(f), version: 2 }, f.idf)).toThrow(ValidationError);
    const nan = f.idf!.slice();
    nan[3] = Number.NaN;
    expect(() => featurizerFromJSON(featurizerToJSON(f), nan)).toThrow(/idf\[3\]/);
    expect(() => featurize(['x'], { ...f, idf: null })).toThrow(ValidationError);
    const bytes = encodeFeaturizer(f);
    expect(() => decodeFeaturizer(bytes.subarray(0, 6))).toThrow(ValidationError);
    const wrong = bytes.slice();
    wrong[0] = 0;
    expect(() => decodeFeaturizer(wrong)).toThrow(/magic/);
    expect(() => decodeFeaturizer(bytes.subarray(0, bytes.length - 4))).toThrow(ValidationError);
    expect(() => featurize([42 as unknown as string], f)).toThrow(/texts\[0\]/);
  });
});
