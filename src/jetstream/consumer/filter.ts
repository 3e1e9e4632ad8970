// A consumer's subject filters (filter_subject / filter_subjects) as a
// matcher for stored subjects, scanning characters instead of splitting, since
// it runs for every message stored in the stream.

import type { SubjectFilter } from "../store/types.js";

/** Does the literal subject match the pattern (which may hold `*` and `>`)? */
export function literalMatchesPattern(subject: string, pattern: string): boolean {
  const sn = subject.length;
  const pn = pattern.length;
  let si = 0;
  let pi = 0;
  for (;;) {
    // At the start of a token in both.
    const pc = pattern.charCodeAt(pi);
    const pEnd = pattern.indexOf(".", pi);
    const pTokEnd = pEnd < 0 ? pn : pEnd;
    if (pTokEnd - pi === 1 && pc === 62 /* > */) return si < sn;
    if (si >= sn) return false;
    const sEnd = subject.indexOf(".", si);
    const sTokEnd = sEnd < 0 ? sn : sEnd;
    if (!(pTokEnd - pi === 1 && pc === 42 /* * */)) {
      if (pTokEnd - pi !== sTokEnd - si) return false;
      for (let k = 0; k < sTokEnd - si; k++) if (subject.charCodeAt(si + k) !== pattern.charCodeAt(pi + k)) return false;
    }
    const pDone = pEnd < 0;
    const sDone = sEnd < 0;
    if (pDone || sDone) return pDone && sDone;
    pi = pEnd + 1;
    si = sEnd + 1;
  }
}

export class SubjectFilters {
  readonly subjects: readonly string[];
  /** No filter: every stream subject. */
  readonly all: boolean;
  /** The form the store's filtered lookups take. */
  readonly store: SubjectFilter;
  private readonly literal: string | null;

  constructor(filters: readonly string[]) {
    this.subjects = filters;
    this.all = filters.length === 0 || (filters.length === 1 && filters[0] === ">");
    this.store = this.all ? "" : filters.length === 1 ? filters[0] : filters;
    this.literal = filters.length === 1 && !/(^|\.)[*>](\.|$)/.test(filters[0]) ? filters[0] : null;
  }

  matches(subject: string): boolean {
    if (this.all) return true;
    if (this.literal !== null) return subject === this.literal;
    const f = this.subjects;
    for (let i = 0; i < f.length; i++) if (literalMatchesPattern(subject, f[i])) return true;
    return false;
  }
}
