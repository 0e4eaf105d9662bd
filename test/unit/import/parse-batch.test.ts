/** readLineBatch: the feature buffers a batch reads into are reused from batches already written. */
import { expect, it } from 'vitest';
import { BatchPacker, type LineBatch } from '../../../src/modules/items/import/line-batches.js';
import { readLineBatch } from '../../../src/modules/items/import/parse-batch.js';

function batchOf(packer: BatchPacker, lines: string[]): LineBatch {
  lines.forEach((text, i) => {
    const bytes = Buffer.from(text);
    packer.line(i + 1, bytes, 0, bytes.length, 0);
  });
  packer.pack();
  return packer.full.splice(0)[0]!;
}

it("a batch reads into an earlier batch's feature buffer, also when its lines are longer", () => {
  const packer = new BatchPacker(100, 64 << 10);
  const short = batchOf(packer, Array.from({ length: 10 }, (_, i) => `{"id":"s${i}","features":[0.5,1]}`));
  const first = readLineBatch(short, 1 << 20);
  expect(first.featuresLength).toBe(20);

  // a spare that did not fit was dropped and a fresh buffer made: garbage that only a full collection freed
  const long = batchOf(packer, Array.from({ length: 10 }, (_, i) => `{"id":"l${i}","text":"${'x'.repeat(300)}","features":[0.25,-1.5,2]}`));
  const second = readLineBatch(long, 1 << 20, first.features.buffer as ArrayBuffer);
  expect(second.features.buffer).toBe(first.features.buffer);
  expect(Array.from(second.features.subarray(0, second.featuresLength))).toEqual(Array.from({ length: 10 }, () => [0.25, -1.5, 2]).flat());
  expect(second.lines.map((l) => (l.value as { id: string }).id)).toEqual(Array.from({ length: 10 }, (_, i) => `l${i}`));
});
