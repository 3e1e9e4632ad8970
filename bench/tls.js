#!/usr/bin/env node
// bench/tls.js - TLS pub/sub throughput, tsnats against the Go nats-server
// with the same self-signed certificate (`npm run bench -- --tls`, or
// `node bench/tls.js`). Owns: making the certificate (openssl), starting
// each server pinned to one core with `--tls --tlscert --tlskey`, and a
// small generator on another core: one TLS publisher writing pre-built PUB
// batches under a flow-control window, one TLS subscriber counting MSG bytes
// (every MSG has the same length, so bytes / length is the count).
// Alternating rounds, medians, the tsnats/Go ratio.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './procfs.js';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const SCENARIOS = [
  ['tls-pubsub16', 16, 2000000],
  ['tls-pubsub128', 128, 1500000],
  ['tls-pubsub1k', 1024, 500000],
];
const WINDOW = 100000;
const BATCH = 1000;

function args(argv) {
  const o = { rounds: 3, quick: false, scenarios: '', port: 16222, serverCpu: '0', benchCpu: '1' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--tls') continue;
    if (a === '--quick') o.quick = true;
    else if (a === '--rounds') o.rounds = Number(argv[++i]);
    else if (a === '--scenarios') o.scenarios = argv[++i];
    else if (a === '--port') o.port = Number(argv[++i]);
    else {
      console.error(`bench/tls.js: unknown option ${a}\nusage: node bench/tls.js [--rounds N] [--quick] [--scenarios a,b] [--port BASE]`);
      process.exit(2);
    }
  }
  return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function makeCert(dir) {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  return { key, cert };
}

function pinned(cpu, argv) {
  try {
    execFileSync('taskset', ['-c', cpu, 'true'], { stdio: 'ignore' });
    return ['taskset', ['-c', cpu, ...argv]];
  } catch {
    return [argv[0], argv.slice(1)];
  }
}

/** Connect, read INFO, upgrade to TLS, CONNECT + extra + PING, wait for PONG. Resolves the TLS socket. */
function openTls(port, ca, extra, onData) {
  return new Promise((resolve, reject) => {
    const raw = net.connect({ port, host: '127.0.0.1', noDelay: true });
    raw.once('error', reject);
    let pre = '';
    const onInfo = (d) => {
      pre += d.toString('latin1');
      if (!pre.includes('\r\n')) return;
      raw.off('data', onInfo);
      const t = tls.connect({ socket: raw, ca, servername: 'localhost' });
      t.once('error', reject);
      let hs = '';
      const onHs = (x) => {
        hs += x.toString('latin1');
        if (!hs.includes('PONG\r\n')) return;
        t.off('data', onHs);
        t.on('data', onData);
        resolve(t);
      };
      t.on('data', onHs);
      t.once('secureConnect', () => t.write(`CONNECT {"verbose":false,"pedantic":false,"protocol":1}\r\n${extra}PING\r\n`));
    };
    raw.on('data', onInfo);
  });
}

async function probe(port) {
  return new Promise((r) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('data', () => {
      s.destroy();
      r(true);
    });
    s.once('error', () => r(false));
  });
}

async function startServer(cmd, port, cert, cpu) {
  const argv = [...cmd, '-a', '127.0.0.1', '-p', String(port), '--tls', '--tlscert', cert.cert, '--tlskey', cert.key];
  const [file, rest] = pinned(cpu, argv);
  const child = spawn(file, rest, { cwd: ROOT, stdio: 'ignore', detached: true, env: { ...process.env, GOMAXPROCS: '1' } });
  for (let i = 0; i < 300; i++) {
    if (await probe(port)) return child;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`${argv.join(' ')} did not start`);
}

/**
 * One timed run: n messages of `size` bytes through one publisher to one
 * subscriber; resolves { rate (msgs/s), serverCpu, genCpu (share of one core) }.
 */
async function run(port, ca, size, n, serverPid) {
  const msgLen = `MSG s 1 ${size}\r\n`.length + size + 2;
  let bytes = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  let received = 0;
  let wake = null;
  const sub = await openTls(port, ca, 'SUB s 1\r\n', (d) => {
    bytes += d.length;
    received = Math.floor(bytes / msgLen);
    if (wake && received >= wake.at) {
      const w = wake;
      wake = null;
      w.fn();
    }
    if (received >= n) done(performance.now());
  });
  const pub = await openTls(port, ca, '', () => {});
  const one = Buffer.concat([Buffer.from(`PUB s ${size}\r\n`), Buffer.alloc(size, 97), Buffer.from('\r\n')]);
  const batch = Buffer.concat(Array(BATCH).fill(one));
  const t0 = performance.now();
  const cpu0 = cpuSeconds(serverPid);
  const gen0 = process.cpuUsage();
  for (let sent = 0; sent < n; sent += BATCH) {
    if (sent - received > WINDOW) await new Promise((fn) => (wake = { at: sent - WINDOW / 2, fn }));
    if (!pub.write(sent + BATCH <= n ? batch : batch.subarray(0, (n - sent) * one.length))) await new Promise((r) => pub.once('drain', r));
  }
  const t1 = await finished;
  const secs = (t1 - t0) / 1000;
  const serverCpu = (cpuSeconds(serverPid) - cpu0) / secs;
  const g = process.cpuUsage(gen0);
  pub.destroy();
  sub.destroy();
  return { rate: n / secs, serverCpu, genCpu: (g.user + g.system) / 1e6 / secs };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Run the TLS scenarios with these command-line arguments; resolves the exit code. */
export async function runTlsBench(argv) {
  const o = args(argv);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnats-tlsbench-'));
  const cert = makeCert(dir);
  const ca = fs.readFileSync(cert.cert);
  const servers = [
    ['go', ['nats-server']],
    ['tsnats', [process.execPath, path.join(ROOT, 'bin/tsnats.js')]],
  ];
  const chosen = SCENARIOS.filter(([name]) => !o.scenarios || o.scenarios.split(',').includes(name));
  let port = o.port;
  const rows = [];
  try {
    execFileSync('taskset', ['-cp', o.benchCpu, String(process.pid)], { stdio: 'ignore' });
  } catch {
    /* no taskset: unpinned */
  }
  try {
    for (const [name, size, fullN] of chosen) {
      const n = o.quick ? Math.floor(fullN / 10) : fullN;
      const results = { go: [], tsnats: [] };
      for (let round = 0; round < o.rounds; round++) {
        for (const [label, cmd] of servers) {
          const p = port++;
          const child = await startServer(cmd, p, cert, o.serverCpu);
          try {
            results[label].push(await run(p, ca, size, n, child.pid));
          } finally {
            child.kill('SIGKILL');
            await new Promise((r) => child.once('exit', r));
          }
        }
      }
      const go = median(results.go.map((r) => r.rate));
      const ts = median(results.tsnats.map((r) => r.rate));
      const pct = (xs, k) => `${Math.round(median(xs.map((r) => r[k])) * 100)}%`;
      rows.push({ name, n, go: Math.round(go), tsnats: Math.round(ts), ratio: Number((ts / go).toFixed(2)) });
      console.log(
        `${name.padEnd(14)} n=${String(n).padStart(8)}  go ${Math.round(go).toString().padStart(9)} msgs/s  tsnats ${Math.round(ts).toString().padStart(9)} msgs/s  tsnats/go ${(ts / go).toFixed(2)}` +
          `  server cpu go ${pct(results.go, 'serverCpu')} tsnats ${pct(results.tsnats, 'serverCpu')}  gen cpu go ${pct(results.go, 'genCpu')} tsnats ${pct(results.tsnats, 'genCpu')}`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows.length > 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runTlsBench(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`bench/tls.js: ${e.stack || e}`);
      process.exit(1);
    },
  );
}
