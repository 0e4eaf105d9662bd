// The import floor: read a JSONL file line by line and JSON.parse each line.
// No validation, no database. Prints {"lines": N} so the caller can check it read everything.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/floor.js FILE.jsonl\n');
  process.exit(2);
}
let lines = 0;
const rl = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
for await (const line of rl) {
  if (line.length === 0) continue;
  JSON.parse(line);
  lines++;
}
process.stdout.write(JSON.stringify({ lines }) + '\n');
