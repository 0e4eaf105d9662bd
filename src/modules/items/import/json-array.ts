import type { Readable } from 'node:stream';
import { bomSkipper, formatBytes } from './lines.js';

export interface ArrayElement {
  /** Line where the element starts. */
  line: number;
  /** 0-based position in the array. */
  index: number;
  text?: string;
  error?: string;
  bytesRead: number;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const [QUOTE, BACKSLASH, COMMA, OPEN_OBJ, CLOSE_OBJ, OPEN_ARR, CLOSE_ARR, LF] = [0x22, 0x5c, 0x2c, 0x7b, 0x7d, 0x5b, 0x5d, 0x0a];

/**
 * Streams the elements of a top-level JSON array (`[{...}, {...}]`) as raw JSON
 * texts, so a large array is never held whole. It scans bytes: structural
 * characters are ASCII and never occur inside a multi-byte UTF-8 sequence, so
 * the size limit counts real bytes and each element is decoded strictly.
 * Structural errors (a stray "}", an empty element, an unclosed array, invalid
 * UTF-8) end the stream with one error element: nothing after them can be trusted.
 */
export async function* readJsonArray(input: Readable, maxElementBytes: number): AsyncGenerator<ArrayElement> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  // before: until "["; first: after "[" (an element or "]"); element: inside one (it ends at "," or "]"
  // outside strings and brackets); next: after "," (an element must follow); done: after "]"
  let state: 'before' | 'first' | 'element' | 'next' | 'done' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: Buffer[] = [];
  let size = 0;
  let line = 1;
  let elementLine = 1;
  let index = 0;
  let bytesRead = 0;
  const skipBom = bomSkipper();
  const fail = (reason: string, at = line): ArrayElement => ({ line: at, index, error: reason, bytesRead });

  const finish = (): ArrayElement => {
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    parts = [];
    size = 0;
    try {
      return { line: elementLine, index: index++, text: decoder.decode(bytes), bytesRead };
    } catch {
      return fail('array element is not valid UTF-8 (is the file binary, or in another encoding?)', elementLine);
    }
  };

  for await (const raw of input) {
    bytesRead += (raw as Buffer).length;
    const chunk = skipBom(raw as Buffer);
    // an element that began in an earlier chunk goes on from this chunk's start
    let segStart = state === 'element' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === LF) line++;
      if (state === 'element') {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) inString = false;
          continue;
        }
        if (c === QUOTE) inString = true;
        else if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
        else if (depth > 0 && (c === CLOSE_OBJ || c === CLOSE_ARR)) depth--;
        else if (depth === 0 && (c === COMMA || c === CLOSE_ARR)) {
          parts.push(chunk.subarray(segStart, i));
          size += i - segStart;
          if (size > maxElementBytes) {
            yield fail(`array element is longer than the ${formatBytes(maxElementBytes)} limit`, elementLine);
            return;
          }
          const el = finish();
          yield el;
          if (el.error) return;
          state = c === COMMA ? 'next' : 'done';
        } else if (depth === 0 && c === CLOSE_OBJ) {
          yield fail('unexpected "}" in the JSON array');
          return;
        }
        continue;
      }
      if (WS.has(c)) continue;
      if (state === 'before') {
        if (c !== OPEN_ARR) {
          yield fail('expected a JSON array ("[") or one JSON object per line');
          return;
        }
        state = 'first';
      } else if (state === 'first' && c === CLOSE_ARR) {
        state = 'done';
      } else if (state === 'done') {
        yield fail('unexpected content after the end of the JSON array');
        return;
      } else if (c === COMMA || c === CLOSE_ARR) {
        yield fail(`empty element in the JSON array (unexpected "${String.fromCharCode(c)}")`);
        return;
      } else {
        state = 'element';
        elementLine = line;
        segStart = i;
        i--;
      }
    }
    if (state === 'element') {
      parts.push(Buffer.from(chunk.subarray(segStart)));
      size += chunk.length - segStart;
      if (size > maxElementBytes) {
        yield fail(`array element is longer than the ${formatBytes(maxElementBytes)} limit`, elementLine);
        return;
      }
    }
  }
  if ((state as string) !== 'done') yield fail('the JSON array is not closed ("]" missing)');
}
