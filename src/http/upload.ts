import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PayloadTooLargeError, ValidationError } from '../core/errors.js';
import { formatBytes } from '../modules/items/import/lines.js';

/**
 * Streams a request body to a temporary file, stopping at `limit` bytes: a
 * too-large body gets 413 and leaves nothing behind. The import job reads the file.
 */
export async function saveBody(body: ReadableStream<Uint8Array> | null, declaredLength: string | undefined, dir: string, limit: number): Promise<{ path: string; bytes: number }> {
  if (declaredLength !== undefined && Number(declaredLength) > limit) {
    throw new PayloadTooLargeError(`the body is ${formatBytes(Number(declaredLength))}; the limit is ${formatBytes(limit)} (QUORUM_BODY_LIMIT_MB)`);
  }
  if (!body) throw new ValidationError('the request has no body: send the items as NDJSON, a JSON array or CSV');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `upload-${randomUUID()}`);
  const out = createWriteStream(path);
  let bytes = 0;
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      if (bytes > limit) throw new PayloadTooLargeError(`the body is larger than the ${formatBytes(limit)} limit (QUORUM_BODY_LIMIT_MB)`);
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return { path, bytes };
  } catch (err) {
    // the file opens asynchronously: wait until the stream is closed, or the open could recreate it after rm
    const closed = out.closed ? Promise.resolve() : new Promise<void>((resolve) => out.once('close', () => resolve()));
    out.destroy();
    await closed;
    await rm(path, { force: true });
    throw err;
  }
}
