// $JS.API.STREAM.* handlers for stream lifecycle: CREATE, UPDATE, INFO,
// DELETE, NAMES, LIST, PURGE, and LEADER.STEPDOWN / PEER.REMOVE answered as
// a non-clustered Go server does. They decode and check requests and shape
// responses; the semantics live in JsAccount and Stream.

import { isValidSubject } from "../../protocol/subject.js";
import { decodeStreamConfig } from "../stream-config.js";
import { sendStreamAction } from "../advisories.js";
import { subjectsCollide } from "../../sublist/subject-trie.js";
import type { ApiDispatcher, ApiRequest } from "./dispatcher.js";
import { jsFail } from "./errors.js";

const T = "io.nats.jetstream.api.v1.";
const NAMES_LIMIT = 1024;
const LIST_LIMIT = 256;
const MAX_SUBJECT_DETAILS = 100_000;
/** Paged responses carry total/offset/limit also beside an error (Go embeds them without omitempty). */
const PAGED = { total: 0, offset: 0, limit: 0 };

/** The stream name token of STREAM.<OP>.<name> (or STREAM.MSG.<OP>.<name> with at = 3). */
export function streamToken(req: ApiRequest, at = 2): string {
  return req.tokens[at] ?? "";
}

type Obj = Record<string, unknown>;

/** A JSON object request body, or {} when empty; wrong shapes are invalid JSON. */
export function objectBody(req: ApiRequest): Obj {
  if (req.isEmpty()) return {};
  const v = req.json();
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw jsFail("invalidJSON");
  return v as Obj;
}

function intField(o: Obj, k: string): number {
  const v = o[k];
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isInteger(v) || Math.abs(v) >= 2 ** 63) throw jsFail("invalidJSON");
  return v;
}

/** A Go uint64 field: negative or too large does not unmarshal. */
function uintField(o: Obj, k: string): number {
  const v = intField(o, k);
  if (v < 0 || v >= 2 ** 64) throw jsFail("invalidJSON");
  return v;
}

function strField(o: Obj, k: string): string {
  const v = o[k];
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw jsFail("invalidJSON");
  return v;
}

function boolField(o: Obj, k: string): boolean {
  const v = o[k];
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw jsFail("invalidJSON");
  return v;
}

export { intField, uintField, strField, boolField };

function configFrom(req: ApiRequest) {
  const body = req.json();
  if (body === undefined) throw jsFail("invalidJSON");
  // JSON null decodes to Go's zero config (which then fails the name check).
  const cfg = decodeStreamConfig(body === null ? {} : body);
  if (cfg.name !== streamToken(req)) throw jsFail("streamMismatch");
  if (/[\\/]/.test(cfg.name)) throw jsFail("streamNameContainsPathSeparators");
  return cfg;
}

function matchesFilter(subjects: readonly string[] | undefined, name: string, filter: string): boolean {
  if (filter === "") return true;
  const list = subjects && subjects.length > 0 ? subjects : [name];
  return list.some((s) => subjectsCollide(filter, s));
}

function pageOf<X>(all: X[], offset: number, limit: number): X[] {
  const start = Math.min(Math.max(offset, 0), all.length);
  return all.slice(start, start + limit);
}

export function registerStreamApi(api: ApiDispatcher): void {
  api.register("STREAM.CREATE.*", `${T}stream_create_response`, (req) => {
    const cfg = configFrom(req);
    if (cfg.sealed) throw jsFail("streamInvalidConfig", { err: "stream configuration for create can not be sealed" });
    if (cfg.mirror_direct && !cfg.mirror) throw jsFail("streamInvalidConfig", { err: "stream has no mirror but does have mirror direct" });
    const { stream, created } = req.jsa.createStream(cfg);
    if (created) sendStreamAction(req.jsa, stream.name, "create");
    // Go sets did_create whenever the create succeeded, also for an identical existing stream;
    // its create answer has no mirror/sources blocks yet.
    return { ...stream.info({ links: false }), did_create: true };
  });

  api.register("STREAM.UPDATE.*", `${T}stream_update_response`, (req) => {
    const cfg = configFrom(req);
    const stream = req.jsa.updateStream(cfg);
    sendStreamAction(req.jsa, stream.name, "modify");
    return stream.info();
  });

  api.register("STREAM.INFO.*", `${T}stream_info_response`, PAGED, (req) => {
    const o = objectBody(req);
    const deleted = boolField(o, "deleted_details");
    const filter = strField(o, "subjects_filter");
    const offset = Math.max(0, intField(o, "offset"));
    const stream = req.jsa.stream(streamToken(req));
    const info = stream.info({ deleted });
    const paged = { total: 0, offset: 0, limit: 0 };
    if (filter !== "") {
      const totals = stream.store.subjectsState(filter);
      if (totals.size > 0) {
        Object.assign(paged, { total: totals.size, offset, limit: MAX_SUBJECT_DETAILS });
        const state = info.state as Obj;
        if (offset === 0 && totals.size <= MAX_SUBJECT_DETAILS) state.subjects = Object.fromEntries(totals);
        else {
          const page = pageOf([...totals.keys()].sort(), offset, MAX_SUBJECT_DETAILS);
          if (page.length > 0) state.subjects = Object.fromEntries(page.map((s) => [s, totals.get(s)]));
        }
      }
    }
    return { ...paged, ...info };
  });

  api.register("STREAM.DELETE.*", `${T}stream_delete_response`, (req) => {
    const name = streamToken(req);
    req.jsa.deleteStream(name);
    sendStreamAction(req.jsa, name, "delete");
    return { success: true };
  });

  api.register("STREAM.NAMES", `${T}stream_names_response`, { ...PAGED, streams: null }, (req) => {
    const o = objectBody(req);
    const offset = Math.max(0, intField(o, "offset"));
    const filter = strField(o, "subject");
    const names = [...req.jsa.streams.values()]
      .filter((s) => matchesFilter(s.cfg.subjects, s.name, filter))
      .map((s) => s.name)
      .sort();
    const page = pageOf(names, offset, NAMES_LIMIT);
    return { total: names.length, offset, limit: NAMES_LIMIT, streams: page.length > 0 ? page : null };
  });

  api.register("STREAM.LIST", `${T}stream_list_response`, { ...PAGED, streams: [] }, (req) => {
    const o = objectBody(req);
    const offset = Math.max(0, intField(o, "offset"));
    const filter = strField(o, "subject");
    const streams = [...req.jsa.streams.values()].filter((s) => matchesFilter(s.cfg.subjects, s.name, filter)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const page = pageOf(streams, offset, LIST_LIMIT).map((s) => s.info());
    return { total: streams.length, offset, limit: LIST_LIMIT, streams: page };
  });

  api.register("STREAM.PURGE.*", `${T}stream_purge_response`, { purged: 0 }, (req) => {
    const stream = req.jsa.stream(streamToken(req));
    if (stream.cfg.sealed) throw jsFail("streamSealed");
    if (stream.cfg.deny_purge) throw jsFail("streamPurgeFailed", { err: "stream purge not permitted" });
    const o = objectBody(req);
    const filter = strField(o, "filter");
    const seq = uintField(o, "seq");
    const keep = uintField(o, "keep");
    if (seq > 0 && keep > 0) throw jsFail("badRequest");
    // Go does not check the filter: one that is not a subject matches nothing.
    if (filter !== "" && !isValidSubject(filter)) return { success: true, purged: 0 };
    const purged = stream.apply({ op: "purge", req: { ...(filter ? { filter } : {}), ...(seq ? { seq } : {}), ...(keep ? { keep } : {}) } });
    return { success: true, purged };
  });

  for (const op of ["STREAM.LEADER.STEPDOWN.*", "STREAM.PEER.REMOVE.*"]) {
    const type = op.startsWith("STREAM.LEADER") ? "stream_leader_stepdown_response" : "stream_remove_peer_response";
    api.register(op, `${T}${type}`, () => {
      throw jsFail("clusterRequired");
    });
  }
}
