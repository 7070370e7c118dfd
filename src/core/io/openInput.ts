import { createReadStream, promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../errors';

export interface OpenedInput {
  stream: Readable;
  /** Size on disk (compressed size for .gz), for progress reporting. */
  bytesTotal: number;
  /** Gunzipped on the way: byte offsets in the stream are not offsets in the file. */
  compressed: boolean;
}

const gzipMagic = [0x1f, 0x8b];

export const readChunkBytes = 1 << 20;

/**
 * Opens a file as a byte stream, transparently gunzipping `.gz` (or any file
 * that starts with the gzip magic). File-system failures become InputErrors
 * naming the file, so callers never surface a raw ENOENT.
 */
export async function openInput(file: string): Promise<OpenedInput> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch (err) {
    throw new InputError({ file }, describeFsError(err));
  }
  if (stat.isDirectory()) throw new InputError({ file }, 'is a directory, expected a file');

  const gzipped = file.endsWith('.gz') || (await startsWith(file, gzipMagic));
  // 1 MB reads: most OTLP elements then arrive in one chunk, so the scanner rarely joins pieces.
  const raw = createReadStream(file, { highWaterMark: readChunkBytes });
  if (!gzipped) return { stream: raw, bytesTotal: stat.size, compressed: false };

  const gunzip = createGunzip();
  raw.on('error', (err) => gunzip.destroy(new InputError({ file }, describeFsError(err))));
  gunzip.on('error', () => raw.destroy());
  return { stream: raw.pipe(gunzip), bytesTotal: stat.size, compressed: true };
}

async function startsWith(file: string, magic: number[]): Promise<boolean> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(magic.length);
    const { bytesRead } = await handle.read(buf, 0, magic.length, 0);
    return bytesRead === magic.length && magic.every((b, i) => buf[i] === b);
  } finally {
    await handle.close();
  }
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, expected a file';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
