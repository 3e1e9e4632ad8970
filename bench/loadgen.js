#!/usr/bin/env node
// bench/loadgen.js - the load generator: one timed run of one scenario against
// one server, printed as one JSON line on stdout (like shared/bench/natsbench).
// Owns: command-line options, starting the connections (one worker_thread
// each, or all in the main thread: see --threads), the start signal, the timing rules,
// the server's CPU share over the timed interval, and the result summary
// (throughput, latency percentiles, lost / reordered / duplicate messages).
//
//   node bench/loadgen.js --port 4222 --mode pubsub --n 2000000 --size 16 --pubs 1 --subs 1
//
// Modes (timing as natsbench):
//   pub     P publishers; first byte written -> every publisher's final PING got its PONG
//   pubsub  P pubs, S subs on one subject; first byte -> every sub has all n*P msgs
//   queue   P pubs, S subs in queue group "q"; first byte -> subs together have n*P
//   reqrep  1 requester, 1 responder; n sequential requests (after --warmup untimed)
//   idle    n idle connections (CONNECT + PING/PONG each); server RSS before/after
//   stuck   a subscriber that never reads, a healthy one, n msgs published; RSS growth
//   churn   n short-lived connections sending malformed protocol; RSS growth
//   ping    one handshake (is a server up?)
// Exit code: 0 ok, 1 error, 2 timeout, 3 finished with lost/reordered/size errors.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { runRole, probe, nowS, C_ABORT, C_QDONE, CTL_LEN } from './conn.js';
import { cpuSeconds, allowedCpus } from './procfs.js';
import { runIdle } from './idle.js';
import { runJsPub } from './jspub.js';
import { runKvLatency } from './kvlat.js';
import { runStuck, runChurn } from './memory.js';

const DEFAULTS = {
  host: '127.0.0.1',
  port: 4222,
  mode: 'pubsub',
  n: 1000000,
  size: 16,
  pubs: 1,
  subs: 1,
  subject: 'bench.test',
  timeout: 60,
  batch: 256 * 1024,
  window: -1, // msgs in flight; -1 auto (16 MiB worth), 0 off
  spid: 0,
  warmup: -1,
  inline: false,
  threads: 'auto', // workers | inline | auto (inline for reqrep, workers otherwise)
  rbuf: 1 << 20, // subscriber read buffer
  settle: 2000, // max ms to wait for the generator to go idle before the start
  conc: 200, // idle: handshakes in flight
  storage: 'file', // jspub: stream storage
  jswin: 256, // jspub: PubAcks outstanding at most (1 = one publish at a time, with latencies)
  pubUser: '', // user:password in the publishers' CONNECT ('' = none)
  subUser: '', // user:password in the subscribers' CONNECT
  latDump: '', // kv: file for every timed round's start (ms), put and get latency (µs)
};

const USAGE = `usage: node bench/loadgen.js [--host 127.0.0.1] [--port 4222]
       [--mode pub|pubsub|queue|reqrep|idle|stuck|churn|jspub|ping] [--n N] [--size BYTES]
       [--pubs P] [--subs S] [--subject S] [--timeout SEC] [--batch BYTES]
       [--window MSGS|0] [--spid SERVER_PID] [--warmup N] [--threads auto|workers|inline]
       [--inline] [--rbuf BYTES] [--settle MS] [--conc C] [--storage file|memory] [--jswin W]
       [--latDump FILE]
  --n       msgs per publisher (pub/pubsub/queue), requests (reqrep), connections (idle)
  --batch   bytes per publisher write (default 262144)
  --window  max msgs published but not yet received by the slowest subscriber
            (pubsub/queue; default 16 MiB worth of messages, at least 4 batches; 0 = off)
  --spid    PID of the server under test (CPU share over the timed interval, RSS)
  --threads workers: one worker_thread per connection; inline: all connections in
            the main thread; auto (default): inline for reqrep (fewer thread hops
            in the measured round trip), workers otherwise. --inline = --threads inline
  --rbuf    subscriber read buffer in bytes (default 1 MiB)
  --settle  before the start, wait until the generator itself is idle (a 50 ms window
            under 10% CPU: worker start-up done), at most this many ms (default 2000)
  --conc    idle: handshakes in flight (default 200)
  --storage jspub: stream BENCH on --subject with this storage (the server needs -js)
  --jswin   jspub: PubAcks outstanding at most (default 256; 1 = synchronous, with latencies)
  --warmup  reqrep, kv: untimed round trips first (default min(1000, n/10); kv min(2000, n/5))
  --latDump kv: write each timed round (start ms, put us, get us) to this file
  --pubUser / --subUser  user:password the publishers / subscribers connect with
            (e.g. to publish in one account and subscribe in another)`;

export function parseArgs(argv) {
  const o = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    if (a === '-h' || a === '--help') {
      console.error(USAGE);
      process.exit(2);
    }
    a = a.replace(/^-+/, '');
    let v;
    const eq = a.indexOf('=');
    if (eq >= 0) {
      v = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (!(a in DEFAULTS)) {
      console.error(`loadgen: unknown option --${a}\n${USAGE}`);
      process.exit(2);
    }
    if (typeof DEFAULTS[a] === 'boolean') {
      o[a] = v === undefined ? true : v !== 'false';
      continue;
    }
    if (v === undefined) v = argv[++i];
    if (v === undefined) {
      console.error(`loadgen: --${a} needs a value`);
      process.exit(2);
    }
    o[a] = typeof DEFAULTS[a] === 'number' ? Number(v) : v;
    if (typeof DEFAULTS[a] === 'number' && !Number.isFinite(o[a])) {
      console.error(`loadgen: --${a}: not a number: ${v}`);
      process.exit(2);
    }
  }
  return o;
}

function out(obj, code) {
  process.stdout.write(JSON.stringify(obj) + '\n', () => process.exit(code));
  setTimeout(() => process.exit(code), 2000).unref();
}

/** nearest-rank percentile of a sorted array */
function pct(sorted, p) {
  let k = Math.ceil((p / 100) * sorted.length - 1e-9);
  if (k < 1) k = 1;
  if (k > sorted.length) k = sorted.length;
  return sorted[k - 1];
}

const r1 = (x) => Math.round(x * 10) / 10;

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const t0 = nowS();
  const common = { mode: o.mode, size: o.size };
  if (o.mode === 'ping') {
    const ok = await probe(o.host, o.port, Math.min(o.timeout, 5) * 1000);
    return out({ mode: 'ping', ok }, ok ? 0 : 1);
  }
  if (o.mode === 'idle' || o.mode === 'stuck' || o.mode === 'churn') {
    const run = o.mode === 'idle' ? runIdle : o.mode === 'stuck' ? runStuck : runChurn;
    const res = await run(o);
    return out({ ...common, ...res }, res.ok ? 0 : 1);
  }
  if (o.mode === 'jspub' || o.mode === 'kv') {
    // kv: the client's code and a JIT-compiled server's put/get path are compiled during the first
    // ~2000 round trips; those rounds measure compilation, not the steady state (see bench/README.md).
    if (o.mode === 'kv' && o.warmup < 0) o.warmup = Math.min(2000, Math.floor(o.n / 5));
    let c0 = o.spid ? cpuSeconds(o.spid) : null;
    // kv: the server's CPU from the first timed round on (after the bucket and the warm-up).
    const timedStart = () => {
      if (o.spid) c0 = cpuSeconds(o.spid);
    };
    const res = o.mode === 'kv' ? await runKvLatency(o, timedStart) : await runJsPub(o);
    const c1 = o.spid ? cpuSeconds(o.spid) : null;
    if (c0 != null && c1 != null && res.seconds > 0) res.server_cpu_pct = Math.round(((c1 - c0) / res.seconds) * 1000) / 10;
    return out({ ...common, ...res }, res.ok ? 0 : 1);
  }
  if (!['pub', 'pubsub', 'queue', 'reqrep'].includes(o.mode)) {
    console.error(`loadgen: unknown mode ${o.mode}\n${USAGE}`);
    process.exit(2);
  }
  const reqrep = o.mode === 'reqrep';
  if (o.inline) o.threads = 'inline';
  if (!['auto', 'workers', 'inline'].includes(o.threads)) {
    console.error(`loadgen: bad --threads ${o.threads}\n${USAGE}`);
    process.exit(2);
  }
  const inline = o.threads === 'inline' || (o.threads === 'auto' && reqrep);
  const P = reqrep ? 1 : o.pubs;
  const S = o.mode === 'pub' ? 0 : reqrep ? 1 : o.subs;
  if (!(o.n >= 1) || !(o.size >= 0) || !(P >= 1) || o.n * P >= 2 ** 31 || P > 65535 || S > 1000) {
    console.error(`loadgen: bad --n/--size/--pubs/--subs\n${USAGE}`);
    process.exit(2);
  }
  Object.assign(common, { pubs: P, subs: S });
  if (o.warmup < 0) o.warmup = Math.min(1000, Math.floor(o.n / 10));
  const expect = o.n * P;
  const flen = `PUB ${o.subject} ${o.size}\r\n`.length + o.size + 2;
  const fpb = Math.max(1, Math.min(o.n, Math.floor(o.batch / flen)));
  let window = 0;
  if (o.mode === 'pubsub' || o.mode === 'queue') {
    window = o.window < 0 ? Math.floor((16 << 20) / (o.size + o.subject.length + 24)) : o.window;
    if (window > 0 && window < 4 * fpb * P) window = 4 * fpb * P;
  }
  const ctl = new Int32Array(new SharedArrayBuffer(CTL_LEN * 4));
  const subRecv = new Int32Array(new SharedArrayBuffer(Math.max(1, S) * 4));
  const bitmap = o.mode === 'queue' ? new Int32Array(new SharedArrayBuffer(Math.ceil(expect / 32) * 4 + 4)) : null;
  const base = {
    host: o.host,
    port: o.port,
    mode: o.mode,
    subject: o.subject,
    size: o.size,
    n: o.n,
    pubs: P,
    subs: S,
    batch: o.batch,
    window,
    warmup: o.warmup,
    inbox: `_INBOX.lg${process.pid}`,
    pubUser: o.pubUser,
    subUser: o.subUser,
    rbuf: o.rbuf,
    ctl,
    subRecv,
    bitmap,
  };

  // ---- connections ----
  const conns = []; // {role, idx, post(m), stats}
  const ready = { sub: 0, pub: 0, req: 0, resp: 0 };
  const done = { sub: [], pub: [], req: null };
  let qdoneT = 0;
  let errorMsg = null;
  let wakeMain = null;
  const wake = () => {
    if (wakeMain !== null) {
      const w = wakeMain;
      wakeMain = null;
      w();
    }
  };
  const pendingStats = new Map();
  const onMsg = (c, m) => {
    if (m.t === 'ready') ready[m.role]++;
    else if (m.t === 'done') {
      if (m.role === 'req') done.req = m;
      else done[m.role].push(m);
    } else if (m.t === 'qdone') qdoneT = m.tEnd;
    else if (m.t === 'error') {
      if (errorMsg === null) errorMsg = m.msg;
      Atomics.store(ctl, C_ABORT, 1);
    } else if (m.t === 'stats') {
      c.stats = m;
      const res = pendingStats.get(c);
      if (res) res();
    }
    wake();
  };
  const start = (role, idx) => {
    const cfg = { ...base, role, idx };
    const c = { role, idx, stats: null, post: null, worker: null };
    if (inline) {
      const fns = [];
      c.post = (m) => setImmediate(() => fns.forEach((f) => f(m)));
      const chan = { post: (m) => setImmediate(() => onMsg(c, m)), on: (fn) => fns.push(fn) };
      runRole(cfg, chan).catch((e) => onMsg(c, { t: 'error', msg: `${role} ${idx}: ${e.stack || e}` }));
    } else {
      const w = new Worker(fileURLToPath(new URL('./worker.js', import.meta.url)), { workerData: cfg });
      c.worker = w;
      c.post = (m) => w.postMessage(m);
      w.on('message', (m) => onMsg(c, m));
      w.on('error', (e) => onMsg(c, { t: 'error', msg: `${role} ${idx} worker: ${e.stack || e}` }));
    }
    conns.push(c);
    return c;
  };
  let timedOut = false;
  const deadline = t0 + o.timeout;
  const waitUntil = async (cond) => {
    while (!cond() && errorMsg === null) {
      const left = deadline - nowS();
      if (left <= 0) {
        timedOut = true;
        return false;
      }
      await new Promise((res) => {
        wakeMain = res;
        setTimeout(res, Math.min(left * 1000, 100) + 1);
      });
    }
    return errorMsg === null;
  };
  const collect = async (ms) => {
    const live = conns.filter((c) => c.stats === null);
    await Promise.race([
      Promise.all(
        live.map(
          (c) =>
            new Promise((res) => {
              pendingStats.set(c, res);
              c.post({ t: 'stats' });
            }),
        ),
      ),
      new Promise((res) => setTimeout(res, ms)),
    ]);
  };

  let cpu0 = null;
  let scpu0 = -1;
  let cpu1 = null;
  let scpu1 = -1;
  let ok = true;
  if (reqrep) {
    start('resp', 0);
    ok = await waitUntil(() => ready.resp === 1);
    if (ok) {
      start('req', 0);
      ok = await waitUntil(() => ready.req === 1);
    }
  } else {
    for (let i = 0; i < S; i++) start('sub', i);
    ok = await waitUntil(() => ready.sub === S);
    if (ok) {
      for (let i = 0; i < P; i++) start('pub', i);
      ok = await waitUntil(() => ready.pub === P);
    }
  }
  // let worker start-up finish (module loading, JIT and GC threads) before timing:
  // wait until a 50 ms window uses under 10% CPU, at most --settle ms
  const tSettle = nowS();
  while (ok && (nowS() - tSettle) * 1000 < o.settle) {
    const c0 = process.cpuUsage();
    await new Promise((res) => setTimeout(res, 50));
    const c = process.cpuUsage(c0);
    if (c.user + c.system < 5000) break;
  }
  const tGo = nowS();
  if (ok) {
    cpu0 = process.cpuUsage();
    scpu0 = cpuSeconds(o.spid);
    for (const c of conns) if (c.role === 'pub' || c.role === 'req') c.post({ t: 'go' });
    if (o.mode === 'pub') ok = await waitUntil(() => done.pub.length === P);
    else if (o.mode === 'pubsub') ok = await waitUntil(() => done.sub.length === S && done.pub.length === P);
    else if (o.mode === 'queue') ok = await waitUntil(() => Atomics.load(ctl, C_QDONE) === 1 && done.pub.length === P);
    else ok = await waitUntil(() => done.req !== null);
    cpu1 = process.cpuUsage(cpu0);
    scpu1 = cpuSeconds(o.spid);
  }
  Atomics.store(ctl, C_ABORT, 1);
  await collect(ok ? 5000 : 1000);
  for (const c of conns) c.post({ t: 'close' });
  setTimeout(() => conns.forEach((c) => c.worker && c.worker.terminate()), 200).unref();

  if (process.env.LOADGEN_DEBUG) {
    for (const c of conns) {
      const { lat, ...st } = c.stats || {};
      console.error(`${c.role} ${c.idx}: ${JSON.stringify(st)}`);
    }
  }
  const subStats = conns.filter((c) => c.role === 'sub').map((c) => c.stats || {});
  const pubStats = conns.filter((c) => c.role === 'pub').map((c) => c.stats || {});
  const sum = (arr, k) => arr.reduce((a, s) => a + (s[k] || 0), 0);
  const res = { ...common };
  if (!ok) {
    res.n = o.n;
    res.ok = false;
    res.error = timedOut ? `timeout after ${o.timeout} s` : errorMsg;
    res.elapsed = r1((nowS() - t0) * 1000) / 1000;
    if (reqrep) {
      const rs = conns.find((c) => c.role === 'req');
      res.requests_done = rs && rs.stats ? rs.stats.done : 0;
    } else {
      res.subs_ready = ready.sub;
      res.pubs_ready = ready.pub;
      res.sent = pubStats.map((s) => s.sent || 0);
      res.received = subStats.map((s) => s.msgs || 0);
      res.expected_per_sub = o.mode === 'queue' ? 0 : expect;
    }
    res.cpus = allowedCpus();
    console.error(`loadgen: ${res.error}`);
    return out(res, timedOut ? 2 : 1);
  }

  const cpuS = (cpu1.user + cpu1.system) / 1e6;
  let secs;
  let errors = 0;
  if (reqrep) {
    const rq = conns.find((c) => c.role === 'req').stats;
    const rp = conns.find((c) => c.role === 'resp').stats;
    const lat = Array.from(rq.lat).sort((a, b) => a - b);
    secs = rq.tEnd - rq.t0;
    const avg = lat.reduce((a, b) => a + b, 0) / lat.length;
    Object.assign(res, {
      msgs: o.n,
      warmup: o.warmup,
      seconds: secs,
      reqs_per_sec: Math.round(o.n / secs),
      msgs_per_sec: Math.round(o.n / secs),
      min_us: r1(lat[0]),
      avg_us: r1(avg),
      p50_us: r1(pct(lat, 50)),
      p90_us: r1(pct(lat, 90)),
      p99_us: r1(pct(lat, 99)),
      max_us: r1(lat[lat.length - 1]),
      size_errors: rq.sizeErrors + rp.sizeErrors,
      reply_mismatches: rq.mismatches + rp.mismatches,
    });
    errors = res.size_errors + res.reply_mismatches;
  } else {
    const tBegin = Math.min(...done.pub.map((d) => d.tFirst));
    let tEnd;
    if (o.mode === 'pub') tEnd = Math.max(...done.pub.map((d) => d.tDone));
    else if (o.mode === 'pubsub') tEnd = Math.max(...done.sub.map((d) => d.tEnd));
    else tEnd = qdoneT;
    secs = Math.max(tEnd - tBegin, 1e-9);
    const delivered = sum(subStats, 'msgs');
    const rate = o.mode === 'pub' ? expect / secs : delivered / secs;
    const pubDone = Math.max(...done.pub.map((d) => d.tDone)) - tBegin;
    Object.assign(res, {
      n_per_pub: o.n,
      msgs: expect,
      delivered,
      seconds: Math.round(secs * 1e6) / 1e6,
      msgs_per_sec: Math.round(rate),
      mb_per_sec: Math.round((rate * o.size) / 1e4) / 100,
      pub_msgs_per_sec: Math.round(expect / secs),
      delivered_msgs_per_sec: Math.round(delivered / secs),
      pub_done_seconds: Math.round(pubDone * 1e6) / 1e6,
      window,
      batch_msgs: fpb,
    });
    if (S > 0) {
      const seqChecked = o.size >= 6;
      const dups = sum(subStats, 'dups');
      // pubsub: every sub must see all n*P; queue: the members together must
      const lost = seqChecked
        ? o.mode === 'pubsub'
          ? subStats.reduce((a, s) => a + Math.max(0, expect - (s.unique || 0)), 0)
          : Math.max(0, expect - sum(subStats, 'unique'))
        : null;
      const wantDelivered = o.mode === 'queue' ? expect : expect * S;
      Object.assign(res, {
        seq_checked: seqChecked,
        lost,
        out_of_order: sum(subStats, 'outOfOrder'),
        duplicates: dups,
        bad_seq: sum(subStats, 'badSeq'),
        extra_msgs: Math.max(0, delivered - wantDelivered),
        size_errors: sum(subStats, 'sizeErrors'),
      });
      if (o.mode === 'queue') {
        const per = subStats.map((s) => s.msgs || 0);
        res.share_min = Math.round((Math.min(...per) / expect) * 1e4) / 1e4;
        res.share_max = Math.round((Math.max(...per) / expect) * 1e4) / 1e4;
        res.per_sub = per;
      }
      errors = (res.lost || 0) + res.out_of_order + res.duplicates + res.bad_seq + res.extra_msgs + res.size_errors;
    }
  }
  res.bench_cpu_pct = r1((cpuS / secs) * 100);
  res.bench_sys_pct = r1((cpu1.system / 1e6 / secs) * 100);
  if (scpu0 >= 0 && scpu1 >= 0) res.server_cpu_pct = r1(((scpu1 - scpu0) / secs) * 100);
  res.threads = inline ? 1 : conns.length + 1;
  res.settle_ms = Math.round((tGo - tSettle) * 1000);
  res.cpus = allowedCpus();
  res.ok = errors === 0;
  return out(res, errors === 0 ? 0 : 3);
}

main().catch((e) => {
  console.error(`loadgen: ${e.stack || e}`);
  out({ ok: false, error: String(e.message || e) }, 1);
});
