// bench/memory.js - the memory scenarios of the load generator.
// Owns: 'stuck' (a subscriber that never reads while a publisher floods its
// subject and a healthy subscriber keeps up; the server must cut the stuck one
// off as a slow consumer) and 'churn' (many short-lived connections sending
// malformed or truncated protocol), each reporting the server's RSS when idle,
// at its peak and after the load, and checking the server still serves.
import net from 'node:net';
import { CONNECT_LINE } from './proto.js';
import { memKiB } from './procfs.js';
import { nowS } from './conn.js';

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/** Open a connection and complete INFO -> CONNECT+PING -> PONG; resolves with the socket. */
function handshake(o, extra = '') {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: o.host, port: o.port, noDelay: true });
    let pend = '';
    let state = 0;
    const onData = (d) => {
      pend += d.toString('latin1');
      if (state === 0 && pend.includes('\r\n')) {
        state = 1;
        s.write(CONNECT_LINE + extra + 'PING\r\n');
      }
      if (state === 1 && pend.includes('PONG\r\n')) {
        state = 2;
        s.off('data', onData);
        resolve(s);
      }
    };
    s.on('data', onData);
    s.on('error', reject);
  });
}

function memFields(res, before, o) {
  const after = memKiB(o.spid);
  if (before && after) {
    res.server_rss_idle_kib = before.rss;
    res.server_rss_after_kib = after.rss;
    res.server_hwm_kib = after.hwm;
    res.rss_growth_kib = after.hwm - before.rss;
    res.msgs_per_sec = Math.round((res.rss_growth_kib / 1024) * 10) / 10; // headline: peak growth in MiB
  }
}

/** o: {host, port, n, size, timeout, spid} */
export async function runStuck(o) {
  const before = memKiB(o.spid);
  const stuck = await handshake(o, `SUB ${o.subject} 1\r\n`);
  stuck.pause();
  let stuckClosed = false;
  stuck.on('close', () => (stuckClosed = true));
  stuck.on('error', () => {});
  const good = await handshake(o, `SUB ${o.subject} 1\r\n`);
  const frame = `MSG ${o.subject} 1 ${o.size}\r\n`.length + o.size + 2;
  let received = 0;
  good.on('data', (d) => (received += d.length));
  const pub = await handshake(o);
  const msg = Buffer.concat([Buffer.from(`PUB ${o.subject} ${o.size}\r\n`), Buffer.alloc(o.size, 'x'), Buffer.from('\r\n')]);
  const per = Math.max(1, Math.floor((256 * 1024) / msg.length));
  const batch = Buffer.concat(Array(per).fill(msg));
  const deadline = nowS() + o.timeout;
  let sent = 0;
  while (sent < o.n && nowS() < deadline) {
    // Stay within 16 MiB of the healthy subscriber, as natsbench's window does.
    while ((sent - received / frame) * msg.length > 16 * 1024 * 1024 && nowS() < deadline) await sleep(1);
    const k = Math.min(per, o.n - sent);
    if (!pub.write(k === per ? batch : batch.subarray(0, k * msg.length))) await new Promise((r) => pub.once('drain', r));
    sent += k;
  }
  while (received < sent * frame && nowS() < deadline) await sleep(10);
  // Past the write deadline (10 s by default in both servers) a stalled consumer is cut off at the latest.
  await sleep(11000);
  const res = { n: o.n, size: o.size, sent, healthy_received: Math.floor(received / frame) };
  memFields(res, before, o);
  // A paused socket never sees the server hang up: read what is buffered to find out.
  stuck.resume();
  while (!stuckClosed && nowS() < deadline) await sleep(10);
  res.stuck_cut_off = stuckClosed;
  res.ok = sent === o.n && received >= sent * frame && stuckClosed;
  if (!res.ok) res.error = !stuckClosed ? 'the stuck subscriber was not cut off' : `healthy subscriber got ${res.healthy_received} of ${sent}`;
  for (const s of [stuck, good, pub]) s.destroy();
  return res;
}

const GARBAGE = [
  'PUB foo\r\n',
  'SUB\r\n',
  'CONNECT {bad json\r\n',
  'MSG foo 1 2\r\n',
  'PUB foo 10\r\nabc',
  'UNSUB\r\n',
  'HPUB foo 5 2\r\nab\r\n',
  'XYZZY\r\n',
  'PUB foo 5\r\nhello\r\nSUB a.b 1\r\nPUB a.b 3\r\nabc',
];

/** o: {host, port, n, conc, timeout, spid} */
export async function runChurn(o) {
  const before = memKiB(o.spid);
  const t0 = nowS();
  const deadline = t0 + o.timeout;
  let started = 0;
  let done = 0;
  let failed = 0;
  let inflight = 0;
  let wake = null;
  const finish = (s, ok) => {
    if (s.finished) return;
    s.finished = true;
    inflight--;
    done++;
    if (!ok) failed++;
    s.destroy();
    if (wake) {
      const w = wake;
      wake = null;
      w();
    }
  };
  const one = (i) => {
    inflight++;
    started++;
    const s = net.connect({ host: o.host, port: o.port });
    s.once('data', () => {
      s.write(GARBAGE[i % GARBAGE.length]);
      // Every other one hangs up at once; the rest wait for the server's verdict.
      if (i % 2 === 0) finish(s, true);
      else setTimeout(() => finish(s, true), 20);
    });
    s.on('error', () => finish(s, true));
    s.on('close', () => finish(s, true));
    setTimeout(() => finish(s, false), 5000).unref();
  };
  while (done < o.n && nowS() < deadline) {
    while (started < o.n && inflight < o.conc) one(started);
    await new Promise((res) => {
      wake = res;
      setTimeout(res, 50);
    });
  }
  const seconds = nowS() - t0;
  await sleep(1000);
  let serving = false;
  try {
    const s = await handshake(o);
    serving = true;
    s.destroy();
  } catch {
    serving = false;
  }
  const res = { n: o.n, connections: done, stalled: failed, seconds: Math.round(seconds * 1000) / 1000, conns_per_sec: Math.round(done / seconds), still_serving: serving };
  memFields(res, before, o);
  res.ok = done === o.n && serving;
  if (!res.ok) res.error = !serving ? 'server no longer serves' : `${done} of ${o.n} connections in ${o.timeout} s`;
  return res;
}
