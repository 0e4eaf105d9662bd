import { parentPort } from 'node:worker_threads';
import { FileParser, type FileParseRequest } from '../src/modules/items/import/file-parser.js';
import { parseLineBatch } from '../src/modules/items/import/parse-batch.js';
import type { ParseReply, ParseTask } from '../src/modules/items/import/parse-pool.js';
import { transferablesOf } from '../src/modules/items/import/record-batch.js';

// Imports only the parsing code: every module loaded here costs memory in each thread.
let labelKey: string | undefined;
let labelIndex: Map<string, number> | undefined;

/** Parses one batch of JSONL lines off the main thread; the results and the line buffer go back transferred. */
function parse(task: ParseTask) {
  const key = task.ctx.labels.join('\u0000');
  if (key !== labelKey) {
    labelKey = key;
    labelIndex = new Map(task.ctx.labels.map((l, i) => [l, i]));
  }
  return parseLineBatch(task.batch, { ...task.ctx, labelIndex: labelIndex! }, task.maxLineBytes, task.spare);
}

/** Set when the thread reads a file itself (one parse thread); else it parses the batches it is sent (a pool). */
let fileParser: FileParser | undefined;

parentPort!.on('message', (msg: { id: number; task: ParseTask } | FileParseRequest) => {
  if ('kind' in msg) {
    fileParser ??= new FileParser((reply, transfer) => parentPort!.postMessage(reply, transfer));
    fileParser.handle(msg);
    return;
  }
  const { id, task } = msg;
  let reply: ParseReply;
  try {
    reply = { id, result: parse(task) };
  } catch (err) {
    reply = { id, error: (err as Error).message };
  }
  parentPort!.postMessage(reply, 'result' in reply ? [reply.result.input, ...transferablesOf(reply.result.records)] : []);
});
