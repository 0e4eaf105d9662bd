/** MurmurHash3's scramble of one 32-bit block. */
function scramble(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

/** Mixes one full 32-bit block into the running hash. */
function mixBlock(h: number, k: number): number {
  h ^= scramble(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * MurmurHash3 x86_32 (Austin Appleby, public domain) over the UTF-16LE bytes
 * of a string range, computed straight from `charCodeAt` (two code units per
 * 32-bit block), so no string or byte buffer is allocated per n-gram.
 * Reproducible elsewhere as `mmh3.hash(s.encode('utf-16-le'), seed, signed=False)`.
 */
export function murmur3Utf16(s: string, start: number, end: number, seed: number): number {
  let h = seed | 0;
  let i = start;
  const pairsEnd = start + ((end - start) & ~1);
  for (; i < pairsEnd; i += 2) {
    const k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    h = mixBlock(h, k);
  }
  if (i < end) {
    h ^= scramble(s.charCodeAt(i));
  }
  h ^= (end - start) * 2;
  return fmix32(h);
}

/** The whole string: `murmur3Utf16(s, 0, s.length, seed)`. */
export function murmur3String(s: string, seed = 0): number {
  return murmur3Utf16(s, 0, s.length, seed);
}

/** MurmurHash3 x86_32 over bytes (the reference form; used to check the UTF-16 variant). */
export function murmur3Bytes(bytes: Uint8Array, seed = 0): number {
  let h = seed | 0;
  const n = bytes.length;
  const blocks = n & ~3;
  let i = 0;
  for (; i < blocks; i += 4) {
    const k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    h = mixBlock(h, k);
  }
  let k = 0;
  switch (n & 3) {
    case 3:
      k ^= bytes[i + 2]! << 16;
    // falls through
    case 2:
      k ^= bytes[i + 1]! << 8;
    // falls through
    case 1:
      k ^= bytes[i]!;
      h ^= scramble(k);
  }
  h ^= n;
  return fmix32(h);
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
