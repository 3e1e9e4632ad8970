// After a restart: rebuild a stream's Nats-Msg-Id window and last msg id from
// the newest stored messages that are still inside duplicate_window (Go's
// rebuildDedupe), so a publisher retrying across a restart is still
// de-duplicated.

import type { Stream } from "./stream.js";
import { headerValue } from "./headers.js";
import { nowNanos } from "./store/index.js";

export function rebuildDedup(stream: Stream): void {
  const window = stream.cfg.duplicate_window ?? 0;
  const st = stream.store.state();
  if (st.msgs === 0) return;
  const oldest = nowNanos() - window;
  const found: [string, number, number][] = [];
  let lastId: string | undefined;
  for (let seq = st.last_seq; seq >= st.first_seq; seq--) {
    const m = stream.store.getMsg(seq);
    if (m === null) continue;
    const id = headerValue(m.hdr, "Nats-Msg-Id") ?? "";
    if (lastId === undefined) lastId = id;
    if (window <= 0 || m.ts < oldest) break;
    if (id !== "") found.push([id, seq, m.ts]);
  }
  stream.restoreDedup(found.reverse(), lastId ?? "");
}
