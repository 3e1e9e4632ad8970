// bench/conn.js - one client connection of the load generator and its role.
// Owns: the connection handshake (INFO -> CONNECT + PING -> PONG), the four
// roles (publisher, subscriber, requester, responder), the publishers'
// flow-control window over shared counters, and the readiness probe used by
// run.js. A role runs inside a worker_thread (bench/worker.js) or inline in
// the generator's main thread; either way it talks to the coordinator
// (loadgen.js) through a `chan` ({post(msg), on(fn)}) and shares counters
// through SharedArrayBuffers.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { CONNECT_LINE, PING, PONG, Reader, buildPubBatch, stampSeqs, SEQ_BYTES, fillPayload, warmUpReader } from './proto.js';

// indices into the shared Int32Array `ctl`
export const C_SENT = 0; // msgs written by all publishers
export const C_RECV = 1; // queue mode: msgs received by all members together
export const C_EPOCH = 2; // bumped by subscribers when publishers wait for the window
export const C_WAITING = 3; // publishers waiting for the window
export const C_ABORT = 4; // set by the coordinator: stop now
export const C_QDONE = 5; // queue mode: set once the members together have all msgs
export const CTL_LEN = 8;

/** Seconds on the monotonic clock shared by all threads of the process. */
export const nowS = () => Number(process.hrtime.bigint()) / 1e9;

/**
 * Connect and complete the handshake. Resolves {sock, r, afterRead};
 * later failures (protocol error, -ERR, connection closed) call onFail(msg)
 * unless conn.closing is set.
 */
export function openConn({ host, port, extra = '', cap = 1 << 16, timeoutMs = 10000, onFail, label, user = '' }) {
  return new Promise((resolve, reject) => {
    const r = new Reader(cap);
    const conn = { sock: null, r, afterRead: null, closing: false, ready: false };
    let settled = false;
    const fail = (msg) => {
      if (conn.closing) return;
      msg = `${label}: ${msg}`;
      if (!conn.ready) {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          conn.closing = true;
          conn.sock.destroy();
          reject(new Error(msg));
        }
      } else {
        conn.closing = true;
        onFail(msg);
      }
    };
    const sock = net.connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: () => r.nextBuffer(),
        callback: (n) => {
          const ok = r.onRead(n);
          if (conn.afterRead !== null) conn.afterRead();
          return ok;
        },
      },
    });
    conn.sock = sock;
    const timer = setTimeout(() => fail(`handshake timed out after ${timeoutMs} ms`), timeoutMs);
    r.onInfo = () => {
      if (r.info !== null && r.pongs === 0 && !conn.sentConnect) {
        conn.sentConnect = true;
        sock.write(connectLine(user) + extra + 'PING\r\n', 'latin1');
      }
    };
    r.onPing = () => sock.write(PONG);
    r.onPong = () => {
      if (!conn.ready) {
        conn.ready = true;
        settled = true;
        clearTimeout(timer);
        resolve(conn);
      }
    };
    r.onFail = (msg) => fail(msg);
    sock.on('error', (e) => fail(`${e.code || e.message}`));
    sock.on('close', () => fail(`connection closed by server (after ${r.msgs} msgs)`));
  });
}

/** Resolves true when a NATS server answers PING at host:port within timeoutMs. */
export async function probe(host, port, timeoutMs = 2000) {
  try {
    const c = await openConn({ host, port, timeoutMs, label: 'probe', onFail() {} });
    c.closing = true;
    c.sock.destroy();
    return true;
  } catch {
    return false;
  }
}

/** CONNECT with `user:password` credentials, or the plain one. */
function connectLine(user) {
  if (user === '') return CONNECT_LINE;
  const i = user.indexOf(':');
  const creds = JSON.stringify({ user: i < 0 ? user : user.slice(0, i), pass: i < 0 ? '' : user.slice(i + 1) }).slice(1, -1);
  return CONNECT_LINE.replace('}\r\n', `,${creds}}\r\n`);
}

const immediate = () => new Promise((res) => setImmediate(res));

/**
 * Run one role. cfg: {role, idx, host, port, mode, subject, size, n, pubs,
 * subs, batch, window, warmup, inbox, ctl, subRecv, bitmap}
 */
export async function runRole(cfg, chan) {
  const ctl = cfg.ctl;
  let conn = null;
  let failed = false;
  const onFail = (msg) => {
    if (failed) return;
    failed = true;
    chan.post({ t: 'error', msg });
  };
  const label = `${cfg.role} ${cfg.idx}`;
  let extra = '';
  if (cfg.role === 'sub') {
    extra = cfg.mode === 'queue' ? `SUB ${cfg.subject} q ${cfg.idx + 1}\r\n` : `SUB ${cfg.subject} ${cfg.idx + 1}\r\n`;
  } else if (cfg.role === 'resp') extra = `SUB ${cfg.subject} 1\r\n`;
  else if (cfg.role === 'req') extra = `SUB ${cfg.inbox}.* 1\r\n`;
  const cap = cfg.role === 'sub' ? cfg.rbuf : cfg.role === 'pub' ? 1 << 14 : 1 << 16;
  try {
    const user = cfg.role === 'sub' ? cfg.subUser : cfg.role === 'pub' ? cfg.pubUser : '';
    conn = await openConn({ host: cfg.host, port: cfg.port, extra, cap, onFail, label, user: user ?? '' });
  } catch (e) {
    onFail(e.message);
    return;
  }
  const r = conn.r;
  if (r.info && r.info.max_payload > 0 && cfg.size > r.info.max_payload) {
    onFail(`payload size ${cfg.size} exceeds server max_payload ${r.info.max_payload}`);
    return;
  }
  let stats = () => ({});
  let go = null;
  const goP = new Promise((res) => (go = res));
  chan.on((m) => {
    if (m.t === 'go') go();
    else if (m.t === 'stats') chan.post({ t: 'stats', role: cfg.role, idx: cfg.idx, ...stats() });
    else if (m.t === 'close') {
      conn.closing = true;
      conn.sock.destroy();
    }
  });
  const common = () => ({ msgs: r.msgs, bytesIn: r.bytesIn, reads: r.reads, sizeErrors: r.sizeErrors, error: r.error });

  if (cfg.role === 'sub') {
    const expect = cfg.n * cfg.pubs;
    r.expectSize = cfg.size;
    const hdrLine = `MSG ${cfg.subject} ${cfg.idx + 1} ${cfg.size}\r\n`;
    const seqMode = cfg.size >= SEQ_BYTES ? (cfg.mode === 'queue' ? 2 : 1) : 0;
    warmUpReader(hdrLine, cfg.size, seqMode);
    r.expectHeader(hdrLine);
    if (seqMode) r.checkSeq(seqMode, cfg.pubs, cfg.n, cfg.bitmap);
    let reported = 0;
    let tEnd = 0;
    const queue = cfg.mode === 'queue';
    conn.afterRead = () => {
      const m = r.msgs;
      if (m === reported) return;
      const k = m - reported;
      reported = m;
      Atomics.store(cfg.subRecv, cfg.idx, m);
      if (queue) {
        const before = Atomics.add(ctl, C_RECV, k);
        if (before < expect && before + k >= expect) {
          tEnd = nowS();
          Atomics.store(ctl, C_QDONE, 1);
          chan.post({ t: 'qdone', tEnd });
        }
      } else if (m >= expect && tEnd === 0) {
        tEnd = nowS();
        chan.post({ t: 'done', role: 'sub', idx: cfg.idx, tEnd });
      }
      if (Atomics.load(ctl, C_WAITING) > 0) {
        Atomics.add(ctl, C_EPOCH, 1);
        Atomics.notify(ctl, C_EPOCH);
      }
    };
    stats = () => ({
      ...common(),
      tEnd,
      unique: r.unique,
      outOfOrder: r.outOfOrder,
      badSeq: r.badSeq,
      dups: r.dups,
    });
    chan.post({ t: 'ready', role: 'sub', idx: cfg.idx });
    return;
  }

  if (cfg.role === 'resp') {
    r.needFull = true;
    r.expectSize = cfg.size;
    const tail = Buffer.from(` ${cfg.size}\r\n`, 'latin1');
    const payload = Buffer.allocUnsafe(cfg.size + 2);
    fillPayload(payload, 0, cfg.size);
    payload[cfg.size] = 13;
    payload[cfg.size + 1] = 10;
    let mismatches = 0;
    const out = [];
    r.onMsg = (b, ss, se, rs, re) => {
      if (re === 0) {
        mismatches++;
        return;
      }
      const o = Buffer.allocUnsafe(4 + (re - rs) + tail.length + payload.length);
      o.write('PUB ', 0, 'latin1');
      b.copy(o, 4, rs, re);
      tail.copy(o, 4 + re - rs);
      payload.copy(o, 4 + re - rs + tail.length);
      out.push(o);
    };
    conn.afterRead = () => {
      if (out.length === 1) conn.sock.write(out[0]);
      else if (out.length > 1) conn.sock.write(Buffer.concat(out));
      out.length = 0;
    };
    stats = () => ({ ...common(), mismatches });
    chan.post({ t: 'ready', role: 'resp', idx: cfg.idx });
    return;
  }

  if (cfg.role === 'req') {
    r.needFull = true;
    r.expectSize = cfg.size;
    const total = cfg.warmup + cfg.n;
    const lat = new Float64Array(cfg.n); // microseconds
    const payStr = Buffer.alloc(cfg.size, 'abcdefghijklmnopqrstuvwxyz').toString('latin1');
    let i = 0;
    let t1 = 0;
    let t0 = 0;
    let tEnd = 0;
    let expectSubj = '';
    let mismatches = 0;
    const sendNext = () => {
      if (i === cfg.warmup) t0 = nowS();
      expectSubj = `${cfg.inbox}.${i}`;
      const frame = `PUB ${cfg.subject} ${expectSubj} ${cfg.size}\r\n${payStr}\r\n`;
      t1 = performance.now();
      conn.sock.write(frame, 'latin1');
    };
    r.onMsg = (b, ss, se) => {
      const t2 = performance.now();
      if (b.latin1Slice(ss, se) !== expectSubj) mismatches++;
      if (i >= cfg.warmup) lat[i - cfg.warmup] = (t2 - t1) * 1000;
      i++;
      if (i === total) {
        tEnd = nowS();
        chan.post({ t: 'done', role: 'req', idx: 0, t0, tEnd });
      } else if (Atomics.load(ctl, C_ABORT) === 0) sendNext();
    };
    stats = () => ({ ...common(), mismatches, t0, tEnd, done: Math.max(0, i - cfg.warmup), lat });
    chan.post({ t: 'ready', role: 'req', idx: 0 });
    await goP;
    sendNext();
    return;
  }

  // publisher
  const seqOn = cfg.mode !== 'pub' && cfg.size >= SEQ_BYTES;
  const proto = buildPubBatch(cfg.subject, cfg.size, 1, cfg.idx);
  const flen = proto.flen;
  const fpb = Math.max(1, Math.min(cfg.n, Math.floor(cfg.batch / flen)));
  const nbufs = seqOn ? 4 : 1;
  const bufs = [];
  const busy = new Uint8Array(nbufs);
  const freeCb = [];
  let wake = null;
  for (let j = 0; j < nbufs; j++) {
    bufs.push(buildPubBatch(cfg.subject, cfg.size, fpb, cfg.idx).buf);
    freeCb.push(() => {
      busy[j] = 0;
      if (wake !== null) {
        const w = wake;
        wake = null;
        w();
      }
    });
  }
  if (seqOn) for (let j = 0; j < 20; j++) stampSeqs(bufs[0], fpb, flen, proto.payOff, 0); // JIT warm-up
  let sent = 0;
  let tFirst = 0;
  let tDone = 0;
  stats = () => ({ ...common(), sent, tFirst, tDone, fpb, flen });
  const subRecv = cfg.subRecv;
  const queue = cfg.mode === 'queue';
  const outstanding = () => {
    const s = Atomics.load(ctl, C_SENT);
    let rcv;
    if (queue) rcv = Atomics.load(ctl, C_RECV);
    else {
      rcv = Infinity;
      for (let j = 0; j < subRecv.length; j++) {
        const v = Atomics.load(subRecv, j);
        if (v < rcv) rcv = v;
      }
    }
    return s > rcv ? s - rcv : 0;
  };
  const windowWait = async (k) => {
    if (outstanding() + k <= cfg.window) return;
    const low = Math.floor((cfg.window * 3) / 4);
    Atomics.add(ctl, C_WAITING, 1);
    while (Atomics.load(ctl, C_ABORT) === 0 && !failed) {
      const ep = Atomics.load(ctl, C_EPOCH);
      if (outstanding() + k <= low) break;
      const w = Atomics.waitAsync(ctl, C_EPOCH, ep, 5);
      if (w.async) await w.value;
    }
    Atomics.sub(ctl, C_WAITING, 1);
  };
  const sock = conn.sock;
  let drainRes = null;
  sock.on('drain', () => {
    if (drainRes !== null) {
      const d = drainRes;
      drainRes = null;
      d();
    }
  });
  chan.post({ t: 'ready', role: 'pub', idx: cfg.idx });
  await goP;
  tFirst = nowS();
  let bi = 0;
  const useWindow = cfg.mode !== 'pub' && cfg.window > 0;
  while (sent < cfg.n) {
    if (failed || Atomics.load(ctl, C_ABORT) !== 0) return;
    const k = Math.min(fpb, cfg.n - sent);
    if (useWindow) await windowWait(k);
    const buf = bufs[bi];
    let ok;
    if (seqOn) {
      while (busy[bi] !== 0) await new Promise((res) => (wake = res));
      stampSeqs(buf, k, flen, proto.payOff, sent);
      busy[bi] = 1;
      ok = sock.write(k === fpb ? buf : buf.subarray(0, k * flen), freeCb[bi]);
      bi = (bi + 1) % nbufs;
    } else ok = sock.write(k === fpb ? buf : buf.subarray(0, k * flen));
    sent += k;
    Atomics.add(ctl, C_SENT, k);
    if (!ok) await new Promise((res) => (drainRes = res));
    else await immediate();
  }
  const want = r.pongs + 1;
  await new Promise((res) => {
    r.onPong = () => {
      if (r.pongs >= want) res();
    };
    sock.write(PING);
  });
  tDone = nowS();
  chan.post({ t: 'done', role: 'pub', idx: cfg.idx, tFirst, tDone });
}
