// Query parameter decoding with the Go server's rules and error texts
// (strconv.ParseBool / Atoi / ParseUint). A bad value throws ParamError,
// which the listener answers with 400 and the message as plain text.

export class ParamError extends Error {}

/** Go's strconv.Quote, close enough for error messages. */
function quote(s: string): string {
  return JSON.stringify(s);
}

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

export function decodeBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name) ?? "";
  if (v === "") return false;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new ParamError(`Error decoding boolean for '${name}': strconv.ParseBool: parsing ${quote(v)}: invalid syntax`);
}

const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

export function decodeInt(q: URLSearchParams, name: string): number {
  const v = q.get(name) ?? "";
  if (v === "") return 0;
  const fail = (why: string) => new ParamError(`Error decoding int for '${name}': strconv.Atoi: parsing ${quote(v)}: ${why}`);
  if (!/^[+-]?\d+$/.test(v)) throw fail("invalid syntax");
  const n = BigInt(v);
  if (n > INT64_MAX || n < -INT64_MAX - 1n) throw fail("value out of range");
  return Number(n);
}

export function decodeUint64(q: URLSearchParams, name: string): number {
  const v = q.get(name) ?? "";
  if (v === "") return 0;
  const fail = (why: string) => new ParamError(`Error decoding uint64 for '${name}': strconv.ParseUint: parsing ${quote(v)}: ${why}`);
  if (!/^\d+$/.test(v)) throw fail("invalid syntax");
  if (BigInt(v) > UINT64_MAX) throw fail("value out of range");
  return Number(v);
}

/** `subs=detail` (any case) or a boolean. */
export function decodeSubs(q: URLSearchParams): { subs: boolean; detail: boolean } {
  if ((q.get("subs") ?? "").toLowerCase() === "detail") return { subs: false, detail: true };
  return { subs: decodeBool(q, "subs"), detail: false };
}
