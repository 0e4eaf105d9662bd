/**
 * FastLineReader: the JSONL fast path reads `features` from the bytes. Whatever it
 * returns must be exactly what JSON.parse gives (the rest of the object, and the
 * features rounded to float32 as the exact path rounds them); anything it is not
 * sure of it leaves to the exact path (undefined).
 */
import { describe, expect, it } from 'vitest';
import { FastLineReader } from '../../../src/modules/items/import/fast-line.js';
import { createRng } from '../../../src/core/random.js';

const reader = new FastLineReader();

function read(line: string | Buffer) {
  const buf = Buffer.isBuffer(line) ? line : Buffer.from(line, 'utf8');
  const r = reader.read(buf, 0, buf.length);
  return r && { value: r.value, features: Array.from(r.features) };
}

/** Same result as JSON.parse, or undefined. */
function expectExactOrNothing(line: string): void {
  const fast = read(line);
  if (fast === undefined) return;
  const exact = JSON.parse(line) as Record<string, unknown>;
  expect(fast.features).toEqual(Array.from(Float32Array.from(exact.features as number[])));
  expect(fast.value).toEqual({ ...exact, features: null });
}

describe('FastLineReader', () => {
  it('reads the features of a plain line and leaves the rest to JSON.parse', () => {
    const r = read('{"id":"a","text":"t","features":[0.5,-0.25,1,0,-0,12.125],"label":"x"}');
    expect(r!.value).toEqual({ id: 'a', text: 't', features: null, label: 'x' });
    expect(r!.features).toEqual([0.5, -0.25, 1, 0, -0, 12.125]);
    expect(Object.is(r!.features[4], -0)).toBe(true);
  });

  it('accepts whitespace, a CR at the end, features anywhere and nested values around them', () => {
    for (const line of [
      ' { "id" : "a" , "features" : [ 1 , 2.5 ] , "text" : "x" } \r',
      '{"features":[1,2],"id":"a","meta":{"a":[1,{"b":"]}\\""}],"c":null}}',
      '{"id":"a","text":"he said \\"features\\":[9]","features":[3,4]}',
      '{"id":"é☃","features":[1,2],"text":"\\u00e9\\n"}',
    ]) {
      expect(read(line), line).toBeDefined();
      expectExactOrNothing(line);
    }
  });

  it('leaves every doubtful line to the exact path', () => {
    for (const line of [
      '{"id":"a","features":[1e3,2]}', // exponent
      '{"id":"a","features":[0.1234567890123456]}', // more than 15 digits
      '{"id":"a","features":[01]}',
      '{"id":"a","features":[1.]}',
      '{"id":"a","features":[-]}',
      '{"id":"a","features":[]}',
      '{"id":"a","features":[1,"2"]}',
      '{"id":"a","features":[1,null]}',
      '{"id":"a","features":null}',
      '{"id":"a","text":"no features"}',
      '{"id":"a","features":[1],"features":[2]}', // repeated key: JSON.parse keeps the last
      '{"id":"a","feat\\u0075res":[1]}', // escaped key
      '{"id":"a","features":[1],}',
      '{"id":"a","features":[1]} x',
      '{"id":"a","features":[1]',
      '{"id":"a" "features":[1]}',
      '{"id":a,"features":[1]}', // malformed elsewhere: JSON.parse of the rest fails
      '[1,2]',
      '',
      '{}',
    ]) {
      expect(read(line), line).toBeUndefined();
    }
    expect(read(Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xff]), Buffer.from('","features":[1]}')]))).toBeUndefined();
    expect(read(Buffer.from('{"id":"a\u0000","features":[1]}'))).toBeUndefined();
  });

  it('gives JSON.parse results for random numbers and shapes', () => {
    const rng = createRng(11);
    const number = (): string => {
      const v = (rng.next() * 2 - 1) * 10 ** rng.int(8);
      switch (rng.int(5)) {
        case 0: return v.toFixed(rng.int(9));
        case 1: return String(v);
        case 2: return v.toExponential(3);
        case 3: return String(Math.round(v));
        default: return Math.fround(v).toPrecision(1 + rng.int(15));
      }
    };
    for (let i = 0; i < 2000; i++) {
      const features = Array.from({ length: 1 + rng.int(40) }, number).join(rng.next() < 0.2 ? ', ' : ',');
      expectExactOrNothing(`{"id":"i${i}","features":[${features}],"text":"t${i}"}`);
    }
  });
});
