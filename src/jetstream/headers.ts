// The JetStream publish headers, read from a raw "NATS/1.0\r\n…\r\n\r\n"
// block only when a message has one: Nats-Msg-Id, Nats-Expected-*,
// Nats-Rollup. Keys are matched case-sensitively as the Go server does.
// Also builds the header blocks JetStream sends (direct get, republish).

export interface PublishHeaders {
  msgId?: string;
  expectedStream?: string;
  expectedLastSeq?: number;
  expectedLastSubjectSeq?: number;
  expectedLastMsgId?: string;
  rollup?: string;
}

const KEYS: Record<string, (h: PublishHeaders, v: string) => void> = {
  "Nats-Msg-Id": (h, v) => (h.msgId = v),
  "Nats-Expected-Stream": (h, v) => (h.expectedStream = v),
  "Nats-Expected-Last-Sequence": (h, v) => {
    const n = parseSeq(v);
    if (n !== undefined) h.expectedLastSeq = n;
  },
  "Nats-Expected-Last-Subject-Sequence": (h, v) => {
    const n = parseSeq(v);
    if (n !== undefined) h.expectedLastSubjectSeq = n;
  },
  "Nats-Expected-Last-Msg-Id": (h, v) => (h.expectedLastMsgId = v),
  "Nats-Rollup": (h, v) => (h.rollup = v),
};

function parseSeq(v: string): number | undefined {
  return /^\d+$/.test(v) ? Number(v) : undefined;
}

/** The JetStream headers of a message's header block; null when it holds none. */
export function readPublishHeaders(hdr: Buffer): PublishHeaders | null {
  // Fast exit: most headers carry no "Nats-" key at all.
  if (hdr.indexOf("Nats-", 0, "latin1") < 0) return null;
  const text = hdr.toString("latin1");
  let out: PublishHeaders | null = null;
  let pos = text.indexOf("\r\n");
  while (pos >= 0 && pos < text.length) {
    const start = pos + 2;
    const end = text.indexOf("\r\n", start);
    if (end < 0 || end === start) break;
    const colon = text.indexOf(":", start);
    if (colon > start && colon < end) {
      const set = KEYS[text.slice(start, colon)];
      if (set) {
        out ??= {};
        set(out, text.slice(colon + 1, end).trim());
      }
    }
    pos = end;
  }
  return out;
}

/** Value of one header in a raw block, or undefined. */
export function headerValue(hdr: Buffer | null, key: string): string | undefined {
  if (hdr === null) return undefined;
  const text = hdr.toString("latin1");
  for (const line of text.split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon) === key) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** A header block from `base` (a raw block or null) with `extra` lines appended; status is the NATS/1.0 line's rest. */
export function buildHeaders(base: Buffer | null, extra: readonly (readonly [string, string])[], status = ""): Buffer {
  let head = base !== null && base.length >= 12 ? base.toString("latin1", 0, base.length - 2) : `NATS/1.0${status ? ` ${status}` : ""}\r\n`;
  for (const [k, v] of extra) head += `${k}: ${v}\r\n`;
  return Buffer.from(`${head}\r\n`, "latin1");
}

/** The block without the headers whose key `drop` selects; null when nothing is left. */
export function withoutHeaders(hdr: Buffer | null, drop: (key: string) => boolean): Buffer | null {
  if (hdr === null) return null;
  const lines = hdr.toString("latin1").split("\r\n");
  const kept = lines.slice(1).filter((l) => {
    const colon = l.indexOf(":");
    return l !== "" && !(colon > 0 && drop(l.slice(0, colon)));
  });
  if (kept.length === 0 && lines[0] === "NATS/1.0") return null;
  return Buffer.from(`${lines[0]}\r\n${kept.map((l) => `${l}\r\n`).join("")}\r\n`, "latin1");
}
