// SubjectMapping: rewrites a published subject that matches a mapping source
// into one of its weighted destinations ($N / {{wildcard(N)}}, partition,
// split and slice functions). Pure subject → subject logic; validation of the
// config text lives in config/subject-mappings.ts.

import type { SubjectMappingConfig } from "../options.js";

type Part =
  | { kind: "literal"; text: string }
  | { kind: "wildcard"; index: number }
  | { kind: "partition"; buckets: number; indexes: number[] }
  | { kind: "split"; index: number; delim: string }
  | { kind: "splitFromLeft" | "splitFromRight" | "sliceFromLeft" | "sliceFromRight"; index: number; n: number };

interface CompiledDestination {
  /** Tokens of the destination; each token is built from parts. */
  tokens: Part[][];
  weight: number;
}

const FN = /^\{\{\s*([A-Za-z]+)\s*\((.*)\)\s*\}\}$/;

function compileToken(token: string): Part[] {
  const dollar = /^\$(\d+)$/.exec(token);
  if (dollar) return [{ kind: "wildcard", index: parseInt(dollar[1], 10) }];
  const m = FN.exec(token);
  if (!m) return [{ kind: "literal", text: token }];
  const name = m[1].toLowerCase();
  const args = m[2].split(",").map((a) => a.trim());
  const int = (s: string) => parseInt(s, 10);
  switch (name) {
    case "wildcard":
      return [{ kind: "wildcard", index: int(args[0]) }];
    case "partition":
      return [{ kind: "partition", buckets: int(args[0]), indexes: args.slice(1).map(int) }];
    case "split":
      return [{ kind: "split", index: int(args[0]), delim: args[1].replace(/^"|"$/g, "") }];
    case "splitfromleft":
      return [{ kind: "splitFromLeft", index: int(args[0]), n: int(args[1]) }];
    case "splitfromright":
      return [{ kind: "splitFromRight", index: int(args[0]), n: int(args[1]) }];
    case "slicefromleft":
      return [{ kind: "sliceFromLeft", index: int(args[0]), n: int(args[1]) }];
    case "slicefromright":
      return [{ kind: "sliceFromRight", index: int(args[0]), n: int(args[1]) }];
    default:
      return [{ kind: "literal", text: token }];
  }
}

/** FNV-1a 32-bit, as the Go server hashes partition keys. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h >>> 0;
}

function chunks(s: string, n: number, fromRight: boolean): string[] {
  if (n <= 0 || s.length <= n) return [s];
  const out: string[] = [];
  if (fromRight) {
    const head = s.length % n;
    if (head > 0) out.push(s.slice(0, head));
    for (let i = head; i < s.length; i += n) out.push(s.slice(i, i + n));
  } else {
    for (let i = 0; i < s.length; i += n) out.push(s.slice(i, i + n));
  }
  return out;
}

export class SubjectMapping {
  readonly source: string;
  private readonly sourceTokens: string[];
  /** Positions of the wildcard tokens in the source: $1 is the first. */
  private readonly wildcardPositions: number[];
  private readonly destinations: CompiledDestination[];

  constructor(cfg: SubjectMappingConfig) {
    this.source = cfg.source;
    this.sourceTokens = cfg.source.split(".");
    this.wildcardPositions = [];
    this.sourceTokens.forEach((t, i) => {
      if (t === "*" || t === ">") this.wildcardPositions.push(i);
    });
    this.destinations = cfg.destinations.map((d) => ({
      tokens: d.subject.split(".").map(compileToken),
      weight: d.weight,
    }));
  }

  /** The mapped subject, or undefined when `subject` does not match the source. */
  map(subject: string): string | undefined {
    const tokens = subject.split(".");
    const src = this.sourceTokens;
    for (let i = 0; i < src.length; i++) {
      const t = src[i];
      if (t === ">") {
        if (i >= tokens.length) return undefined;
        break;
      }
      if (i >= tokens.length || (t !== "*" && t !== tokens[i])) return undefined;
      if (i === src.length - 1 && tokens.length !== src.length) return undefined;
    }
    const dest = this.pick();
    if (dest === undefined) return subject;
    const out: string[] = [];
    for (const parts of dest.tokens) {
      if (parts.length === 1 && parts[0].kind === "literal" && parts[0].text === ">") {
        // A trailing ">" carries over every token the source's ">" matched.
        out.push(tokens.slice(src.length - 1).join("."));
        break;
      }
      out.push(parts.map((p) => this.render(p, tokens)).join(""));
    }
    return out.join(".");
  }

  private pick(): CompiledDestination | undefined {
    if (this.destinations.length === 1 && this.destinations[0].weight >= 100) return this.destinations[0];
    let r = Math.random() * 100;
    for (const d of this.destinations) {
      if (r < d.weight) return d;
      r -= d.weight;
    }
    return undefined;
  }

  private wildcardValue(index: number, tokens: string[]): string {
    const pos = this.wildcardPositions[index - 1];
    if (pos === undefined) return "";
    if (this.sourceTokens[pos] === ">") return tokens.slice(pos).join(".");
    return tokens[pos] ?? "";
  }

  private render(p: Part, tokens: string[]): string {
    switch (p.kind) {
      case "literal":
        return p.text;
      case "wildcard":
        return this.wildcardValue(p.index, tokens);
      case "partition": {
        const key = (p.indexes.length > 0 ? p.indexes.map((i) => this.wildcardValue(i, tokens)) : tokens).join("");
        return String(fnv1a(key) % p.buckets);
      }
      case "split":
        return this.wildcardValue(p.index, tokens)
          .split(p.delim)
          .filter((s) => s !== "")
          .join(".");
      case "splitFromLeft": {
        const v = this.wildcardValue(p.index, tokens);
        return p.n > 0 && p.n < v.length ? `${v.slice(0, p.n)}.${v.slice(p.n)}` : v;
      }
      case "splitFromRight": {
        const v = this.wildcardValue(p.index, tokens);
        return p.n > 0 && p.n < v.length ? `${v.slice(0, v.length - p.n)}.${v.slice(v.length - p.n)}` : v;
      }
      case "sliceFromLeft":
        return chunks(this.wildcardValue(p.index, tokens), p.n, false).join(".");
      case "sliceFromRight":
        return chunks(this.wildcardValue(p.index, tokens), p.n, true).join(".");
    }
  }
}

/** Apply the first mapping whose source matches; unchanged subject otherwise. */
export function mapSubject(mappings: readonly SubjectMapping[], subject: string): string {
  for (let i = 0; i < mappings.length; i++) {
    const out = mappings[i].map(subject);
    if (out !== undefined) return out;
  }
  return subject;
}
