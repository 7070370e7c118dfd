import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { InputError } from '../errors';

export interface InputLine {
  text: string;
  /** 1-based line number in the (decompressed) input. */
  line: number;
  /** False only for a last line with no newline: possibly still being written. */
  complete: boolean;
}

/**
 * Splits a byte stream into lines without ever holding more than one line
 * (plus one chunk) in memory. Handles \n and \r\n, multi-byte UTF-8 split
 * across chunks, and a leading BOM. Stream errors are rethrown as InputErrors
 * carrying the line reached so far.
 */
export async function* readLines(stream: Readable, file: string): AsyncGenerator<InputLine> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let line = 0;
  let first = true;
  try {
    for await (const chunk of stream) {
      let text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      let start = 0;
      let nl = text.indexOf('\n', start);
      while (nl !== -1) {
        let piece = pending + text.slice(start, nl);
        pending = '';
        if (piece.endsWith('\r')) piece = piece.slice(0, -1);
        yield { text: piece, line: ++line, complete: true };
        start = nl + 1;
        nl = text.indexOf('\n', start);
      }
      pending += text.slice(start);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new InputError({ file, line: line + 1 }, `read failed: ${reason}`, { cause: err });
  }
  pending += decoder.end();
  if (pending.length > 0) yield { text: pending, line: line + 1, complete: false };
}
