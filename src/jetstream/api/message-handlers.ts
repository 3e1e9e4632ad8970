// $JS.API.STREAM.MSG.GET / MSG.DELETE: read one stored message (by
// sequence, last by subject, next by subject) as Go's StoredMsg JSON with
// base64 headers and data, and delete one (erasing it unless no_erase).

import { isValidSubject } from "../../protocol/subject.js";
import type { ApiDispatcher } from "./dispatcher.js";
import { jsFail } from "./errors.js";
import { boolField, objectBody, strField, uintField } from "./stream-handlers.js";
import { formatNanos } from "../time.js";
import type { StoredMessage } from "../store/index.js";
import { subjectText } from "../../protocol/subject.js";

const T = "io.nats.jetstream.api.v1.";

function storedMsgJson(m: StoredMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { subject: subjectText(m.subject), seq: m.seq };
  if (m.hdr !== null && m.hdr.length > 0) out.hdrs = m.hdr.toString("base64");
  if (m.data.length > 0) out.data = m.data.toString("base64");
  out.time = formatNanos(m.ts);
  return out;
}

export function registerMessageApi(api: ApiDispatcher): void {
  api.register("STREAM.MSG.GET.*", `${T}stream_msg_get_response`, (req) => {
    if (req.isEmpty()) throw jsFail("badRequest");
    const o = objectBody(req);
    const seq = uintField(o, "seq");
    const last = strField(o, "last_by_subj");
    const next = strField(o, "next_by_subj");
    if ((seq > 0 && last !== "") || (seq === 0 && last === "" && next === "") || (last !== "" && next !== "")) throw jsFail("badRequest");
    const stream = req.jsa.stream(req.tokens[3] ?? "");
    let m: StoredMessage | null;
    if (next !== "") m = isValidSubject(next) ? stream.store.getNextBySubject(seq, next) : null;
    else if (seq > 0) m = stream.store.getMsg(seq);
    else m = isValidSubject(last) ? stream.store.getLastBySubject(last) : null;
    if (m === null) throw jsFail("noMessageFound");
    return { message: storedMsgJson(m) };
  });

  api.register("STREAM.MSG.DELETE.*", `${T}stream_msg_delete_response`, (req) => {
    if (req.isEmpty()) throw jsFail("badRequest");
    const o = objectBody(req);
    const seq = uintField(o, "seq");
    const noErase = boolField(o, "no_erase");
    const stream = req.jsa.stream(req.tokens[3] ?? "");
    if (stream.cfg.sealed) throw jsFail("streamSealed");
    if (stream.cfg.deny_delete) throw jsFail("streamMsgDeleteFailed", { err: "message delete not permitted" });
    const removed = stream.apply({ op: "delete", seq, erase: !noErase });
    if (removed === 0) throw missingForDelete(stream.cfg.storage === "file", seq, stream.store.state());
    return { success: true };
  });
}

/**
 * The error for deleting a message that is not there. Go's memory store only says "not
 * removed"; its file store fails past the last sequence (EOF) and before the first (no
 * block holds it), and says "not removed" for a sequence already deleted in between.
 */
function missingForDelete(fileStore: boolean, seq: number, st: { first_seq: number; last_seq: number }): Error {
  if (fileStore && seq > st.last_seq) return jsFail("streamMsgDeleteFailed", { err: "stream store EOF" });
  if (fileStore && seq < st.first_seq) return jsFail("streamMsgDeleteFailed", { err: "no message found" });
  return jsFail("sequenceNotFound", { seq });
}
