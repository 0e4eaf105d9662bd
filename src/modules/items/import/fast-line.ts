import { isUtf8 } from 'node:buffer';

/**
 * The fast path of a JSONL line: its `features` array is read straight from the
 * bytes into float32, and only the rest of the line (id, text, label…: ~100 bytes
 * instead of ~2 KB) goes through JSON.parse. JSON.parse of the 256 numbers was most
 * of the import's CPU time.
 *
 * It gives exactly what JSON.parse would, or nothing: any line it is not sure of
 * (not UTF-8, NUL bytes, an exponent, more than 15 significant digits, an empty
 * or non-numeric array, an escaped or repeated key, malformed JSON…) returns
 * undefined, and the caller takes the exact path, which also words the errors.
 */
export interface FastLine {
  /** The line's JSON object, with `features` replaced by null. */
  value: Record<string, unknown>;
  /** The features as float32, in a scratch array reused by the next call. */
  features: Float32Array;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a, MINUS = 0x2d, DOT = 0x2e;
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;
const ZERO = 0x30, NINE = 0x39;
const FEATURES_KEY = Buffer.from('features');
/** 10^k is exact in a double for k <= 22; with <= 15 digits the mantissa is exact too. */
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);
const MAX_DIGITS = 15;

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

function skipSpace(b: Uint8Array, p: number): number {
  while (isSpace(b[p])) p++;
  return p;
}

/** Past the closing quote of the string opening at `p`, or -1. */
function skipString(b: Uint8Array, p: number, end: number): number {
  for (p++; p < end; p++) {
    const c = b[p];
    if (c === QUOTE) return p + 1;
    if (c === BACKSLASH) p++;
  }
  return -1;
}

/** Past the value starting at `p` (string, number, literal, array or object), or -1. Only its extent: JSON.parse checks it. */
function skipValue(b: Uint8Array, p: number, end: number): number {
  const first = b[p];
  if (first === QUOTE) return skipString(b, p, end);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    while (p < end) {
      const c = b[p];
      if (c === QUOTE) {
        p = skipString(b, p, end);
        if (p < 0) return -1;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return p + 1;
      p++;
    }
    return -1;
  }
  while (p < end) {
    const c = b[p];
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
    p++;
  }
  return p;
}

/** Whether `b[from, to)` holds `byte` (without a subarray: a view per key was a tenth of the reading thread's time). */
function hasByte(b: Uint8Array, from: number, to: number, byte: number): boolean {
  for (let i = from; i < to; i++) if (b[i] === byte) return true;
  return false;
}

function isFeaturesKey(b: Uint8Array, from: number, to: number): boolean {
  if (to - from !== FEATURES_KEY.length) return false;
  for (let i = 0; i < FEATURES_KEY.length; i++) if (b[from + i] !== FEATURES_KEY[i]) return false;
  return true;
}

export class FastLineReader {
  private scratch = new Float32Array(1024);

  /** Parses `b[start, end)`, one line without its LF; undefined when the exact path must decide. */
  read(buf: Buffer, start: number, end: number): FastLine | undefined {
    const b = buf.subarray(start, end);
    if (b.includes(0) || !isUtf8(b)) return undefined;
    let p = skipSpace(b, 0);
    if (b[p] !== OPEN_BRACE) return undefined;
    p++;
    let featStart = -1, featEnd = -1, count = 0;
    for (let first = true; ; first = false) {
      p = skipSpace(b, p);
      if (first && b[p] === CLOSE_BRACE) return undefined;
      if (b[p] !== QUOTE) return undefined;
      const keyEnd = skipString(b, p, b.length);
      if (keyEnd < 0 || hasByte(b, p + 1, keyEnd - 1, BACKSLASH)) return undefined;
      const isFeatures = isFeaturesKey(b, p + 1, keyEnd - 1);
      p = skipSpace(b, keyEnd);
      if (b[p] !== COLON) return undefined;
      p = skipSpace(b, p + 1);
      if (isFeatures) {
        if (featStart >= 0 || b[p] !== OPEN_BRACKET) return undefined;
        featStart = p;
        const r = this.numbers(b, p + 1);
        if (r === undefined) return undefined;
        [featEnd, count] = r;
        p = featEnd;
      } else {
        p = skipValue(b, p, b.length);
        if (p < 0) return undefined;
      }
      p = skipSpace(b, p);
      if (b[p] === COMMA) p++;
      else if (b[p] === CLOSE_BRACE) break;
      else return undefined;
    }
    if (featStart < 0 || skipSpace(b, p + 1) !== b.length) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(b.toString('utf8', 0, featStart) + 'null' + b.toString('utf8', featEnd));
    } catch {
      return undefined;
    }
    return { value: value as Record<string, unknown>, features: this.scratch.subarray(0, count) };
  }

  /**
   * Reads `[n, n, …]` from just past the bracket into the scratch array: [end of the array, count], or
   * undefined. Each number is an integer of at most 15 digits divided by an exact power of ten, so the
   * double is correctly rounded (as JSON.parse's), and storing it in a Float32Array rounds it as before.
   */
  private numbers(b: Uint8Array, p: number): [number, number] | undefined {
    let k = 0;
    for (;;) {
      let c = b[p];
      while (isSpace(c)) c = b[++p];
      let negative = false;
      if (c === MINUS) {
        negative = true;
        c = b[++p];
      }
      let mantissa = 0, digits = 0, decimals = 0;
      if (c === ZERO) c = b[++p];
      else if (c !== undefined && c > ZERO && c <= NINE) {
        do {
          mantissa = mantissa * 10 + (c - ZERO);
          digits++;
          c = b[++p];
        } while (c !== undefined && c >= ZERO && c <= NINE);
      } else return undefined; // also an empty array: the exact path says "is empty"
      if (c === DOT) {
        c = b[++p];
        if (c === undefined || c < ZERO || c > NINE) return undefined;
        do {
          mantissa = mantissa * 10 + (c - ZERO);
          digits++;
          decimals++;
          c = b[++p];
        } while (c !== undefined && c >= ZERO && c <= NINE);
      }
      if (digits > MAX_DIGITS || c === 0x65 || c === 0x45) return undefined;
      const v = decimals ? mantissa / POW10[decimals]! : mantissa;
      if (k === this.scratch.length) this.grow();
      this.scratch[k++] = negative ? -v : v;
      while (isSpace(c)) c = b[++p];
      if (c === COMMA) p++;
      else if (c === CLOSE_BRACKET) return [p + 1, k];
      else return undefined;
    }
  }

  private grow(): void {
    const bigger = new Float32Array(this.scratch.length * 2);
    bigger.set(this.scratch);
    this.scratch = bigger;
  }
}
