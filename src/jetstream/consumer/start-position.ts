// Where a new consumer starts in its stream (Go's selectStartingSeqNo): by
// deliver policy, optional start sequence or time, clamped to the stream's
// range; deliver last_per_subject starts with a skip list of each subject's
// newest sequence and then resumes after the stream's last sequence.

import type { MessageStore } from "../store/types.js";
import { parseTimeNanos } from "../time.js";
import type { Consumer } from "./consumer.js";

export interface StartPosition {
  sseq: number;
  skipList: { seqs: number[]; resume: number } | null;
}

export function selectStartingSeq(c: Consumer): StartPosition {
  const store = c.host.store;
  const st = store.state();
  const cfg = c.cfg;
  let skipList: StartPosition["skipList"] = null;
  let sseq: number;
  if (cfg.opt_start_seq) sseq = cfg.opt_start_seq;
  else {
    switch (cfg.deliver_policy) {
      case "all":
        sseq = st.first_seq;
        break;
      case "last":
        if (c.filters.all) sseq = st.last_seq;
        else {
          sseq = 0;
          for (const f of c.filters.subjects) {
            const fs = store.filteredState(1, f);
            if (fs.last > sseq) sseq = fs.last;
          }
        }
        break;
      case "last_per_subject":
        if (c.host.config().max_msgs_per_subject === 1) sseq = st.first_seq;
        else {
          const seqs = store.lastSeqsPerSubject(c.filters.store);
          sseq = seqs.length === 0 ? st.last_seq : seqs[0];
          if (seqs.length > 0) skipList = { seqs, resume: st.last_seq };
        }
        break;
      case "by_start_time":
        sseq = seqFromTime(store, parseTimeNanos(cfg.opt_start_time!), st.first_seq, st.last_seq);
        break;
      default:
        sseq = st.last_seq + 1;
    }
  }
  if (st.first_seq === 0) sseq = 1;
  else if (sseq < st.first_seq) sseq = st.first_seq;
  else if (sseq > st.last_seq) sseq = st.last_seq + 1;
  return { sseq, skipList };
}

/** First sequence stored at or after tsNs (binary search: timestamps grow with sequences). */
function seqFromTime(store: MessageStore, tsNs: number, first: number, last: number): number {
  let lo = first;
  let hi = last + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const m = store.getNextBySubject(mid, "");
    if (m === null || m.ts >= tsNs) hi = mid;
    else lo = m.seq + 1;
  }
  return lo;
}
