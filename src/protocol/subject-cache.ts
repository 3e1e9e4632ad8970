// SubjectStringCache: turns subject bytes into a string, handing back the
// identical string object for bytes seen recently. A publisher usually repeats
// a few subjects; reusing the string saves an allocation per message and lets
// V8 reuse the string's hash in every Map lookup downstream (the match cache).
// A small direct-mapped table keyed by a hash the caller computed while
// scanning; it holds copies, never views of a socket chunk.

const SIZE = 64;
const MASK = SIZE - 1;
/** Longer subjects are decoded every time: comparing them would cost as much. */
const MAX_CACHED_LENGTH = 128;

/** FNV-1a offset basis and step: callers hash the subject bytes as they scan them. */
export const SUBJECT_HASH_SEED = 0x811c9dc5;
export function subjectHashStep(h: number, byte: number): number {
  return Math.imul(h ^ byte, 16777619);
}

export class SubjectStringCache {
  /**
   * Each slot's key bytes, in storage reused across misses: unique subjects
   * (request inboxes) miss every time and must not allocate per message.
   */
  private readonly keys: (Buffer | undefined)[] = new Array(SIZE);
  private readonly lengths = new Int32Array(SIZE).fill(-1);
  private readonly strings: string[] = new Array(SIZE);

  /** The string for buf[s, e), whose FNV-1a hash is `h`. */
  get(buf: Buffer, s: number, e: number, h: number): string {
    const slot = (h ^ (h >>> 16)) & MASK;
    const n = e - s;
    let key = this.keys[slot];
    if (this.lengths[slot] === n) {
      const k0 = key!;
      let k = 0;
      while (k < n && k0[k] === buf[s + k]) k++;
      if (k === n) return this.strings[slot];
    }
    const str = buf.latin1Slice(s, e);
    if (n <= MAX_CACHED_LENGTH) {
      if (key === undefined || key.length < n) {
        key = Buffer.allocUnsafe(n <= 32 ? 32 : MAX_CACHED_LENGTH);
        this.keys[slot] = key;
      }
      for (let k = 0; k < n; k++) key[k] = buf[s + k];
      this.lengths[slot] = n;
      this.strings[slot] = str;
    }
    return str;
  }

  clear(): void {
    this.keys.fill(undefined);
    this.lengths.fill(-1);
    this.strings.fill("");
  }
}
