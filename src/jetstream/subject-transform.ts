// Subject transforms of streams (subject_transform, republish, source
// transforms): a source pattern and a destination with $N / {{wildcard(N)}}
// references, applied with the accounts layer's SubjectMapping engine.

import { SubjectMapping } from "../accounts/subject-mapping.js";
import { isValidSubject } from "../protocol/subject.js";

/** Does the destination only reference wildcards the source has, with `>` only where the source ends in `>`? */
export function validateTransform(src: string, dest: string): boolean {
  const source = src === "" ? ">" : src;
  if (!isValidSubject(source) || dest === "" || !isValidSubject(dest.replace(/\{\{[^}]*\}\}/g, "x"))) return false;
  const stoks = source.split(".");
  const wildcards = stoks.filter((t) => t === "*" || t === ">").length;
  const dtoks = dest.split(".");
  if (dtoks.includes(">") && stoks[stoks.length - 1] !== ">") return false;
  for (const m of dest.matchAll(/\$(\d+)|\{\{\s*[wW]ildcard\s*\(\s*(\d+)\s*\)\s*\}\}/g)) {
    const n = Number(m[1] ?? m[2]);
    if (n < 1 || n > wildcards) return false;
  }
  return true;
}

export class SubjectTransform {
  private readonly mapping: SubjectMapping;

  constructor(src: string, dest: string) {
    this.mapping = new SubjectMapping({ source: src === "" ? ">" : src, destinations: [{ subject: dest, weight: 100 }] });
  }

  /** The transformed subject, or undefined when the subject does not match the source. */
  apply(subject: string): string | undefined {
    return this.mapping.map(subject);
  }
}
