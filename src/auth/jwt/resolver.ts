// Account resolvers that need no server: MEMORY (resolver_preload and
// updates held in a map) and URL (an HTTP account server: GET <url><account>,
// bounded by Go's fetch timeout and a size cap). Each answers fetch() with
// the account JWT text or rejects with Go's error text; verifying the JWT is
// the caller's job, so nothing here trusts what it returns.

import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet, type RequestOptions } from "node:https";
/** Go's default wait for an account fetch. */
export const DEFAULT_ACCOUNT_FETCH_TIMEOUT = 1900;

/** What the server can ask of any resolver. */
export interface AccountResolver {
  readonly kind: "memory" | "url" | "full" | "cache";
  fetch(account: string): Promise<string>;
  /** Keep a JWT (preload, or an update from a claims update service). */
  store(account: string, jwt: string): void;
  close(): void;
}

export class MemoryResolver implements AccountResolver {
  readonly kind = "memory";
  private readonly jwts = new Map<string, string>();

  fetch(account: string): Promise<string> {
    const j = this.jwts.get(account);
    return j === undefined ? Promise.reject(new Error("account missing")) : Promise.resolve(j);
  }

  store(account: string, jwt: string): void {
    this.jwts.set(account, jwt);
  }

  close(): void {}
}

/** An account JWT is at most 1 MB (the Go jwt library's MaxTokenSize). */
const MAX_BODY = 1024 * 1024;

export class UrlResolver implements AccountResolver {
  readonly kind = "url";
  private readonly base: string;

  constructor(
    url: string,
    /** `resolver_tls` for https URLs. */
    private readonly tls: RequestOptions | null = null,
    private readonly timeout = DEFAULT_ACCOUNT_FETCH_TIMEOUT,
  ) {
    this.base = url.endsWith("/") ? url : url + "/";
  }

  fetch(account: string): Promise<string> {
    const url = this.base + account;
    const shown = redactUrl(url);
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (err: string | null, body?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        if (err !== null) reject(new Error(`could not fetch <"${shown}">: ${err}`));
        else resolve(body!);
      };
      const onResponse = (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          res.resume();
          return done(`${res.statusCode} ${res.statusMessage ?? ""}`.trim());
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) return done("response too large");
          chunks.push(c);
        });
        res.on("end", () => done(null, Buffer.concat(chunks).toString("utf8")));
        res.on("error", (e) => done(e.message));
      };
      const req = url.startsWith("https:") ? httpsGet(url, this.tls ?? {}, onResponse) : httpGet(url, onResponse);
      req.on("error", (e: NodeJS.ErrnoException & { address?: string; port?: number }) => done(goFetchError(e, shown)));
      // One deadline for connect, headers and body, as Go's http.Client Timeout.
      const timer = setTimeout(() => done(`Get "${shown}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`), this.timeout);
      timer.unref();
    });
  }

  store(): void {
    throw new Error("store operation not supported for URL Resolver");
  }

  close(): void {}
}

/** Certificate problems Go's x509 calls "signed by unknown authority". */
const UNKNOWN_AUTHORITY = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
]);

/** Go's net/http wording for the common fetch failures. */
function goFetchError(e: NodeJS.ErrnoException & { address?: string; port?: number }, shown: string): string {
  if (e.code === "ECONNREFUSED") return `Get "${shown}": dial tcp ${e.address}:${e.port}: connect: connection refused`;
  if (e.code !== undefined && UNKNOWN_AUTHORITY.has(e.code)) return `Get "${shown}": tls: failed to verify certificate: x509: certificate signed by unknown authority`;
  if (e.code === "CERT_HAS_EXPIRED") return `Get "${shown}": tls: failed to verify certificate: x509: certificate has expired or is not yet valid`;
  return `Get "${shown}": ${e.message}`;
}

/** Go's redactURLString: a password in the URL is shown as xxxxx. */
function redactUrl(u: string): string {
  return u.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, "$1:xxxxx@");
}

/**
 * Go's start-up probe of a URL resolver ("is anyone home"): the base URL
 * must answer 200. "" when it does, else the error that stops the server.
 */
export async function probeUrlResolver(url: string, tls: RequestOptions | null = null): Promise<string> {
  try {
    await new UrlResolver(url, tls).fetch("");
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}
