// Test helper for store tests: the block files of the test stream "S" in
// account "ACC" under a store's directory, and a store's whole content as
// comparable text (subject, header, payload, timestamp per sequence).
import * as fs from "node:fs";
import * as path from "node:path";

/** The stream directory of ACC > S under opts.storeDir. */
export function streamPath(opts) {
  return path.join(opts.storeDir, "jetstream", "ACC", "streams", "S");
}

/** Its block files, in block order. */
export function blockFiles(opts) {
  const dir = path.join(streamPath(opts), "msgs");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".blk"))
    .sort((x, y) => parseInt(x) - parseInt(y))
    .map((f) => path.join(dir, f));
}

/** seq -> "subject|header|payload|ts" for every message the store serves. */
export function storeContents(s) {
  const st = s.state();
  const out = new Map();
  for (let q = st.first_seq; q <= st.last_seq; q++) {
    const m = s.getMsg(q);
    if (m) out.set(q, `${m.subject}|${m.hdr?.toString() ?? "-"}|${m.data.toString()}|${m.ts}`);
  }
  return out;
}
