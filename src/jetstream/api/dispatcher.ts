// The $JS.API dispatcher: handlers register a subject pattern (tokens after
// "$JS.API.", with * and >) and a response type; a request is matched to
// exactly one handler, which returns the response body or throws a
// JsApiError. The dispatcher adds the type, sends the answer to the reply
// subject, counts api.total / api.errors and sends the audit advisory when
// someone listens. Unknown subjects get Go's bad-request answer.

import type { JsAccount } from "../account-context.js";
import type { JetStream } from "../jetstream.js";
import { JsApiError, jsError, type ApiError } from "./errors.js";
import { sendApiAudit } from "../advisories.js";
import type { InternalClient } from "../../server/internal-client.js";
import { subjectText } from "../../protocol/subject.js";

export const SYSTEM_RESPONSE_TYPE = "io.nats.jetstream.api.v1.system_response";

export class ApiRequest {
  private parsed: unknown = undefined;
  private decoded = false;

  constructor(
    readonly jsa: JsAccount,
    /** The full subject ($JS.API.…). */
    readonly subject: string,
    /** Tokens after "$JS.API.", as text (a stream named "ü" arrives as its UTF-8 bytes on the wire). */
    readonly tokens: readonly string[],
    readonly reply: string | undefined,
    readonly hdr: Buffer | null,
    readonly data: Buffer,
    private readonly send: (body: string) => void,
  ) {}

  /** The body as JSON; an empty body is `{}`-like undefined. Throws invalidJSON. */
  json(): unknown {
    if (!this.decoded) {
      this.decoded = true;
      if (this.data.length === 0) this.parsed = undefined;
      else {
        try {
          this.parsed = JSON.parse(this.data.toString("utf8"));
        } catch {
          throw new JsApiError(jsError("invalidJSON"));
        }
      }
    }
    return this.parsed;
  }

  /** Go's isEmptyRequest: no body, or an empty JSON object. */
  isEmpty(): boolean {
    if (this.data.length === 0) return true;
    try {
      const v = this.json();
      return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
    } catch {
      return false;
    }
  }

  /** Send an already-typed body (for handlers that answer later or more than once). */
  respond(body: string): void {
    this.send(body);
  }
}

export type ApiHandler = (req: ApiRequest) => Record<string, unknown> | null;

interface Route {
  tokens: string[];
  type: string;
  /** Fields Go sends beside an error in this response type. */
  errorFields: Record<string, unknown>;
  handler: ApiHandler;
}

function matches(pattern: readonly string[], tokens: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p === ">") return tokens.length > i;
    if (i >= tokens.length) return false;
    if (p !== "*" && p !== tokens[i]) return false;
  }
  return pattern.length === tokens.length;
}

const API_PREFIX = "$JS.API.";
/** Served by the streams' own subscriptions (direct-get.ts), never by a route. */
const DIRECT_PREFIX = "$JS.API.DIRECT.";

const GO_ESCAPES: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026" };

/** JSON as Go's encoder writes it: <, > and & escaped (they only occur inside strings). */
export function goJson(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&]/g, (c) => GO_ESCAPES[c]);
}

export class ApiDispatcher {
  private readonly routes: Route[] = [];

  constructor(private readonly js: JetStream) {}

  /**
   * `pattern` is relative to "$JS.API." ("STREAM.CREATE.*"). `errorFields`
   * (optional) are sent after the error, for response types whose Go struct
   * has fields without omitempty (paged responses: total/offset/limit).
   * `type` "" marks a subject served without any answer (system-level ones).
   */
  register(pattern: string, type: string, handler: ApiHandler): void;
  register(pattern: string, type: string, errorFields: Record<string, unknown>, handler: ApiHandler): void;
  register(pattern: string, type: string, a: ApiHandler | Record<string, unknown>, b?: ApiHandler): void {
    const handler = typeof a === "function" ? a : b!;
    const errorFields = typeof a === "function" ? {} : a;
    this.routes.push({ tokens: pattern.split("."), type, errorFields, handler });
  }

  /** Encode a typed response: `type` first, then the body's fields. */
  static encode(type: string, body: Record<string, unknown>): string {
    return goJson({ type, ...body });
  }

  static errorBody(type: string, error: ApiError, extra: Record<string, unknown> = {}): string {
    return goJson({ type, error, ...extra });
  }

  /**
   * A request in an account without JetStream: Go answers every API subject
   * it serves with "JetStream not enabled for account" in that subject's
   * response type (and nothing for subjects it does not serve).
   */
  dispatchNotEnabled(client: InternalClient, subject: string, reply: string | undefined): void {
    if (!reply) return;
    const tokens = subject.slice(API_PREFIX.length).split(".");
    const found = this.routes.filter((r) => matches(r.tokens, tokens));
    if (found.length !== 1 || found[0].type === "") return;
    client.publish(reply, undefined, ApiDispatcher.errorBody(found[0].type, jsError("notEnabledForAccount"), found[0].errorFields));
  }

  dispatch(jsa: JsAccount, subject: string, reply: string | undefined, hdr: Buffer | null, data: Buffer): void {
    // Every KV get passes here too: no tokens, no route search for it.
    if (subject.startsWith(DIRECT_PREFIX)) return;
    const tokens = subjectText(subject.slice(API_PREFIX.length)).split(".");
    const found = this.routes.filter((r) => matches(r.tokens, tokens));
    // Go answers nothing for a subject no handler serves (DIRECT.GET is served by the streams).
    if (found.length === 0) return;
    // Copies: the handler may keep them (snapshot restore, pull requests), the inputs are views.
    const body = Buffer.from(data);
    const send = (text: string) => {
      if (reply) jsa.client.publish(reply, undefined, text);
      sendApiAudit(jsa, subject, body, text);
    };
    if (found.length > 1) {
      jsa.api.total++;
      this.js.server.logger.warn(`Malformed JetStream API Request: [${subject}] ${JSON.stringify(body.toString("latin1"))}`);
      jsa.api.errors++;
      send(ApiDispatcher.errorBody(SYSTEM_RESPONSE_TYPE, jsError("badRequest")));
      return;
    }
    const route = found[0];
    const req = new ApiRequest(jsa, subject, tokens, reply, hdr === null ? null : Buffer.from(hdr), body, send);
    let out: Record<string, unknown> | null;
    try {
      out = route.handler(req);
    } catch (e) {
      jsa.api.total++;
      jsa.api.errors++;
      if (e instanceof JsApiError) {
        send(ApiDispatcher.errorBody(route.type, e.error, route.errorFields));
        return;
      }
      this.js.server.logger.error(`JetStream API handler for "${subject}" failed: ${(e as Error).stack ?? e}`);
      send(ApiDispatcher.errorBody(route.type, { code: 500, err_code: 10051, description: (e as Error).message }, route.errorFields));
      return;
    }
    // Counted after the handler, as Go: an INFO answer does not include itself.
    jsa.api.total++;
    if (out !== null && route.type !== "") send(ApiDispatcher.encode(route.type, out));
  }
}
