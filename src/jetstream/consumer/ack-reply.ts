// The ack reply subject of a delivery, $JS.ACK.<stream>.<consumer>.<delivery
// count>.<stream seq>.<consumer seq>.<timestamp ns>.<pending>, and its
// parsing by scanning characters (no split, no regex: this runs per ack).
// Only the 9-token form Go 2.10 emits is accepted; anything else is ignored.

export interface AckTarget {
  deliveryCount: number;
  streamSeq: number;
  consumerSeq: number;
}

export function ackPrefix(stream: string, consumer: string): string {
  return `$JS.ACK.${stream}.${consumer}.`;
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
