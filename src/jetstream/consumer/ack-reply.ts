// The ack reply subject of a delivery, $JS.ACK.<stream>.<consumer>.<delivery
// count>.<stream seq>.<consumer seq>.<timestamp ns>.<pending>, and its
// parsing by scanning characters (no split, no regex: this runs per ack).
// Only the 9-token form Go 2.10 emits is accepted; anything else is ignored.
// Building it runs per delivery, so it is written as bytes into one reused
// buffer (a string would cost a chain of concatenations and a flatten per
// message); the timestamp is the exact integer of the stored double (what Go
// prints for its int64), from two halves that are small integers, rather than
// by the slow general double-to-string.

export interface AckTarget {
  deliveryCount: number;
  streamSeq: number;
  consumerSeq: number;
}

export function ackPrefix(stream: string, consumer: string): string {
  return `$JS.ACK.${stream}.${consumer}.`;
}

/** A reply subject held as bytes[0, length) (subjects are latin1 byte strings here). */
export interface ReplyBytes {
  readonly bytes: Buffer;
  readonly length: number;
  text(): string;
}

const TWO_60 = 2 ** 60;
const TWO_61 = 2 ** 61;
const TWO_31 = 2 ** 31;
const DOT = 46;
/** Room for the five numbers and their dots: four up to 2^53 (16 digits), the timestamp up to 20. */
const TAIL_ROOM = 4 * 17 + 21;

/** Builds one consumer's ack reply subjects; keeps the seconds digits of the last timestamp. */
export class AckReplyBuilder implements ReplyBytes {
  /** The last reply built; overwritten by the next build(). */
  readonly bytes: Buffer;
  length = 0;
  private readonly prefixLen: number;
  private seconds = -1;
  private readonly secondsDigits = Buffer.alloc(12);
  private secondsLen = 0;

  constructor(prefix: string) {
    this.prefixLen = Buffer.byteLength(prefix, "latin1");
    this.bytes = Buffer.alloc(this.prefixLen + TAIL_ROOM);
    this.bytes.write(prefix, 0, "latin1");
  }

  build(deliveryCount: number, streamSeq: number, consumerSeq: number, tsNs: number, pending: number): void {
    const b = this.bytes;
    let o = writeUnsigned(b, this.prefixLen, deliveryCount);
    b[o++] = DOT;
    o = writeUnsigned(b, o, streamSeq);
    b[o++] = DOT;
    o = writeUnsigned(b, o, consumerSeq);
    b[o++] = DOT;
    o = this.writeNanos(b, o, tsNs);
    b[o++] = DOT;
    this.length = writeUnsigned(b, o, pending);
  }

  text(): string {
    return this.bytes.toString("latin1", 0, this.length);
  }

  /** The decimal integer value of a timestamp in ns. */
  private writeNanos(b: Buffer, o: number, ts: number): number {
    // Wall-clock ns (2006..2043) lie in [2^60, 2^61), where doubles are multiples of 256:
    // ts = 256 * q exactly, q < 2^53, split into seconds and ns without rounding.
    if (ts < TWO_60 || ts >= TWO_61 || !Number.isInteger(ts)) {
      if (Number.isSafeInteger(ts)) return writeUnsigned(b, o, ts);
      return o + b.write(BigInt(Math.trunc(ts)).toString(), o, "latin1");
    }
    const q = ts / 256;
    let qs = Math.floor(q / 1e9);
    let qr = q - qs * 1e9;
    if (qr < 0) {
      qs--;
      qr += 1e9;
    } else if (qr >= 1e9) {
      qs++;
      qr -= 1e9;
    }
    const r = qr * 256;
    let carry = Math.floor(r / 1e9);
    let ns = r - carry * 1e9;
    if (ns < 0) {
      carry--;
      ns += 1e9;
    } else if (ns >= 1e9) {
      carry++;
      ns -= 1e9;
    }
    const seconds = qs * 256 + carry;
    if (seconds !== this.seconds) {
      this.seconds = seconds;
      this.secondsLen = writeUnsigned(this.secondsDigits, 0, seconds);
    }
    const sd = this.secondsDigits;
    for (let i = 0; i < this.secondsLen; i++) b[o++] = sd[i];
    // Nine digits, zero-padded.
    let n = ns | 0;
    for (let p = o + 8; p >= o; p--) {
      const t = (n / 10) | 0;
      b[p] = 48 + (n - t * 10);
      n = t;
    }
    return o + 9;
  }
}

/** Writes the decimal digits of a non-negative integer (< 2^53) at o; returns the end. */
function writeUnsigned(b: Buffer, o: number, n: number): number {
  if (n < 10) {
    b[o] = 48 + n;
    return o + 1;
  }
  let digits = 0;
  if (n < TWO_31) {
    for (let t = n; t > 0; t = (t / 10) | 0) digits++;
    let p = o + digits - 1;
    for (let t = n; t > 0; ) {
      const q = (t / 10) | 0;
      b[p--] = 48 + (t - q * 10);
      t = q;
    }
    return o + digits;
  }
  for (let t = n; t >= 1; t = Math.floor(t / 10)) digits++;
  let p = o + digits - 1;
  for (let t = n; t >= 1; ) {
    const q = Math.floor(t / 10);
    b[p--] = 48 + (t - q * 10);
    t = q;
  }
  return o + digits;
}

/**
 * Parses the five numbers after `prefixLen` characters (the subscription's prefix).
 * Returns false when the tail is not exactly five unsigned integers.
 */
export function parseAckTail(subject: string, prefixLen: number, out: AckTarget): boolean {
  const n = subject.length;
  let i = prefixLen;
  let field = 0;
  let v = 0;
  let digits = 0;
  let dc = 0;
  let sseq = 0;
  for (; i <= n; i++) {
    const c = i < n ? subject.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0) return false;
      if (field === 0) dc = v;
      else if (field === 1) sseq = v;
      else if (field === 2) out.consumerSeq = v;
      field++;
      if (field > 5) return false;
      v = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      digits++;
    } else {
      return false;
    }
  }
  if (field !== 5) return false;
  out.deliveryCount = dc;
  out.streamSeq = sseq;
  return true;
}
