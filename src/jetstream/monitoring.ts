// What the monitoring endpoints report about JetStream: the server config
// block, the usage statistics (/varz `jetstream`, /jsz) and the per-account,
// per-stream detail of /jsz, with Go's field names. Read-only views.

import type { JetStream } from "./jetstream.js";
import type { JsAccount } from "./account-context.js";

/** Go's JetStreamConfig JSON. */
export function configJson(js: JetStream): Record<string, unknown> {
  const out: Record<string, unknown> = {
    max_memory: js.maxMemory,
    max_storage: js.maxStore,
    store_dir: `${js.storeDir}/jetstream`,
    sync_interval: js.config.syncInterval * 1e6,
  };
  if (js.config.syncAlways) out.sync_always = true;
  if (js.domain) out.domain = js.domain;
  if (js.config.uniqueTag) out.unique_tag = js.config.uniqueTag;
  return out;
}

function apiTotals(js: JetStream): { total: number; errors: number } {
  let total = 0;
  let errors = 0;
  for (const a of js.accounts.values()) {
    total += a.api.total;
    errors += a.api.errors;
  }
  return { total, errors };
}

/** Go's JetStreamStats. */
export function statsJson(js: JetStream): Record<string, unknown> {
  return {
    memory: js.usage.memory,
    storage: js.usage.storage,
    reserved_memory: js.reserved("memory"),
    reserved_storage: js.reserved("file"),
    accounts: js.accounts.size,
    ha_assets: 0,
    api: apiTotals(js),
  };
}

export interface JszOptions {
  accounts: boolean;
  streams: boolean;
  consumers: boolean;
  config: boolean;
  account: string;
  offset: number;
  limit: number;
}

function accountDetail(jsa: JsAccount, o: JszOptions): Record<string, unknown> {
  const d: Record<string, unknown> = {
    name: jsa.account.name,
    id: jsa.account.name,
    memory: jsa.usage.memory,
    storage: jsa.usage.storage,
    reserved_memory: jsa.reserved("memory"),
    reserved_storage: jsa.reserved("file"),
    accounts: 0,
    ha_assets: 0,
    api: { total: jsa.api.total, errors: jsa.api.errors },
  };
  if (o.streams) {
    const streams = [...jsa.streams.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    if (streams.length > 0) {
      d.stream_detail = streams.map((s) => {
        const sd: Record<string, unknown> = { name: s.name, created: s.created, cluster: { leader: jsa.engine.server.serverName } };
        if (o.config) sd.config = s.cfg;
        sd.state = s.state();
        if (o.consumers) {
          const consumers = s.consumers.details?.(o.config) ?? [];
          if (consumers.length > 0) sd.consumer_detail = consumers;
        }
        return sd;
      });
    }
  }
  return d;
}

/** The JetStream part of /jsz (server_id and now are added by the endpoint). */
export function jszJson(js: JetStream, o: JszOptions): Record<string, unknown> {
  let streams = 0;
  let consumers = 0;
  let messages = 0;
  let bytes = 0;
  for (const jsa of js.accounts.values()) {
    for (const s of jsa.streams.values()) {
      const st = s.store.state();
      streams++;
      consumers += s.consumers.count();
      messages += st.msgs;
      bytes += st.bytes;
    }
  }
  const out: Record<string, unknown> = { config: configJson(js), ...statsJson(js), streams, consumers, messages, bytes };
  // Go's rules: consumers imply streams, streams without acc imply accounts; a named account wins.
  const streamsToo = o.streams || o.consumers;
  const accountsToo = o.accounts || (streamsToo && o.account === "");
  const all = [...js.accounts.values()].sort((a, b) => (a.account.name < b.account.name ? -1 : 1));
  const named = all.filter((a) => a.account.name === o.account);
  let page: JsAccount[] = [];
  if (named.length > 0) page = named;
  else if (accountsToo) {
    const offset = Math.max(0, o.offset);
    page = all.slice(offset, offset + (o.limit > 0 ? o.limit : 1024));
  }
  if (page.length > 0) out.account_details = page.map((a) => accountDetail(a, { ...o, streams: streamsToo }));
  // nats-server 2.10: the number of JetStream accounts.
  out.total = all.length;
  return out;
}
