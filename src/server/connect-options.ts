// CONNECT options: the fields of a client's CONNECT the server acts on or
// reports, and their decoding from the CONNECT JSON with Go's json.Unmarshal
// rules. Pure data handling: no connection, no I/O.

/** Fields of CONNECT the server acts on or reports. */
export interface ConnectOptions {
  verbose: boolean;
  pedantic: boolean;
  echo: boolean;
  headers: boolean;
  noResponders: boolean;
  tlsRequired: boolean;
  name: string;
  lang: string;
  version: string;
  protocol: number;
  user: string;
  pass: string;
  authToken: string;
  nkey: string;
  sig: string;
  jwt: string;
  /** Go refuses a CONNECT naming an account (a retired sandbox feature): Authorization Violation. */
  account: string;
  newAccount: boolean;
}

type ConnectField = readonly [keyof ConnectOptions, "boolean" | "string" | "int"];
/** CONNECT JSON keys (lower case: Go matches them case-insensitively) → option and type. */
const CONNECT_FIELDS = new Map<string, ConnectField>([
  ["verbose", ["verbose", "boolean"]],
  ["pedantic", ["pedantic", "boolean"]],
  ["echo", ["echo", "boolean"]],
  ["headers", ["headers", "boolean"]],
  ["no_responders", ["noResponders", "boolean"]],
  ["tls_required", ["tlsRequired", "boolean"]],
  ["name", ["name", "string"]],
  ["lang", ["lang", "string"]],
  ["version", ["version", "string"]],
  ["protocol", ["protocol", "int"]],
  ["user", ["user", "string"]],
  ["pass", ["pass", "string"]],
  ["auth_token", ["authToken", "string"]],
  ["nkey", ["nkey", "string"]],
  ["sig", ["sig", "string"]],
  ["jwt", ["jwt", "string"]],
  ["account", ["account", "string"]],
  ["new_account", ["newAccount", "boolean"]],
]);

/**
 * Decode CONNECT's JSON onto `o` the way Go's json.Unmarshal does onto the
 * client's options: fields not present keep their values, `null` changes
 * nothing, unknown keys are ignored, a wrongly typed value is an error.
 * Returns "" or the error text.
 */
export function applyConnect(o: ConnectOptions, json: string): string {
  let c: unknown;
  try {
    c = JSON.parse(json);
  } catch (e) {
    return (e as Error).message;
  }
  if (c === null) return "";
  if (typeof c !== "object" || Array.isArray(c)) return "CONNECT is not a JSON object";
  const rec = o as unknown as Record<string, unknown>;
  for (const [key, v] of Object.entries(c as Record<string, unknown>)) {
    const f = CONNECT_FIELDS.get(key.toLowerCase());
    if (f === undefined || v === null) continue;
    const [field, type] = f;
    if (type === "int" ? typeof v !== "number" || !Number.isInteger(v) : typeof v !== type) {
      return `CONNECT field "${key}" has the wrong type`;
    }
    rec[field] = v;
  }
  return "";
}
