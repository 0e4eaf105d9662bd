import type { Readable } from 'node:stream';
import { formatBytes } from './lines.js';

export interface ArrayElement {
  /** Line where the element starts. */
  line: number;
  /** 0-based position in the array. */
  index: number;
  text?: string;
  error?: string;
  bytesRead: number;
}

/**
 * Streams the elements of a top-level JSON array (`[{...}, {...}]`) as raw JSON
 * texts, tracking strings and nesting, so a large array is never held whole.
 * Each element is parsed by the caller; structural errors end the stream with an error element.
 */
export async function* readJsonArray(input: Readable, maxElementBytes: number): AsyncGenerator<ArrayElement> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let state: 'before' | 'between' | 'element' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let current = '';
  let line = 1;
  let elementLine = 1;
  let index = 0;
  let bytesRead = 0;
  let first = true;

  for await (const raw of input) {
    bytesRead += (raw as Buffer).length;
    let chunk = decoder.decode(raw as Buffer, { stream: true });
    if (first) {
      first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    let segStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10) line++;
      if (state === 'element') {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 92) escaped = true;
          else if (c === 34) inString = false;
          continue;
        }
        if (c === 34) inString = true;
        else if (c === 123 || c === 91) depth++;
        else if (c === 125 || c === 93 || (c === 44 && depth === 0)) {
          if (depth === 0) {
            current += chunk.slice(segStart, i);
            yield { line: elementLine, index: index++, text: current, bytesRead };
            current = '';
            state = c === 93 ? 'after' : 'between';
            continue;
          }
          depth--;
        }
        continue;
      }
      if (c === 32 || c === 9 || c === 10 || c === 13) continue;
      if (state === 'before') {
        if (c !== 91) {
          yield { line, index, error: 'expected a JSON array ("[") or one JSON object per line', bytesRead };
          return;
        }
        state = 'between';
      } else if (state === 'between') {
        if (c === 93 && index === 0) {
          state = 'after';
          continue;
        }
        if (c === 44) continue;
        state = 'element';
        elementLine = line;
        segStart = i;
        i--;
      } else {
        yield { line, index, error: 'unexpected content after the end of the JSON array', bytesRead };
        return;
      }
    }
    if (state === 'element') {
      current += chunk.slice(segStart);
      if (current.length > maxElementBytes) {
        yield { line: elementLine, index, error: `array element is longer than the ${formatBytes(maxElementBytes)} limit`, bytesRead };
        return;
      }
    }
  }
  if ((state as string) !== 'after') yield { line, index, error: 'the JSON array is not closed ("]" missing)', bytesRead };
}
