// The ack reply subject of a delivery, $JS.ACK.<stream>.<consumer>.<delivery
// count>.<stream seq>.<consumer seq>.<timestamp ns>.<pending>, and its
// parsing by scanning characters (no split, no regex: this runs per ack).
// Only the 9-token form Go 2.10 emits is accepted; anything else is ignored.
// Building it runs per delivery: the timestamp is written as the exact integer
// of the stored double (what Go prints for its int64), from two halves that
// are small integers, rather than by the slow general double-to-string.

export interface AckTarget {
  deliveryCount: number;
  streamSeq: number;
  consumerSeq: number;
}

export function ackPrefix(stream: string, consumer: string): string {
  return `$JS.ACK.${stream}.${consumer}.`;
}

const TWO_60 = 2 ** 60;
const TWO_61 = 2 ** 61;
const NINE_ZEROS = "000000000";

/** Builds one consumer's ack reply subjects; keeps the seconds digits of the last timestamp. */
export class AckReplyBuilder {
  private seconds = -1;
  private secondsText = "";

  constructor(private readonly prefix: string) {}

  build(deliveryCount: number, streamSeq: number, consumerSeq: number, tsNs: number, pending: number): string {
    return `${this.prefix}${deliveryCount}.${streamSeq}.${consumerSeq}.${this.nanos(tsNs)}.${pending}`;
  }

  /** The decimal integer value of a timestamp in ns. */
  private nanos(ts: number): string {
    // Wall-clock ns (2006..2043) lie in [2^60, 2^61), where doubles are multiples of 256:
    // ts = 256 * q exactly, q < 2^53, split into seconds and ns without rounding.
    if (ts < TWO_60 || ts >= TWO_61 || !Number.isInteger(ts)) return Number.isSafeInteger(ts) ? String(ts) : BigInt(Math.trunc(ts)).toString();
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
      this.secondsText = String(seconds);
    }
    const t = String(ns);
    return this.secondsText + (t.length === 9 ? t : NINE_ZEROS.slice(t.length) + t);
  }
}

/** What a token that is not a number reads as: Go's uint64(-1), a sequence nothing has. */
export const NOT_A_NUMBER = Number.MAX_SAFE_INTEGER;

/**
 * Parses the five numbers after `prefixLen` characters (the subscription's prefix).
 * Returns false when the tail is not exactly five non-empty tokens; a token
 * that is not an unsigned integer reads as NOT_A_NUMBER (Go still answers such an ack).
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
      if (digits < 0) v = NOT_A_NUMBER;
      if (field === 0) dc = v;
      else if (field === 1) sseq = v;
      else if (field === 2) out.consumerSeq = v;
      field++;
      if (field > 5) return false;
      v = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      if (digits >= 0) digits++;
    } else {
      digits = -1;
    }
  }
  if (field !== 5) return false;
  out.deliveryCount = dc;
  out.streamSeq = sseq;
  return true;
}
