// Stream templates (Go's deprecated StreamTemplateConfig, still served by Go
// 2.10): a stream config without a name plus max_streams; the template
// listens on its subjects and, for the first message on a subject with no
// stream yet, creates a stream named after the subject ('.' → '_') capturing
// just that subject, owned by the template (`template_owner`), and stores the
// message in it. Deleting a template deletes its streams. Templates of file
// storage are kept in <store>/jetstream/<account>/templates/<name>/meta.A|B
// (tsnats' format) and recovered before the streams. The API shapes are in
// api/template-handlers.ts; streams themselves are JsAccount's.

import * as fs from "node:fs";
import * as path from "node:path";
import type { JsAccount } from "./account-context.js";
import { jsFail } from "./api/errors.js";
import { checkStreamConfig, decodeStreamConfig, type StreamConfig } from "./stream-config.js";
import { readBest, writeBoth } from "./store/dual-file.js";
import { accountDir, encodeName, decodeName } from "./store/store-paths.js";
import { nowNanos } from "./store/index.js";
import { subjectText, wireSubject } from "../protocol/subject.js";
import type { Subscription } from "../server/subscription.js";

/** Go's JSMaxNameLen. */
const MAX_NAME_LEN = 255;
/** Distinct warnings remembered per template (Go rate-limits repeated warnings). */
const MAX_WARNINGS = 1000;

export interface TemplateConfig {
  name: string;
  config: StreamConfig;
  max_streams: number;
}

/** The body of TEMPLATE.CREATE decoded with Go's type rules; null config stays null (Go cannot create that either). */
export function decodeTemplateConfig(body: unknown): { name: string; config: StreamConfig | null; max_streams: number } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw jsFail("invalidJSON");
  const o = body as Record<string, unknown>;
  const name = o.name ?? "";
  const max = o.max_streams ?? 0;
  if (typeof name !== "string") throw jsFail("invalidJSON");
  if (typeof max !== "number" || !Number.isInteger(max) || max < 0 || max > 0xffffffff) throw jsFail("invalidJSON");
  const config = o.config === undefined || o.config === null ? null : decodeStreamConfig(o.config);
  return { name, config, max_streams: max };
}

class StreamTemplate {
  readonly streams: string[] = [];
  subs: Subscription[] = [];
  private readonly warned = new Set<string>();

  constructor(
    readonly cfg: TemplateConfig,
    private readonly owner: AccountTemplates,
  ) {}

  info(): Record<string, unknown> {
    return { config: { name: this.cfg.name, config: this.cfg.config, max_streams: this.cfg.max_streams }, streams: [...this.streams] };
  }

  warn(text: string): void {
    if (this.warned.has(text)) return;
    if (this.warned.size >= MAX_WARNINGS) this.warned.clear();
    this.warned.add(text);
    this.owner.jsa.engine.server.logger.warn(text);
  }
}

export class AccountTemplates {
  private readonly templates = new Map<string, StreamTemplate>();

  constructor(readonly jsa: JsAccount) {}

  private dir(name: string): string {
    return path.join(accountDir(this.jsa.engine.storeDir, this.jsa.account.name), "templates", encodeName(name));
  }

  names(): string[] {
    return [...this.templates.keys()].sort();
  }

  info(name: string): Record<string, unknown> {
    const t = this.templates.get(name);
    if (t === undefined) throw jsFail("streamTemplateNotFound");
    return t.info();
  }

  /** Does template `name` own stream `stream` (Go's checkTemplateOwnership)? */
  owns(name: string, stream: string): boolean {
    return this.templates.get(name)?.streams.includes(stream) ?? false;
  }

  create(input: { name: string; config: StreamConfig | null; max_streams: number }, persist = true): Record<string, unknown> {
    if (input.config === null) throw jsFail("streamTemplateCreate", { err: "template config is missing" });
    if (input.config.name !== "") throw jsFail("streamTemplateCreate", { err: "template config name should be empty" });
    if (input.name.length > MAX_NAME_LEN) throw jsFail("streamTemplateCreate", { err: `template name is too long, maximum allowed is ${MAX_NAME_LEN}` });
    const config = checkStreamConfig({ ...input.config, name: "_" }, this.jsa.lookup());
    if (this.templates.has(input.name)) throw jsFail("streamTemplateCreate", { err: `template with name ${JSON.stringify(input.name)} already exists` });
    const t = new StreamTemplate({ name: input.name, config, max_streams: input.max_streams }, this);
    if (persist && config.storage === "file") {
      try {
        fs.mkdirSync(this.dir(input.name), { recursive: true });
        writeBoth(this.dir(input.name), "meta", 1, Buffer.from(JSON.stringify(t.cfg)), (f, d) => fs.writeFileSync(f, d));
      } catch (e) {
        throw jsFail("streamTemplateCreate", { err: (e as Error).message });
      }
    }
    this.templates.set(input.name, t);
    t.subs = (config.subjects ?? []).map((s) => this.jsa.client.subscribe(wireSubject(s), (subject, reply, hdr, data) => this.onMessage(t, subject, reply, hdr, data)));
    return t.info();
  }

  delete(name: string): void {
    const t = this.templates.get(name);
    if (t === undefined) throw jsFail("streamTemplateNotFound");
    this.templates.delete(name);
    for (const s of t.subs) this.jsa.client.removeSub(s);
    fs.rmSync(this.dir(name), { recursive: true, force: true });
    for (const stream of t.streams) if (this.jsa.streams.has(stream)) this.jsa.deleteStream(stream);
  }

  /** A stream went away (deleted by its template or by STREAM.DELETE): its name no longer counts. */
  streamRemoved(stream: string, owner: string | undefined): void {
    const t = owner === undefined ? undefined : this.templates.get(owner);
    if (t === undefined) return;
    const at = t.streams.indexOf(stream);
    if (at >= 0) t.streams.splice(at, 1);
  }

  /** Recovery: a stream owned by a template (when the template is still there). */
  streamRecovered(stream: string, owner: string): void {
    const t = this.templates.get(owner);
    if (t !== undefined && !t.streams.includes(stream)) t.streams.push(stream);
  }

  recover(): void {
    const root = path.join(accountDir(this.jsa.engine.storeDir, this.jsa.account.name), "templates");
    let dirs: string[];
    try {
      dirs = fs.readdirSync(root);
    } catch {
      return;
    }
    for (const d of dirs) {
      const name = decodeName(d);
      const slot = name === null ? null : readBest(path.join(root, d), "meta");
      if (slot === null) {
        this.jsa.engine.server.logger.warn(`  Error reading StreamTemplate metafile in "${path.join(root, d)}"`);
        continue;
      }
      try {
        const cfg = decodeTemplateConfig(JSON.parse(slot.payload.toString()));
        if (cfg.config !== null) cfg.config.name = "";
        this.create(cfg, false);
      } catch (e) {
        this.jsa.engine.server.logger.warn(`  Error recreating StreamTemplate "${name}": ${(e as Error).message}`);
      }
    }
  }

  private onMessage(t: StreamTemplate, subject: string, reply: string | undefined, hdr: Buffer | null, data: Buffer): void {
    const name = subjectText(subject).replace(/\./g, "_");
    if (this.jsa.streams.has(name) || this.templates.get(t.cfg.name) !== t) return;
    const accName = this.jsa.account.name;
    if (t.streams.length >= t.cfg.max_streams) {
      t.warn(`JetStream could not create stream for account "${accName}" on subject "${subjectText(subject)}", at limit`);
      return;
    }
    t.streams.push(name);
    let stream;
    try {
      ({ stream } = this.jsa.createStream({ ...t.cfg.config, name, subjects: [subjectText(subject)], template_owner: t.cfg.name }));
    } catch (e) {
      t.streams.splice(t.streams.indexOf(name), 1);
      const msg = (e as { error?: { description?: string } }).error?.description ?? (e as Error).message;
      t.warn(`JetStream could not create stream for account "${accName}" on subject "${subjectText(subject)}": ${msg}`);
      return;
    }
    // The new stream's own subscription did not exist when this message was routed.
    stream.ingest(subject, reply, hdr, data, nowNanos());
  }
}
