// Subject and queue-name validation rules of the NATS protocol, and the two
// forms of a subject: the wire form the parser hands out (one char per byte)
// and text. Pure functions over strings; nothing here knows about
// connections or subscriptions.

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * A subject from the configuration or the embedding API (text) in the wire
 * form, one char per UTF-8 byte, so that a non-ASCII rule or import compares
 * equal to the bytes a client sends, as in Go where both are bytes.
 */
export function wireSubject(text: string): string {
  return NON_ASCII.test(text) ? Buffer.from(text, "utf8").toString("latin1") : text;
}

/** A wire-form subject as text (its bytes read as UTF-8), for error messages. */
export function subjectText(wire: string): string {
  return NON_ASCII.test(wire) ? Buffer.from(wire, "latin1").toString("utf8") : wire;
}

/** A subscription subject: non-empty tokens, `*` and `>` only as whole tokens, `>` last. */
export function isValidSubject(subject: string): boolean {
  const n = subject.length;
  if (n === 0) return false;
  let tokenStart = 0;
  let sawFwc = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? subject.charCodeAt(i) : 46;
    if (c === 46 /* . */) {
      const tlen = i - tokenStart;
      if (tlen === 0 || sawFwc) return false;
      if (tlen === 1) {
        const t = subject.charCodeAt(tokenStart);
        if (t === 62 /* > */) sawFwc = true;
      }
      tokenStart = i + 1;
    } else if (isBlank(c)) {
      return false;
    }
  }
  return true;
}

/** A literal subject (valid, no wildcard tokens): what PUB accepts in pedantic mode. */
export function isValidLiteralSubject(subject: string): boolean {
  if (!isValidSubject(subject)) return false;
  return !hasWildcard(subject);
}

/** True if any token is exactly `*` or `>`. */
function hasWildcard(subject: string): boolean {
  const n = subject.length;
  for (let i = 0; i < n; i++) {
    const c = subject.charCodeAt(i);
    if (c === 42 || c === 62) {
      const before = i === 0 || subject.charCodeAt(i - 1) === 46;
      const after = i === n - 1 || subject.charCodeAt(i + 1) === 46;
      if (before && after) return true;
    }
  }
  return false;
}

/** Queue names must not contain whitespace. */
export function isValidQueueName(queue: string): boolean {
  if (queue.length === 0) return false;
  for (let i = 0; i < queue.length; i++) {
    const c = queue.charCodeAt(i);
    if (isBlank(c)) return false;
  }
  return true;
}

/** The characters Go's subject checks reject: space, \t, \n, \f, \r. */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}
