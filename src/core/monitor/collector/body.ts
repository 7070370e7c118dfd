import type { IncomingMessage } from 'node:http';
import { gunzip, inflate } from 'node:zlib';

/**
 * Reading a request body under a size limit. The bytes as sent are counted while they stream in, and
 * reading stops the moment they pass the limit (the body is never buffered beyond it). Decompression
 * runs on libuv's thread pool (zlib's async convenience API, not the event loop) with `maxOutputLength`
 * set to the same limit, so a decompression bomb stops at the limit instead of filling memory.
 */

export class BodyError extends Error {
  override readonly name = 'BodyError';
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

export type ContentEncoding = 'identity' | 'gzip' | 'deflate';

export function contentEncoding(header: string | undefined): ContentEncoding {
  const v = (header ?? '').trim().toLowerCase();
  if (v === '' || v === 'identity') return 'identity';
  if (v === 'gzip' || v === 'x-gzip') return 'gzip';
  if (v === 'deflate') return 'deflate';
  throw new BodyError(415, `Content-Encoding "${header}" is not supported (use gzip, deflate or none)`);
}

/** The body as sent (still compressed when it was). Rejects with a 413 BodyError past `limit` bytes; the rest is left unread. */
export function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        // Stop buffering; what is left is discarded (see the server's answer with Connection: close).
        req.pause();
        finish(new BodyError(413, `the request body is larger than the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish();
    const onError = (err: Error): void => finish(err);
    const onAborted = (): void => finish(new Error('the client closed the connection before the body was complete'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** Decompresses under the limit. A corrupt stream is a 400, output past the limit a 413. */
export function decompress(raw: Buffer, encoding: ContentEncoding, limit: number): Promise<Buffer> {
  if (encoding === 'identity') return Promise.resolve(raw);
  const fn = encoding === 'gzip' ? gunzip : inflate;
  return new Promise<Buffer>((resolve, reject) => {
    fn(raw, { maxOutputLength: limit }, (err, out) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        return reject(new BodyError(413, `the request body decompresses to more than the limit of ${limit} bytes`));
      }
      reject(new BodyError(400, `the ${encoding} body could not be decompressed: ${err.message}`));
    });
  });
}
