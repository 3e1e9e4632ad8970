// $JS.API.CONSUMER.* handlers: CREATE (legacy ephemeral, named, named with
// filter), DURABLE.CREATE, INFO, DELETE, NAMES, LIST, LEADER.STEPDOWN as a
// non-clustered Go server answers, and MSG.NEXT (answered by the consumer's
// own subscription, so the dispatcher stays silent). They decode and check
// requests in Go's order and shape responses; semantics live in consumer/.

import type { JsAccount } from "../account-context.js";
import { decodeConsumerConfig, type ConsumerConfig } from "../consumer/config.js";
import type { CreateAction, StreamConsumers } from "../consumer/stream-consumers.js";
import { nowNanos } from "../store/types.js";
import type { Stream } from "../stream.js";
import type { ApiDispatcher, ApiRequest } from "./dispatcher.js";
import { jsFail } from "./errors.js";

const T = "io.nats.jetstream.api.v1.";
const NAMES_LIMIT = 1024;
const LIST_LIMIT = 256;

type Obj = Record<string, unknown>;

function consumersOf(stream: Stream): StreamConsumers {
  return stream.consumers as unknown as StreamConsumers;
}

function lookupStream(jsa: JsAccount, name: string): Stream {
  const s = jsa.streams.get(name);
  if (s === undefined) throw jsFail("streamNotFound");
  return s;
}

function decodeAction(v: unknown): CreateAction {
  if (v === undefined || v === null || v === "") return "";
  if (v === "create" || v === "update") return v;
  throw jsFail("invalidJSON");
}

function createConsumer(req: ApiRequest): Obj {
  const t = req.tokens;
  const body = req.json();
  if (body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body))) throw jsFail("invalidJSON");
  const o = (body ?? {}) as Obj;
  const cfg: ConsumerConfig = decodeConsumerConfig(o.config);
  const action = decodeAction(o.action);
  const reqStream = typeof o.stream_name === "string" ? o.stream_name : o.stream_name === undefined || o.stream_name === null ? "" : null;
  if (reqStream === null) throw jsFail("invalidJSON");
  let streamName: string;
  let consumerName = "";
  let filtered = "";
  let kind: "legacyEphemeral" | "legacyDurable" | "named";
  if (t[1] === "DURABLE") {
    kind = "legacyDurable";
    if (t.length !== 5) throw jsFail("consumerDurableNameNotInSubject");
    streamName = t[3];
    consumerName = t[4];
  } else if (t.length === 3) {
    kind = "legacyEphemeral";
    streamName = t[2];
  } else {
    kind = "named";
    streamName = t[2];
    consumerName = t[3];
    if (t.length > 4) filtered = t.slice(4).join(".");
  }
  if (streamName !== reqStream) throw jsFail("streamMismatch");
  if (consumerName !== "" && /[\\/]/.test(consumerName)) throw jsFail("consumerNameContainsPathSeparators");
  if (kind === "legacyDurable") {
    if (!cfg.durable_name) throw jsFail("consumerDurableNameNotSet");
    if (consumerName !== cfg.durable_name) throw jsFail("consumerDurableNameNotMatchSubject");
  }
  if (kind === "named") {
    if (cfg.durable_name && consumerName !== cfg.durable_name) throw jsFail("consumerDurableNameNotMatchSubject");
    cfg.name = consumerName;
  }
  if (kind === "legacyEphemeral" && cfg.durable_name) throw jsFail("consumerEphemeralWithDurableName");
  if (filtered !== "" && cfg.filter_subjects && cfg.filter_subjects.length > 0) throw jsFail("consumerMultipleFiltersNotAllowed");
  if (filtered !== "" && cfg.filter_subject !== filtered) throw jsFail("consumerCreateFilterSubjectMismatch");
  if (cfg.num_replicas > 1) throw jsFail("streamReplicasNotSupported");
  const stream = lookupStream(req.jsa, streamName);
  const c = consumersOf(stream).create(cfg, action);
  return c.info(nowNanos());
}

function streamAndConsumer(req: ApiRequest, at: number): [StreamConsumers, string] {
  if (!req.isEmpty()) throw jsFail("notEmptyRequest");
  const stream = lookupStream(req.jsa, req.tokens[at] ?? "");
  return [consumersOf(stream), req.tokens[at + 1] ?? ""];
}

function consumerInfo(req: ApiRequest): Obj {
  const [set, name] = streamAndConsumer(req, 2);
  const c = set.get(name);
  if (c === undefined) throw jsFail("consumerNotFound");
  return c.info(nowNanos());
}

function consumerDelete(req: ApiRequest): Obj {
  const [set, name] = streamAndConsumer(req, 2);
  if (!set.delete(name)) throw jsFail("consumerNotFound");
  return { success: true };
}

function pageOffset(req: ApiRequest): number {
  if (req.isEmpty()) return 0;
  const v = req.json();
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw jsFail("invalidJSON");
  const off = (v as Obj).offset;
  if (off === undefined || off === null) return 0;
  if (typeof off !== "number" || !Number.isInteger(off)) throw jsFail("invalidJSON");
  return off < 0 ? 0 : off;
}

function consumerNames(req: ApiRequest): Obj {
  let offset = pageOffset(req);
  const all = consumersOf(lookupStream(req.jsa, req.tokens[2] ?? "")).list();
  if (offset > all.length) offset = all.length;
  const names = all.slice(offset, offset + NAMES_LIMIT).map((c) => c.name);
  return { total: all.length, offset, limit: NAMES_LIMIT, consumers: names };
}

function consumerList(req: ApiRequest): Obj {
  let offset = pageOffset(req);
  const all = consumersOf(lookupStream(req.jsa, req.tokens[2] ?? "")).list();
  if (offset > all.length) offset = all.length;
  const now = nowNanos();
  const infos = all.slice(offset, offset + LIST_LIMIT).map((c) => c.info(now));
  return { total: all.length, offset, limit: LIST_LIMIT, consumers: infos };
}

/** Registers the CONSUMER.* routes with the $JS.API dispatcher. */
export function registerConsumerApi(api: ApiDispatcher): void {
  const create = T + "consumer_create_response";
  api.register("CONSUMER.CREATE.*", create, createConsumer);
  api.register("CONSUMER.CREATE.*.>", create, createConsumer);
  api.register("CONSUMER.DURABLE.CREATE.*.>", create, createConsumer);
  api.register("CONSUMER.INFO.*.*", T + "consumer_info_response", consumerInfo);
  api.register("CONSUMER.DELETE.*.*", T + "consumer_delete_response", consumerDelete);
  api.register("CONSUMER.NAMES.*", T + "consumer_names_response", consumerNames);
  api.register("CONSUMER.LIST.*", T + "consumer_list_response", consumerList);
  api.register("CONSUMER.LEADER.STEPDOWN.*.*", T + "consumer_leader_stepdown_response", () => {
    throw jsFail("clusterRequired");
  });
  // Pull requests reach the consumer's own subscription; a missing consumer gets no answer (Go 2.9.10 is
  // silent too: its $JS.API.> import gives the subject interest, so there is no "no responders").
  api.register("CONSUMER.MSG.NEXT.*.*", T + "consumer_getnext_response", () => null);
}
