// JetStream: the per-server engine. Enables JetStream from the options (store
// directory, dynamic limits, Go's startup banner), keeps one JsAccount per
// enabled account (in operator mode following the account JWTs' limits),
// recovers streams from the store directory at startup,
// owns the API dispatcher and the mirror/source links, and stops everything
// at shutdown. It plugs into the server as an ExtraListener (no port), so
// server/ never imports jetstream/.

import { mkdirSync, mkdtempSync, rmSync, accessSync, statfsSync, existsSync, statSync, constants as fsConstants } from "node:fs";
import { tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import type { Account } from "../accounts/account.js";
import type { Server } from "../server/server.js";
import type { InternalClient } from "../server/internal-client.js";
import type { ExtraListener } from "../server/extra-listener.js";
import { jetStreamSettings, unlimitedAccountLimits, type JetStreamOptions } from "../options.js";
import { FileStore, MemoryStore, listAccountNames, listStreamNames, type MessageStore, type RestorableStore, type StreamMeta } from "./store/index.js";
import { JsAccount, type AccountLimits } from "./account-context.js";
import type { Stream, StreamConsumerSet } from "./stream.js";
import type { StreamConfig } from "./stream-config.js";
import { ApiDispatcher } from "./api/dispatcher.js";
import { registerStreamApi } from "./api/stream-handlers.js";
import { registerAccountApi } from "./api/account-handlers.js";
import { registerMessageApi } from "./api/message-handlers.js";
import { registerSnapshotApi } from "./api/snapshot-handlers.js";
import { registerTemplateApi } from "./api/template-handlers.js";
import { MirrorsAndSources } from "./mirror-source.js";
import { rebuildDedup } from "./recovery.js";
import { accountLimitsFromPlain } from "../config/jetstream-options.js";
import { JetStreamStartError } from "./start-error.js";

/** A layer plugged into JetStream (the consumers): API handlers and the per-stream consumer set. */
export interface JetStreamExtension {
  registerApi?(api: ApiDispatcher, js: JetStream): void;
  createStreamConsumers?(stream: Stream): StreamConsumerSet;
}

const TB = 1024 ** 4;


/** Go's friendlyBytes: "512 B", "1.00 KB", "5.81 GB". */
function friendlyBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const exp = Math.min(Math.floor(Math.log(n) / Math.log(1024)), 6);
  return `${(n / 1024 ** exp).toFixed(2)} ${"KMGTPE"[exp - 1]}B`;
}

/** Go's diskAvailable: 75% of the free space, 1 TB when it cannot be read. */
function diskAvailable(dir: string): number {
  try {
    const fs = statfsSync(dir);
    return Math.floor((fs.bavail * fs.bsize) / 4) * 3;
  } catch {
    return TB;
  }
}

export class JetStream implements ExtraListener {
  readonly kind = "jetstream";
  readonly host = "";
  readonly port = 0;
  readonly config: JetStreamOptions;
  /** The `-sd` directory; streams live under <storeDir>/jetstream/<account>/streams/. */
  readonly storeDir: string;
  readonly maxMemory: number;
  readonly maxStore: number;
  readonly api: ApiDispatcher;
  readonly mirrors: MirrorsAndSources;
  readonly accounts = new Map<Account, JsAccount>();
  private readonly extensions: readonly JetStreamExtension[];
  private stopped = false;
  /** API clients of accounts without JetStream, answering "not enabled for account". */
  private readonly disabledClients = new Map<Account, InternalClient>();
  private stopFollowingClaims: (() => void) | null = null;
  /** Server-wide usage, summed from the accounts on change. */
  readonly usage = { memory: 0, storage: 0 };

  private constructor(readonly server: Server, config: JetStreamOptions, storeDir: string, extensions: readonly JetStreamExtension[]) {
    this.config = config;
    this.storeDir = storeDir;
    this.extensions = extensions;
    this.maxMemory = config.maxMemory > 0 ? config.maxMemory : Math.floor((totalmem() * 3) / 4);
    this.maxStore = config.maxStore > 0 ? config.maxStore : diskAvailable(join(storeDir, "jetstream"));
    this.api = new ApiDispatcher(this);
    this.mirrors = new MirrorsAndSources(this);
    registerAccountApi(this.api);
    registerStreamApi(this.api);
    registerMessageApi(this.api);
    registerSnapshotApi(this.api);
    registerTemplateApi(this.api);
    for (const x of extensions) x.registerApi?.(this.api, this);
  }

  get domain(): string {
    return this.config.domain;
  }

  /** The ExtraListenerFactory: enable JetStream when the options ask for it. */
  static async start(server: Server, extensions: readonly JetStreamExtension[] = []): Promise<JetStream | null> {
    const settings = jetStreamSettings(server.opts);
    if (settings === null) return null;
    const log = server.logger;
    log.notice("Starting JetStream");
    let storeDir = settings.storeDir;
    if (storeDir === "" && settings.removeStoreAtShutdown) storeDir = mkdtempSync(join(tmpdir(), "tsnats-js-"));
    if (storeDir === "") {
      storeDir = join(tmpdir(), "nats");
      log.warn("Temporary storage directory used, data could be lost on system reboot");
    }
    const jsDir = join(storeDir, "jetstream");
    if (existsSync(storeDir) && !statSync(storeDir).isDirectory()) throw new JetStreamStartError("storage directory is not a directory");
    try {
      mkdirSync(jsDir, { recursive: true });
      accessSync(jsDir, fsConstants.W_OK);
    } catch (e) {
      throw new JetStreamStartError(`Could not create storage directory - ${(e as Error).message}`);
    }
    const js = new JetStream(server, settings, storeDir, extensions);
    for (const line of [
      "    _ ___ _____ ___ _____ ___ ___   _   __  __",
      " _ | | __|_   _/ __|_   _| _ \\ __| /_\\ |  \\/  |",
      "| || | _|  | | \\__ \\ | | |   / _| / _ \\| |\\/| |",
      " \\__/|___| |_| |___/ |_| |_|_\\___/_/ \\_\\_|  |_|",
      "",
      "         https://docs.nats.io/jetstream",
      "",
      "---------------- JETSTREAM ----------------",
      `  Max Memory:      ${friendlyBytes(js.maxMemory)}`,
      `  Max Storage:     ${friendlyBytes(js.maxStore)}`,
      `  Store Directory: "${jsDir}"`,
    ]) {
      log.notice(line);
    }
    if (settings.domain) log.notice(`  Domain:          ${settings.domain}`);
    log.notice("-------------------------------------------");
    js.enableConfiguredAccounts();
    server.jetStreamEnabled = true;
    return js;
  }

  /**
   * Go's enableJetStreamAccounts: with no accounts configured besides $G (and
   * the system account) $G gets JetStream without limits; otherwise each
   * account whose block has a `jetstream` key gets it with those limits.
   * The system account never has JetStream.
   */
  private enableConfiguredAccounts(): void {
    const reg = this.server.accounts;
    if (this.server.operator !== null) return this.followAccountClaims();
    const others = reg.list().filter((a) => a !== reg.global && a !== reg.system);
    for (const a of reg.list()) {
      if (a === reg.system) continue;
      const limits =
        others.length === 0 ? unlimitedAccountLimits() : accountLimitsFromPlain(a.jetstreamConfig, (msg) => this.server.logger.warn(`JetStream config of account "${a.name}": ${msg}`));
      const jsa = this.accounts.get(a);
      if (limits !== null) {
        this.disabledClients.get(a)?.close();
        this.disabledClients.delete(a);
        this.enableAccount(a, limits);
      } else {
        // Go's configJetStream on reload: an account whose jetstream key went away loses it (its data is kept).
        if (jsa !== undefined) {
          jsa.stop();
          this.accounts.delete(a);
        }
        this.answerNotEnabled(a);
      }
    }
  }

  /**
   * Operator mode (Go's configJetStream per account): an account has
   * JetStream when its JWT grants limits, and follows every update of them;
   * $G and the system account have none. Accounts with streams in the store
   * directory are looked up at once, so their streams come back at start.
   */
  private followAccountClaims(): void {
    const reg = this.server.accounts;
    this.stopFollowingClaims = reg.onClaimsChanged((a) => this.applyAccountClaims(a));
    for (const a of reg.list()) this.applyAccountClaims(a);
    for (const name of listAccountNames(this.storeDir)) {
      if (reg.get(name)?.jwtJetStream === undefined) void this.server.operator!.lookupAccount(name).catch(() => undefined);
    }
  }

  private applyAccountClaims(account: Account): void {
    if (this.stopped || account === this.server.accounts.system) return;
    const tiers = account.jwtJetStream ?? null;
    if (tiers === null) {
      const jsa = this.accounts.get(account);
      if (jsa) {
        // As Go's DisableJetStream: the streams stop, their data stays.
        for (const s of jsa.streams.values()) this.mirrors.streamRemoved(s);
        jsa.stop();
        this.accounts.delete(account);
        this.usageChanged();
      }
      this.answerNotEnabled(account);
      return;
    }
    this.disabledClients.get(account)?.close();
    this.disabledClients.delete(account);
    const isDefault = "" in tiers;
    // Streams are R1 here, so the R1 tier's limits are the ones that apply.
    const limits = tiers[""] ?? tiers["R1"] ?? unlimitedAccountLimits();
    const jsa = this.enableAccount(account, limits);
    jsa.tiers = isDefault ? null : tiers;
  }

  /** A reload: accounts added, changed or without JetStream now get it, new limits or Go's "not enabled" answers (operator mode: the JWTs decide). */
  reloaded(): void {
    if (!this.stopped && this.server.operator === null) this.enableConfiguredAccounts();
  }

  /** An account without JetStream still gets Go's "not enabled for account" answers. */
  private answerNotEnabled(account: Account): void {
    if (this.disabledClients.has(account)) return;
    const client = this.server.createInternalClient(account, "JetStream API (disabled)");
    client.subscribe("$JS.API.>", (subject, reply) => this.api.dispatchNotEnabled(client, subject, reply));
    this.disabledClients.set(account, client);
  }

  /** Turn JetStream on for an account and recover its streams from the store directory. */
  enableAccount(account: Account, limits: AccountLimits): JsAccount {
    const existing = this.accounts.get(account);
    if (existing) {
      existing.limits = limits;
      return existing;
    }
    const jsa = new JsAccount(this, account, limits);
    this.accounts.set(account, jsa);
    jsa.client.subscribe("$JS.API.>", (subject, reply, hdr, data) => this.api.dispatch(jsa, subject, reply, hdr, data));
    if (this.domain) {
      const prefix = `$JS.${this.domain}.API.`;
      jsa.client.subscribe(`${prefix}>`, (subject, reply, hdr, data) => this.api.dispatch(jsa, `$JS.API.${subject.slice(prefix.length)}`, reply, hdr, data));
    }
    this.recoverAccount(jsa);
    return jsa;
  }

  /** The account's JetStream context, or undefined when it has none. */
  account(account: Account): JsAccount | undefined {
    return this.accounts.get(account);
  }

  private recoverAccount(jsa: JsAccount): void {
    // Templates first: the streams they own are recovered next.
    jsa.templates.recover();
    const names = listStreamNames(this.storeDir, jsa.account.name);
    if (names.length === 0) return;
    const log = this.server.logger;
    log.notice(`Recovering JetStream state for account "${jsa.account.name}"`);
    for (const name of names) {
      const started = Date.now();
      log.notice(`  Starting restore for stream '${jsa.account.name} > ${name}'`);
      let store: MessageStore;
      try {
        store = FileStore.open(this.fileOptions(jsa), name);
      } catch (e) {
        log.warn(`  Error recreating stream "${name}": ${(e as Error).message}`);
        continue;
      }
      const meta = store.meta();
      const stream = jsa.addStream(meta.config as unknown as StreamConfig, store, meta.created);
      if (stream.cfg.template_owner) jsa.templates.streamRecovered(stream.name, stream.cfg.template_owner);
      rebuildDedup(stream);
      const st = store.state();
      log.notice(`  Restored ${st.msgs.toLocaleString("en-US")} messages for stream '${jsa.account.name} > ${name}' in ${Date.now() - started}ms`);
      stream.consumers.recover();
    }
    this.mirrors.startAll();
  }

  private fileOptions(jsa: JsAccount) {
    return { storeDir: this.storeDir, account: jsa.account.name, syncIntervalMs: this.config.syncInterval, syncAlways: this.config.syncAlways };
  }

  /** A new, empty store for a stream. */
  createStore(jsa: JsAccount, cfg: StreamConfig, created: string): MessageStore & RestorableStore {
    const meta: StreamMeta = { config: cfg as unknown as StreamMeta["config"], created };
    if (cfg.storage === "memory") return new MemoryStore(meta);
    return FileStore.create(this.fileOptions(jsa), meta);
  }

  consumersFor(stream: Stream): StreamConsumerSet {
    for (const x of this.extensions) if (x.createStreamConsumers) return x.createStreamConsumers(stream);
    return stream.consumers;
  }

  /** Server-wide max_bytes reservation of a storage type. */
  reserved(storage: StreamConfig["storage"], except?: Stream): number {
    let n = 0;
    for (const jsa of this.accounts.values()) n += jsa.reserved(storage, except);
    return n;
  }

  usageChanged(): void {
    let memory = 0;
    let storage = 0;
    for (const jsa of this.accounts.values()) {
      memory += jsa.usage.memory;
      storage += jsa.usage.storage;
    }
    this.usage.memory = memory;
    this.usage.storage = storage;
  }

  /** Go's limitsExceeded: the server's store of that type is full. */
  limitsExceeded(storage: StreamConfig["storage"]): boolean {
    return storage === "memory" ? this.usage.memory > this.maxMemory : this.usage.storage > this.maxStore;
  }

  urls(): string[] {
    return [];
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.server.logger.notice("Initiating JetStream Shutdown...");
    this.mirrors.stopAll();
    this.stopFollowingClaims?.();
    for (const c of this.disabledClients.values()) c.close();
    this.disabledClients.clear();
    for (const jsa of this.accounts.values()) jsa.stop();
    this.accounts.clear();
    this.server.jetStreamEnabled = false;
    this.server.logger.notice("JetStream Shutdown");
    if (this.config.removeStoreAtShutdown) rmSync(this.storeDir, { recursive: true, force: true });
  }
}
