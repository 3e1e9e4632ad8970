// $JS.API.STREAM.TEMPLATE.CREATE|DELETE|INFO|NAMES: Go 2.10's deprecated
// stream templates, with its response types and errors (the name in the
// subject must match the body's; INFO and DELETE want an empty body; NAMES
// is paged). Templates themselves are templates.ts.

import { decodeTemplateConfig } from "../templates.js";
import type { ApiDispatcher } from "./dispatcher.js";
import { jsFail } from "./errors.js";
import { intField, objectBody } from "./stream-handlers.js";

const T = "io.nats.jetstream.api.v1.";
const NAMES_LIMIT = 1024;
const NAMES_ERROR_FIELDS = { total: 0, offset: 0, limit: 0, streams: null };

export function registerTemplateApi(api: ApiDispatcher): void {
  api.register("STREAM.TEMPLATE.CREATE.*", `${T}stream_template_create_response`, (req) => {
    const body = req.json();
    if (body === undefined) throw jsFail("invalidJSON");
    const cfg = decodeTemplateConfig(body);
    if (cfg.name !== req.tokens[3]) throw jsFail("templateNameNotMatchSubject");
    return req.jsa.templates.create(cfg);
  });

  api.register("STREAM.TEMPLATE.NAMES", `${T}stream_template_names_response`, NAMES_ERROR_FIELDS, (req) => {
    const offset = Math.max(0, intField(objectBody(req), "offset"));
    const all = req.jsa.templates.names();
    const start = Math.min(offset, all.length);
    return { total: all.length, offset: start, limit: NAMES_LIMIT, streams: all.slice(start, start + NAMES_LIMIT) };
  });

  api.register("STREAM.TEMPLATE.INFO.*", `${T}stream_template_info_response`, (req) => {
    if (!req.isEmpty()) throw jsFail("notEmptyRequest");
    return req.jsa.templates.info(req.tokens[3]);
  });

  api.register("STREAM.TEMPLATE.DELETE.*", `${T}stream_template_delete_response`, (req) => {
    if (!req.isEmpty()) throw jsFail("notEmptyRequest");
    req.jsa.templates.delete(req.tokens[3]);
    return { success: true };
  });
}
