/**
 * An incremental scanner that finds, in OTLP JSON text fed chunk by chunk,
 * each element of a document's resourceSpans / resourceLogs / resourceMetrics
 * array and hands its text to the caller, with the line it starts on. Memory
 * is bounded by the largest element, never by the file: a 1 GB pretty-printed
 * document and a 1 GB JSON Lines file cost the same.
 *
 * It understands just enough JSON for that: strings and escapes, nesting, and
 * the keys of a document object. The top level may be one document, a JSON
 * array of documents, or a sequence of documents (JSON Lines, or concatenated
 * pretty-printed objects). The element text itself is validated by JSON.parse.
 *
 * Line mode: when the first document starts and ends on one line, the input is
 * JSON Lines, and a newline inside an unfinished document means that line is
 * broken; the scanner reports it and starts afresh on the next line.
 */

export type Signal = 'spans' | 'logs' | 'metrics';

export interface ScanSink {
  element(signal: Signal, text: string, line: number): void;
  problem(severity: 'error' | 'warning' | 'info', code: string, message: string, line: number): void;
}

const signalKeys: Record<string, Signal> = {
  resourceSpans: 'spans',
  resource_spans: 'spans',
  resourceLogs: 'logs',
  resource_logs: 'logs',
  resourceMetrics: 'metrics',
  resource_metrics: 'metrics',
};

// Roles of the containers at shallow depths; deeper ones are not tracked.
const OTHER = 0;
const DOC = 1;
const TOP_ARRAY = 2;
const SIGNAL_ARRAY = 3;

// Where a document object is in its "key": value, … sequence.
const KEY_EXPECTED = 0;
const IN_KEY = 1;
const AFTER_KEY = 2;
const IN_VALUE = 3;

const NL = 10;
const SPACE = 32;
const QUOTE = 34;
const BACKSLASH = 92;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;
const COLON = 58;
const COMMA = 44;

/** A first line longer than this that does not hold a whole document is a broken JSON line, not a pretty-printed header. */
const longFirstLine = 200;
const maxKeyLength = 64;

/**
 * Text is scanned as UTF-16 code units copied into a typed array, a window at a
 * time: reading a Uint16Array is several times cheaper than charCodeAt, and
 * Buffer's utf16le write copies a chunk in one go. (Buffer writes little-endian;
 * on a big-endian machine the units are copied one by one.) Read as a
 * Float64Array, four units are compared at once: four spaces make one (non-NaN)
 * double, equal only to itself, which skips indentation quickly.
 */
const windowUnits = 1 << 16;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const fourSpaces = new Float64Array(new Uint16Array([32, 32, 32, 32]).buffer)[0] as number;

export class OtlpScanner {
  private line = 1;
  private lineMode: 'unknown' | 'lines' | 'document' = 'unknown';
  /** Characters written before the current chunk, and where the last newline was (only while the mode is unknown). */
  private consumed = 0;
  private lastNewlineAt = 0;
  private sawContent = false;
  private lastCharWasNewline = true;

  private depth = 0;
  private inString = false;
  private escaped = false;
  private readonly roles: number[] = [OTHER];
  private signals: (Signal | undefined)[] = [undefined];
  private valueLine = 0;

  // The document object currently open (there is at most one).
  private docDepth = -1;
  private keyState = KEY_EXPECTED;
  private key = '';
  private docHasSignal = false;

  // The element being captured.
  private capturing = false;
  private captureDepth = 0;
  private captureLine = 0;
  private captureSignal: Signal = 'spans';
  private captureParts: string[] = [];

  private junkLine = 0;
  /** The code units of the current window of text (allocated on first use), the same memory as a Buffer, and as groups of four. */
  private units: Uint16Array | undefined;
  private unitBytes: Buffer | undefined;
  private quads: Float64Array | undefined;

  constructor(private readonly sink: ScanSink) {}

  /** The line the next character is on (1-based), as every element and problem is numbered. */
  get currentLine(): number {
    return this.line;
  }

  /** 'lines' once the input showed itself to be JSON Lines; 'document' for a pretty-printed (multi-line) document. */
  get mode(): 'unknown' | 'lines' | 'document' {
    return this.lineMode;
  }

  write(text: string): void {
    const n = text.length;
    // Where the element being captured starts in this text (0 when it started in an earlier one).
    let start = 0;
    for (let w0 = 0; w0 < n; w0 += windowUnits) {
      const w1 = w0 + windowUnits < n ? w0 + windowUnits : n;
      const units = this.load(text, w0, w1);
      let i = w0;
      while (i < w1) {
        if (this.capturing) {
          i = this.capture(text, units, w0, w1, i, start);
          continue;
        }
        this.structural(units[i - w0] as number, i);
        i++;
        // The element's opening brace: it is captured from there.
        if (this.capturing) start = i - 1;
      }
    }
    if (this.capturing && n > 0) this.captureParts.push(start === 0 ? text : text.slice(start));
    if (n > 0) this.lastCharWasNewline = text.charCodeAt(n - 1) === NL;
    this.consumed += n;
  }

  /** Copies text[w0, w1) into the unit array, from index 0. */
  private load(text: string, w0: number, w1: number): Uint16Array {
    let units = this.units;
    if (!units || units.length < w1 - w0) {
      // A first small text gets a small array; anything bigger the full window.
      units = this.units = new Uint16Array(!units && w1 - w0 <= 1024 ? 1024 : windowUnits);
      this.unitBytes = Buffer.from(units.buffer, units.byteOffset, units.byteLength);
      this.quads = new Float64Array(units.buffer, units.byteOffset, units.length >> 2);
    }
    if (littleEndian) {
      (this.unitBytes as Buffer).write(w0 === 0 && w1 === text.length ? text : text.slice(w0, w1), 0, (w1 - w0) * 2, 'utf16le');
    } else {
      for (let i = w0; i < w1; i++) units[i - w0] = text.charCodeAt(i);
    }
    return units;
  }

  /**
   * The hot path: inside an element only strings, nesting and newlines matter.
   * Goes through the window's units from text index i until the element ends,
   * is abandoned, or the window ends, and returns where the caller goes on.
   * The element's text in this chunk starts at text index start.
   */
  private capture(text: string, units: Uint16Array, w0: number, w1: number, i: number, start: number): number {
    const end = w1 - w0;
    const quads = this.quads as Float64Array;
    let k = i - w0;
    let depth = this.depth;
    const captureDepth = this.captureDepth;
    let inString = this.inString;
    if (inString && this.escaped) {
      // The unit after a backslash that ended the previous window, whatever it is.
      this.escaped = false;
      k++;
    }
    while (k < end) {
      let c = units[k] as number;
      if (inString) {
        // Walk to the end of the string, skipping each escaped unit.
        while (c !== QUOTE && c !== NL) {
          if (c === BACKSLASH) k++;
          if (++k >= end) break;
          c = units[k] as number;
        }
        if (k >= end) {
          // The window ends inside the string, possibly right after a backslash.
          if (k > end) this.escaped = true;
          break;
        }
        inString = false;
        if (c === QUOTE) {
          k++;
          continue;
        }
        // A raw newline is never inside a valid JSON string: the text is corrupt here, and the newline counts as one.
      } else {
        // Outside strings: whitespace and everything but quotes, nesting and newlines is skipped,
        // indentation four spaces at a time where it is aligned.
        for (;;) {
          if (c === SPACE) {
            if ((k & 3) === 0 && k + 4 <= end && quads[k >> 2] === fourSpaces) {
              let q = (k >> 2) + 1;
              const qEnd = end >> 2;
              while (q < qEnd && quads[q] === fourSpaces) q++;
              k = q << 2;
              if (k >= end) break;
              c = units[k] as number;
              continue;
            }
          } else if (c === QUOTE || c === NL || (c | 32) === LBRACE || (c | 32) === RBRACE) break;
          if (++k >= end) break;
          c = units[k] as number;
        }
        if (k >= end) break;
        if (c === QUOTE) {
          inString = true;
          k++;
          continue;
        }
        if ((c | 32) === LBRACE) {
          depth++;
          k++;
          continue;
        }
        if (c !== NL) {
          if (--depth < captureDepth) {
            const close = w0 + k + 1;
            const parts = this.captureParts;
            parts.push(text.slice(start, close));
            this.captureParts = [];
            this.capturing = false;
            this.depth = depth;
            this.inString = false;
            this.sink.element(this.captureSignal, parts.length === 1 ? (parts[0] as string) : parts.join(''), this.captureLine);
            this.lastCharWasNewline = false;
            return close;
          }
          k++;
          continue;
        }
      }
      // A newline at k.
      if (this.lineMode === 'document') this.line++;
      else {
        this.depth = depth;
        this.inString = false;
        // In line mode the element is abandoned here, and what follows is read afresh.
        if (this.newline(this.consumed + w0 + k)) return w0 + k + 1;
      }
      k++;
    }
    this.depth = depth;
    this.inString = inString;
    return w1;
  }

  /** Call once after the last chunk. */
  end(): void {
    if (!this.sawContent) {
      this.sink.problem('info', 'empty-file', 'the file holds no JSON', 1);
      return;
    }
    if (this.depth > 0 || this.inString) {
      if (this.lineMode !== 'document' && !this.lastCharWasNewline) {
        this.sink.problem('info', 'truncated-line', 'the last line is incomplete (still being written?); it was skipped', this.valueLine);
      } else {
        this.sink.problem('warning', 'truncated', `the file ends inside the JSON value that starts on line ${this.valueLine} (truncated?); everything complete before that was loaded`, this.valueLine);
      }
    }
    this.reset();
  }

  /** Counts a newline; in line mode an unfinished document ends here. Returns true when the value was abandoned. */
  private newline(at: number): boolean {
    if (this.lineMode === 'unknown') {
      if (this.sawContent) this.lineMode = this.depth > 0 && at - this.lastNewlineAt <= longFirstLine ? 'document' : 'lines';
      this.lastNewlineAt = at;
    }
    let abandoned = false;
    if (this.lineMode === 'lines' && (this.depth > 0 || this.inString)) {
      this.sink.problem('error', 'invalid-json', 'this line is not complete JSON; it was skipped (elements before the damage were kept)', this.valueLine);
      this.reset();
      abandoned = true;
    }
    this.line++;
    return abandoned;
  }

  private reset(): void {
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.capturing = false;
    this.captureParts = [];
    this.docDepth = -1;
    this.roles.length = 1;
    this.signals.length = 1;
  }

  private structural(c: number, i: number): void {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === BACKSLASH) this.escaped = true;
      else if (c === QUOTE) {
        this.inString = false;
        if (this.keyState === IN_KEY && this.depth === this.docDepth) this.keyState = AFTER_KEY;
      } else if (c === NL) {
        this.inString = false;
        this.newline(this.consumed + i);
      } else if (this.keyState === IN_KEY && this.depth === this.docDepth && this.key.length < maxKeyLength) this.key += String.fromCharCode(c);
      return;
    }
    switch (c) {
      case 32:
      case 9:
      case 13:
        return;
      case NL:
        this.newline(this.consumed + i);
        return;
      case QUOTE:
        this.inString = true;
        if (this.depth === this.docDepth && this.keyState === KEY_EXPECTED) {
          this.keyState = IN_KEY;
          this.key = '';
        } else if (this.depth === 0) this.junk();
        return;
      case COLON:
        if (this.depth === this.docDepth && this.keyState === AFTER_KEY) this.keyState = IN_VALUE;
        return;
      case COMMA:
        if (this.depth === this.docDepth) this.keyState = KEY_EXPECTED;
        return;
      case LBRACE:
      case LBRACKET:
        this.open(c === LBRACE);
        return;
      case RBRACE:
      case RBRACKET:
        this.close();
        return;
      default:
        if (this.depth === 0) this.junk();
    }
  }

  private open(isObject: boolean): void {
    const d = this.depth;
    const parent = d < this.roles.length ? (this.roles[d] as number) : OTHER;
    let role = OTHER;
    let signal: Signal | undefined;
    if (d === 0) {
      this.sawContent = true;
      this.valueLine = this.line;
      role = isObject ? DOC : TOP_ARRAY;
    } else if (parent === TOP_ARRAY) {
      role = isObject ? DOC : OTHER;
      if (!isObject) this.sink.problem('warning', 'unknown-shape', 'an element of the top-level array is not an OTLP JSON object', this.line);
    } else if (parent === DOC && d === this.docDepth && this.keyState === IN_VALUE) {
      signal = signalKeys[this.key];
      if (signal && !isObject) {
        role = SIGNAL_ARRAY;
        this.docHasSignal = true;
      } else signal = undefined;
    } else if (parent === SIGNAL_ARRAY && isObject) {
      this.capturing = true;
      this.captureDepth = d + 1;
      this.captureLine = this.line;
      this.captureSignal = this.signals[d] as Signal;
      this.captureParts = [];
      this.depth++;
      return;
    }
    if (role === DOC) {
      this.docDepth = d + 1;
      this.keyState = KEY_EXPECTED;
      this.docHasSignal = false;
    }
    this.depth++;
    // Roles are kept for the few shallow levels that can matter (document, signal array).
    if (this.depth <= 4) {
      this.roles[this.depth] = role;
      this.signals[this.depth] = signal;
    }
  }

  private close(): void {
    if (this.depth === 0) {
      this.junk();
      return;
    }
    const role = this.depth < this.roles.length ? this.roles[this.depth] : OTHER;
    if (role === DOC) {
      if (!this.docHasSignal) this.sink.problem('warning', 'unknown-shape', 'a JSON object without resourceSpans, resourceLogs or resourceMetrics: not OTLP JSON, skipped', this.valueLine);
      this.docDepth = -1;
    }
    if (this.depth <= 4) this.roles.length = this.depth;
    if (this.depth <= 4) this.signals.length = this.depth;
    this.depth--;
    if (this.depth === 0 && this.lineMode === 'unknown') this.lineMode = 'lines';
  }

  private junk(): void {
    this.sawContent = true;
    if (this.junkLine === this.line) return;
    this.junkLine = this.line;
    this.sink.problem('error', 'invalid-json', 'text outside any JSON object or array was skipped', this.line);
  }
}
