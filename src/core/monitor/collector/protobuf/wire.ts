/**
 * The protobuf wire format, by hand: the collector only ever decodes the three OTLP export requests and
 * encodes two tiny answers, so a ~200-line reader beats a reflection-based library on both speed and on
 * the one thing that matters for a 400: saying exactly which field of which element was broken.
 */

/** A malformed protobuf body. `path` grows outwards as the error crosses each enclosing message. */
export class WireError extends Error {
  override readonly name = 'WireError';
  private readonly segments: string[] = [];

  constructor(readonly detail: string) {
    super(detail);
  }

  /** Adds an enclosing field (`spans[3]`) in front of the path. */
  within(segment: string): this {
    this.segments.unshift(segment);
    this.message = `${this.path}: ${this.detail}`;
    return this;
  }

  get path(): string {
    return this.segments.join('.').replace(/\.\[/g, '[');
  }
}

export const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  Len = 2,
  StartGroup = 3,
  EndGroup = 4,
  Fixed32 = 5,
}

const two32 = 4294967296;

/** A cursor over one message's bytes [pos, end). Every read checks the bounds: truncated input is a WireError, never a RangeError. */
export class WireReader {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint known to fit 32 bits (tags, lengths, enums, uint32). Larger ones keep their low 32 bits, as protobuf does. */
  uint32(): number {
    const b = this.buf;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError(`truncated varint at byte ${this.pos}`);
      const byte = b[this.pos++] as number;
      if (shift < 32) result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    throw new WireError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** A 64-bit varint as [low, high] 32-bit halves (int64, uint64). */
  private varint64(): [number, number] {
    const b = this.buf;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError(`truncated varint at byte ${this.pos}`);
      const byte = b[this.pos++] as number;
      const bits = byte & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >> 4;
      } else hi |= bits << (7 * i - 32);
      if ((byte & 0x80) === 0) return [lo >>> 0, hi >>> 0];
    }
    throw new WireError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** int64 (two's complement varint) as a decimal string: OTLP/JSON writes 64-bit integers as strings. */
  int64(): string {
    const [lo, hi] = this.varint64();
    return signed64(lo, hi);
  }

  uint64(): string {
    const [lo, hi] = this.varint64();
    return unsigned64(lo, hi);
  }

  sint32(): number {
    const n = this.uint32();
    return (n >>> 1) ^ -(n & 1);
  }

  bool(): boolean {
    const [lo, hi] = this.varint64();
    return lo !== 0 || hi !== 0;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new WireError(`truncated: ${n} bytes needed at byte ${this.pos}, ${this.end - this.pos} left`);
  }

  fixed32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return ((b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16)) + (b[p + 3] as number) * 0x1000000;
  }

  fixed64(): string {
    const lo = this.fixed32();
    const hi = this.fixed32();
    return unsigned64(lo, hi);
  }

  sfixed64(): string {
    const lo = this.fixed32();
    const hi = this.fixed32();
    return signed64(lo, hi);
  }

  double(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** The [start, end) of a length-delimited field's payload; the cursor moves past it. */
  span(): [number, number] {
    const len = this.uint32();
    const start = this.pos;
    if (len > this.end - start) throw new WireError(`length ${len} at byte ${start} runs past the end of its message (${this.end - start} bytes left)`);
    this.pos = start + len;
    return [start, start + len];
  }

  string(): string {
    const [s, e] = this.span();
    return this.buf.toString('utf8', s, e);
  }

  hex(): string {
    const [s, e] = this.span();
    return this.buf.toString('hex', s, e);
  }

  base64(): string {
    const [s, e] = this.span();
    return this.buf.toString('base64', s, e);
  }

  /** Skips a field of an unknown number (forward compatibility: newer senders may add fields). */
  skip(wireType: number, field: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.varint64();
        return;
      case WireType.Fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.Len:
        this.span();
        return;
      case WireType.Fixed32:
        this.need(4);
        this.pos += 4;
        return;
      case WireType.StartGroup: {
        // Deprecated groups: skip to the matching end tag.
        for (;;) {
          if (this.done) throw new WireError(`unterminated group of field ${field}`);
          const tag = this.uint32();
          if ((tag & 7) === WireType.EndGroup) {
            if (tag >>> 3 !== field) throw new WireError(`group of field ${field} ended by field ${tag >>> 3}`);
            return;
          }
          this.skip(tag & 7, tag >>> 3);
        }
      }
      default:
        throw new WireError(`invalid wire type ${wireType} for field ${field} at byte ${this.pos}`);
    }
  }
}

function unsigned64(lo: number, hi: number): string {
  if (hi < 0x200000) return String(hi * two32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

function signed64(lo: number, hi: number): string {
  if (hi & 0x80000000) return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
  return unsigned64(lo, hi);
}

// ── writing (the answers) ───────────────────────────────────────────────────

/** Just enough of a writer for ExportXServiceResponse and google.rpc.Status. */
export class WireWriter {
  private readonly parts: Buffer[] = [];

  private varint(n: bigint): void {
    const bytes: number[] = [];
    let v = BigInt.asUintN(64, n);
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.parts.push(Buffer.from(bytes));
  }

  tag(field: number, wireType: WireType): this {
    this.varint(BigInt((field << 3) | wireType));
    return this;
  }

  int(field: number, n: number | bigint): this {
    if (n === 0 || n === 0n) return this;
    this.tag(field, WireType.Varint).varint(BigInt(n));
    return this;
  }

  string(field: number, s: string): this {
    if (s === '') return this;
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }

  bytes(field: number, b: Buffer): this {
    this.tag(field, WireType.Len).varint(BigInt(b.length));
    this.parts.push(b);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}
