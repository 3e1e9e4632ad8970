#!/usr/bin/env node
// bench/run.js - comparison runner: benchmarks tsnats (or any server command)
// against the Go nats-server, scenario by scenario, in alternating rounds.
// Owns: the scenario list, starting/stopping one fresh server per run (pinned
// with taskset, own process group, SIGTERM then SIGKILL), running the load
// generator (bench/loadgen.js, pinned to another core) against it, reading the
// server's peak RSS, and the summary tables / JSON. See bench/README.md.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { probe } from './conn.js';
import { memKiB } from './procfs.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(HERE);
const LOADGEN = path.join(HERE, 'loadgen.js');

// name | loadgen args | n (per publisher; chosen like shared/bench/compare.sh,
// ~2 s per run on the Go server here) | what it measures | optional server
// config file (bench/…, passed to both servers as `-c FILE`)
const SCENARIOS = [
  ['pub16', '--mode pub --size 16 --pubs 1', 12000000, 'publish only, 16 B'],
  ['pub128', '--mode pub --size 128 --pubs 1', 10000000, 'publish only, 128 B'],
  ['pubsub16', '--mode pubsub --size 16 --pubs 1 --subs 1', 4000000, 'pub/sub 1:1, 16 B'],
  ['permpubsub16', '--mode pubsub --size 16 --pubs 1 --subs 1', 4000000, 'pub/sub 1:1, 16 B, permissioned user (compare pubsub16)', 'permissions.conf'],
  ['importpubsub16', '--mode pubsub --size 16 --pubs 1 --subs 1 --pubUser a:a --subUser b:b', 4000000, 'pub/sub 1:1, 16 B, publisher in A, subscriber in B via stream import (compare pubsub16)', 'stream-import.conf'],
  ['pubsub128', '--mode pubsub --size 128 --pubs 1 --subs 1', 3000000, 'pub/sub 1:1, 128 B'],
  ['fanout16x5', '--mode pubsub --size 16 --pubs 1 --subs 5', 2000000, 'fan-out 1:5, 16 B (delivered msgs/s)'],
  ['queue16x5', '--mode queue --size 16 --pubs 1 --subs 5', 4000000, 'queue group, 1 pub : 5 members, 16 B'],
  ['pub16x4', '--mode pub --size 16 --pubs 4', 3000000, 'publish only, 4 publishers, 16 B'],
  ['pubsub1k', '--mode pubsub --size 1024 --pubs 1 --subs 1', 1500000, 'pub/sub 1:1, 1 KiB'],
  ['pubsub64k', '--mode pubsub --size 65536 --pubs 1 --subs 1', 20000, 'pub/sub 1:1, 64 KiB'],
  ['reqrep', '--mode reqrep --size 16', 30000, 'request/reply, sequential round trips'],
  ['idle10k', '--mode idle', 10000, 'idle connections: server RSS per connection'],
  // JetStream (the server gets "-js -sd DIR" with a fresh store directory per run)
  ['jspub16f', '--mode jspub --size 16 --storage file --jswin 256', 300000, 'JetStream async publish, 256 PubAcks in flight, file'],
  ['jspub16m', '--mode jspub --size 16 --storage memory --jswin 256', 400000, 'JetStream async publish, 256 in flight, memory'],
  ['jspub1kf', '--mode jspub --size 1024 --storage file --jswin 256', 150000, 'JetStream async publish, 1 KiB, file'],
  ['jssync16f', '--mode jspub --size 16 --storage file --jswin 1', 20000, 'JetStream one publish at a time (latency), file'],
  ['jskv16f', '--mode kv --size 16 --storage file', 10000, 'KV put then get (direct get), one at a time (latency), file'],
  ['stuck1k', '--mode stuck --size 1024', 200000, 'stuck subscriber cut off: server RSS peak growth, MiB'],
  ['churn', '--mode churn --conc 200', 100000, 'short-lived bad connections: server RSS peak growth, MiB'],
];

const USAGE = `usage: node bench/run.js [--rounds N] [--scenarios a,b] [--quick] [--server 'CMD {PORT}']
       [--baseline 'CMD {PORT}' | --no-baseline] [--json FILE] [--port BASE]
       [--server-cpu N] [--bench-cpu N] [--timeout SEC] [--threads MODE] [--list]
  --rounds N     rounds per scenario, each runs baseline then server (default 3)
  --scenarios    comma-separated subset (see --list)
  --quick        n/10 for every scenario (a smoke test; short runs are noisy)
  --server CMD   server under test (default: node bin/tsnats.js -a 127.0.0.1 -p {PORT});
                 {PORT} (and $PORT) is its port; runs via sh, so quote it as one argument
  --baseline CMD reference server (default: nats-server -a 127.0.0.1 -p {PORT} if on PATH)
  --no-baseline  bench only the server under test
  --json FILE    also write every run and the medians as JSON
  --threads MODE load generator threading: workers (a worker_thread per connection),
                 inline (all in one thread) or auto (default: inline for reqrep only)
  --server-cpu N / --bench-cpu N   cores for taskset (default 0 / 1)
  --timeout SEC  per-run limit of the load generator (default 60)
  --tls          TLS pub/sub throughput instead (bench/tls.js; its options: --rounds, --quick, --scenarios)`;

function parseArgs(argv) {
  const o = {
    rounds: 3,
    scenarios: '',
    quick: false,
    server: '',
    baseline: null,
    noBaseline: false,
    json: '',
    port: 15222,
    serverCpu: '0',
    benchCpu: '1',
    timeout: 60,
    threads: '',
    list: false,
  };
  const flags = { '--quick': 'quick', '--no-baseline': 'noBaseline', '--list': 'list' };
  const vals = {
    '--rounds': 'rounds',
    '--scenarios': 'scenarios',
    '--server': 'server',
    '--baseline': 'baseline',
    '--json': 'json',
    '--port': 'port',
    '--server-cpu': 'serverCpu',
    '--bench-cpu': 'benchCpu',
    '--timeout': 'timeout',
    '--threads': 'threads',
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      v = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (flags[a]) o[flags[a]] = true;
    else if (vals[a]) {
      if (v === undefined) v = argv[++i];
      if (v === undefined) die(`${a} needs a value`);
      o[vals[a]] = typeof o[vals[a]] === 'number' ? Number(v) : v;
    } else die(`unknown option ${a}\n${USAGE}`);
  }
  if (!(o.rounds >= 1) || !(o.timeout > 0) || !(o.port > 0)) die('bad --rounds / --timeout / --port');
  if (o.threads && !['auto', 'workers', 'inline'].includes(o.threads)) die('--threads: auto, workers or inline');
  return o;
}

function die(msg) {
  console.error(`bench/run.js: ${msg}`);
  process.exit(2);
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

function which(cmd) {
  for (const d of (process.env.PATH || '').split(':').concat(['/usr/sbin', '/usr/local/sbin'])) {
    const p = path.join(d || '.', cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

function portFree(port) {
  return new Promise((res) => {
    const s = net.createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

let portSeq = 0;
async function nextPort(base) {
  for (let i = 0; i < 2000; i++) {
    const p = base + (portSeq++ % 1000);
    if (await portFree(p)) return p;
  }
  throw new Error('no free port');
}

let hasTaskset = true;
function pinned(cpu, argv) {
  return hasTaskset ? ['taskset', ['-c', String(cpu), ...argv]] : [argv[0], argv.slice(1)];
}

// ulimit -n raised to the hard limit for servers and the load generator (idle10k)
const SH_PREFIX = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; ';

let current = null; // running server, stopped on exit/signals

async function startServer(cmdTemplate, port, cpu, log) {
  const cmd = cmdTemplate.replaceAll('{PORT}', String(port));
  const fd = fs.openSync(log, 'w');
  fs.writeSync(fd, `# PORT=${port} ${cmd}\n`);
  const [file, args] = pinned(cpu, ['sh', '-c', `${SH_PREFIX}exec ${cmd}`]);
  const child = spawn(file, args, {
    cwd: ROOT,
    detached: true, // own process group: stop the server and anything it forked
    stdio: ['ignore', fd, fd],
    env: { ...process.env, PORT: String(port), GOMAXPROCS: '1' },
  });
  fs.closeSync(fd);
  const srv = { child, pid: child.pid, exited: false, code: null };
  current = srv;
  child.on('exit', (code, sig) => {
    srv.exited = true;
    srv.code = code ?? sig;
  });
  const t0 = Date.now();
  while (Date.now() - t0 < 15000) {
    if (srv.exited) throw new Error(`server exited during startup (${srv.code}); log ${log}:\n${tail(log)}`);
    if (await probe('127.0.0.1', port, 1000)) return srv;
    await sleep(50);
  }
  await stopServer(srv);
  throw new Error(`server did not answer on port ${port} within 15 s; log ${log}`);
}

function tail(file, n = 5) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

function killGroup(srv, sig) {
  try {
    process.kill(-srv.pid, sig);
  } catch {
    try {
      process.kill(srv.pid, sig);
    } catch {
      /* gone */
    }
  }
}

async function stopServer(srv) {
  if (!srv) return;
  if (!srv.exited) {
    killGroup(srv, 'SIGTERM');
    for (let i = 0; i < 100 && !srv.exited; i++) await sleep(50);
    if (!srv.exited) {
      console.error(`  server ${srv.pid} did not exit on SIGTERM within 5 s, sending SIGKILL`);
      killGroup(srv, 'SIGKILL');
      for (let i = 0; i < 40 && !srv.exited; i++) await sleep(50);
    }
  }
  killGroup(srv, 'SIGKILL'); // leftovers in its process group
  if (current === srv) current = null;
}

function runLoadgen(args, cpu, timeoutS, errLog) {
  return new Promise((resolve) => {
    const quoted = [process.execPath, LOADGEN, ...args].map((a) => `'${String(a).replaceAll("'", "'\\''")}'`);
    const [file, argv] = pinned(cpu, ['sh', '-c', `${SH_PREFIX}exec ${quoted.join(' ')}`]);
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), (timeoutS + 15) * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      fs.writeFileSync(errLog, err);
      const line = out.trim().split('\n').pop() || '';
      let res;
      try {
        res = JSON.parse(line);
      } catch {
        res = { ok: false, error: `load generator exit code ${code}, no result${err ? ': ' + err.trim().split('\n').pop() : ''}` };
      }
      resolve(res);
    });
  });
}

const fmtInt = (x) => (x == null || !Number.isFinite(x) ? 'FAIL' : Math.round(x).toLocaleString('en-US'));
const f3 = (x) => (x == null || !Number.isFinite(x) ? 'n/a' : x.toFixed(3));
const mib = (kib) => (kib == null ? 'n/a' : (kib / 1024).toFixed(1));
const pctS = (x) => (x == null ? 'n/a' : `${Math.round(x)}%`);
function median(a) {
  const v = a.filter((x) => x != null && Number.isFinite(x)).sort((x, y) => x - y);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

function runLine(name, round, label, r) {
  if (!r.ok) return `  ${name.padEnd(11)} round ${round} ${label}: FAILED: ${r.error || 'check errors'}${seqNote(r)}`;
  const cpu = `(bench cpu ${r.bench_cpu_pct ?? 'n/a'}%, server cpu ${r.server_cpu_pct ?? 'n/a'}%, peak rss ${mib(r.server_hwm_kib)} MiB)`;
  if (r.mode === 'reqrep' || r.mode === 'kv' || (r.mode === 'jspub' && r.jswin === 1))
    return `  ${name.padEnd(11)} round ${round} ${label}: p50 ${r.p50_us} us  p99 ${r.p99_us} us  ${fmtInt(r.reqs_per_sec)} req/s  ${cpu}`;
  if (r.mode === 'stuck' || r.mode === 'churn')
    return `  ${name.padEnd(11)} round ${round} ${label}: rss idle ${mib(r.server_rss_idle_kib)} -> peak ${mib(r.server_hwm_kib)} -> after ${mib(r.server_rss_after_kib)} MiB (growth ${mib(r.rss_growth_kib)} MiB)${r.mode === 'churn' ? `, ${r.conns_per_sec} conns/s` : ''}`;
  if (r.mode === 'idle')
    return `  ${name.padEnd(11)} round ${round} ${label}: ${r.opened} conns, rss ${mib(r.server_rss_before_kib)} -> ${mib(r.server_rss_after_kib)} MiB = ${r.rss_per_conn_kib} KiB/conn (open ${r.open_seconds} s)${r.limit ? ' [' + r.limit + ']' : ''}`;
  return `  ${name.padEnd(11)} round ${round} ${label}: ${fmtInt(r.msgs_per_sec)} msgs/s in ${Number(r.seconds).toFixed(2)} s  ${cpu}`;
}

function seqNote(r) {
  if (r.lost == null) return '';
  const bad = ['lost', 'out_of_order', 'duplicates', 'extra_msgs', 'size_errors', 'bad_seq'].filter((k) => r[k] > 0);
  return bad.length ? `  [${bad.map((k) => `${k} ${r[k]}`).join(', ')}]` : '';
}

async function main() {
  // TLS pub/sub against Go with the same certificate: its own small generator.
  if (process.argv.includes('--tls')) return (await import('./tls.js')).runTlsBench(process.argv.slice(2));
  const o = parseArgs(process.argv.slice(2));
  if (o.list) {
    for (const [nm, args, n, what] of SCENARIOS) console.log(`  ${nm.padEnd(11)} ${what.padEnd(44)} ${args} --n ${n}`);
    return 0;
  }
  let sel = SCENARIOS;
  if (o.scenarios) {
    const want = o.scenarios.split(',').filter(Boolean);
    for (const w of want) if (!SCENARIOS.some((s) => s[0] === w)) die(`unknown scenario '${w}' (see --list)`);
    sel = SCENARIOS.filter((s) => want.includes(s[0]));
  }
  try {
    execFileSync('taskset', ['-c', o.serverCpu, 'true'], { stdio: 'ignore' });
  } catch {
    hasTaskset = false;
    console.error('bench/run.js: taskset not usable: servers and load generator run unpinned');
  }
  const sides = [];
  if (!o.noBaseline) {
    let base = o.baseline;
    if (base === null) {
      const ns = which('nats-server');
      if (ns) base = `${ns} -a 127.0.0.1 -p {PORT}`;
      else console.error('bench/run.js: nats-server not on PATH: no baseline, no ratios');
    }
    if (base) sides.push({ key: 'A', label: o.baseline ? 'base' : 'go', cmd: base });
  }
  let server = o.server;
  if (!server) {
    if (!fs.existsSync(path.join(ROOT, 'bin', 'tsnats.js'))) die('bin/tsnats.js not found (use --server CMD to bench another command)');
    server = `${process.execPath} bin/tsnats.js -a 127.0.0.1 -p {PORT}`;
  }
  sides.push({ key: 'B', label: o.server ? 'server' : 'tsnats', cmd: server });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnats-bench-'));
  for (const s of sides) console.error(`${s.key} (${s.label}) = ${s.cmd}`);
  console.error(
    `rounds=${o.rounds} quick=${o.quick} server cpu=${o.serverCpu} bench cpu=${o.benchCpu} ` +
      `generator threads=${o.threads || 'auto'} work dir=${work}`,
  );
  const load0 = os.loadavg();
  console.error(`load average at start: ${load0.map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cpus)`);

  const results = {}; // name -> key -> [result per round]
  for (const [name, args, n0, , conf] of sel) {
    const n = o.quick ? Math.max(1, Math.floor(n0 / 10)) : n0;
    results[name] = { args: `${args} --n ${n}`, n };
    for (const s of sides) results[name][s.key] = [];
    for (let round = 1; round <= o.rounds; round++) {
      for (const s of sides) {
        const port = await nextPort(o.port);
        const tag = `${name}.${s.key}.${round}`;
        let r;
        let srv = null;
        try {
          let cmd = conf ? `${s.cmd} -c ${path.join(HERE, conf)}` : s.cmd;
          if (name.startsWith('js')) cmd += ` -js -sd ${fs.mkdtempSync(path.join(work, `${tag}.store-`))}`;
          srv = await startServer(cmd, port, o.serverCpu, path.join(work, `${tag}.server.log`));
          const lgArgs = [...args.split(' '), '--n', n, '--port', port, '--spid', srv.pid, '--timeout', o.timeout];
          if (o.threads) lgArgs.push('--threads', o.threads);
          r = await runLoadgen(lgArgs, o.benchCpu, o.timeout, path.join(work, `${tag}.loadgen.err`));
          const mem = memKiB(srv.pid);
          if (mem) r.server_hwm_kib = mem.hwm;
          if (srv.exited) {
            r.ok = false;
            r.error = `${r.error ? r.error + '; ' : ''}server exited (${srv.code}): ${tail(path.join(work, `${tag}.server.log`), 2)}`;
          }
        } catch (e) {
          r = { ok: false, error: e.message };
        }
        await stopServer(srv);
        results[name][s.key].push(r);
        console.error(runLine(name, round, s.label, r));
        await sleep(200);
      }
    }
  }
  report(o, sides, sel, results, work, load0);
  return 0;
}

/** rows: arrays of cells; first column left-aligned, the others right-aligned */
function table(header, rows) {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

function report(o, sides, sel, results, work, load0) {
  const A = sides.find((s) => s.key === 'A');
  const B = sides.find((s) => s.key === 'B');
  const la = A ? A.label : '';
  const lb = B.label;
  const lines = [];
  const P = (...s) => lines.push(...s);
  const summary = [];
  const get = (name, key, f) => (results[name][key] || []).map((r) => (r.ok ? f(r) : null));
  const ratios = (name, f) =>
    A
      ? results[name].A.map((ra, i) => {
          const rb = results[name].B[i];
          return ra.ok && rb && rb.ok && f(ra) > 0 ? f(rb) / f(ra) : null;
        }).filter((x) => x != null)
      : [];
  const both = (a, b) => (A ? [a, b] : [b]); // baseline columns only with a baseline
  const thr = [];
  const lat = [];
  const idle = [];
  for (const [name] of sel) {
    const R = results[name];
    const ms = (r) => r.msgs_per_sec;
    const entry = { name, args: R.args, n: R.n };
    for (const s of sides) {
      entry[`${s.key}_label`] = s.label;
      entry[`${s.key}_msgs_per_sec_median`] = median(get(name, s.key, ms));
      entry[`${s.key}_peak_rss_kib_median`] = median(get(name, s.key, (r) => r.server_hwm_kib));
      entry[`${s.key}_server_cpu_pct_median`] = median(get(name, s.key, (r) => r.server_cpu_pct));
      entry[`${s.key}_bench_cpu_pct_median`] = median(get(name, s.key, (r) => r.bench_cpu_pct));
      entry[`${s.key}_failed_runs`] = R[s.key].filter((r) => !r.ok).length;
    }
    const rt = ratios(name, ms);
    entry.ratio_median = median(rt);
    entry.ratios = rt;
    const fails = sides.map((s) => entry[`${s.key}_failed_runs`]).reduce((a, b) => a + b, 0);
    const allRuns = sides.flatMap((s) => R[s.key]);
    const checked = allRuns.filter((r) => r.ok && r.seq_checked).length;
    const bad = allRuns.map(seqNote).filter(Boolean);
    const check = fails ? `${fails} failed run(s)` : checked ? `seq ok (${checked} runs)` : 'ok';
    entry.checks = check + (bad.length ? ' ' + bad.join(' ') : '');
    summary.push(entry);
    if (name === 'reqrep' || name === 'jssync16f' || name === 'jskv16f') {
      const e = {};
      for (const s of sides) {
        e[`${s.key}50`] = entry[`${s.key}_p50_us_median`] = median(get(name, s.key, (r) => r.p50_us));
        e[`${s.key}99`] = entry[`${s.key}_p99_us_median`] = median(get(name, s.key, (r) => r.p99_us));
      }
      e.r50 = entry.p50_ratio_median = median(ratios(name, (r) => r.p50_us));
      e.r99 = entry.p99_ratio_median = median(ratios(name, (r) => r.p99_us));
      lat.push([name, ...both(e.A50 ?? 'FAIL', e.B50 ?? 'FAIL'), ...(A ? [f3(e.r50)] : []), ...both(e.A99 ?? 'FAIL', e.B99 ?? 'FAIL'), ...(A ? [f3(e.r99)] : [])]);
    }
    if (name.startsWith('idle')) {
      const e = {};
      for (const s of sides) {
        e[`${s.key}b`] = median(get(name, s.key, (r) => r.server_rss_before_kib));
        e[`${s.key}a`] = median(get(name, s.key, (r) => r.server_rss_after_kib));
        e[`${s.key}p`] = entry[`${s.key}_rss_per_conn_kib_median`] = median(get(name, s.key, (r) => r.rss_per_conn_kib));
      }
      const rr = (entry.rss_per_conn_ratio = median(ratios(name, (r) => r.rss_per_conn_kib)));
      const opened = median(allRuns.map((r) => r.opened));
      const side = (k) => [`${mib(e[k + 'b'])} -> ${mib(e[k + 'a'])}`, e[k + 'p'] ?? 'FAIL'];
      idle.push([name, opened ?? 0, ...(A ? side('A') : []), ...side('B'), ...(A ? [f3(rr)] : []), entry.checks]);
      const limit = allRuns.find((r) => r.limit)?.limit;
      if (limit) entry.limit = limit;
      continue;
    }
    const rng = rt.length ? `${f3(Math.min(...rt))}-${f3(Math.max(...rt))}` : 'n/a';
    thr.push([
      name,
      ...both(fmtInt(entry.A_msgs_per_sec_median), fmtInt(entry.B_msgs_per_sec_median)),
      ...(A ? [f3(entry.ratio_median), rng] : []),
      ...both(mib(entry.A_peak_rss_kib_median), mib(entry.B_peak_rss_kib_median)),
      ...both(pctS(entry.A_server_cpu_pct_median), pctS(entry.B_server_cpu_pct_median)),
      pctS(median([entry.A_bench_cpu_pct_median, entry.B_bench_cpu_pct_median])),
      entry.checks,
    ]);
  }
  const ratioName = A ? `${lb}/${la}` : '';
  if (thr.length) {
    P('');
    P(
      ...table(
        [
          'scenario',
          ...both(`${la} msgs/s`, `${lb} msgs/s`),
          ...(A ? [ratioName, 'min-max'] : []),
          ...both(`${la} rss`, `${lb} rss`),
          ...both(`${la} cpu`, `${lb} cpu`),
          'gen cpu',
          'checks',
        ],
        thr,
      ),
    );
    P('');
    P(`msgs/s: median over ${o.rounds} round(s) (pubsub/fanout/queue: messages delivered to subscribers; reqrep: requests/s).`);
    if (A) P(`${ratioName}: median of the per-round ratios, > 1 means ${lb} is faster; min-max: their range.`);
    P('rss: server peak RSS (VmHWM, MiB); cpu: server CPU over the timed interval (100% = one core);');
    P("gen cpu: the load generator's own CPU; checks: every message delivered once and in order per publisher.");
  }
  if (lat.length) {
    P('');
    P(`request/reply latency in us${A ? ` (ratio < 1 means ${lb} is faster)` : ''}`);
    P(...table(['scenario', ...both(`${la} p50`, `${lb} p50`), ...(A ? ['p50 ratio'] : []), ...both(`${la} p99`, `${lb} p99`), ...(A ? ['p99 ratio'] : [])], lat));
  }
  if (idle.length) {
    P('');
    P(`idle connections: server RSS before -> after opening them (MiB) and growth per connection (KiB)${A ? `; ratio < 1 means ${lb} uses less` : ''}`);
    P(...table(['scenario', 'conns', ...(A ? [`${la} rss`, `${la} KiB/conn`] : []), `${lb} rss`, `${lb} KiB/conn`, ...(A ? ['ratio'] : []), 'checks'], idle));
    for (const e of summary) if (e.limit) P(`${e.name}: limited: ${e.limit}`);
  }
  const load1 = os.loadavg();
  P('');
  P(
    `load average ${load0[0].toFixed(2)} at start, ${load1[0].toFixed(2)} at the end (${os.cpus().length} cpus; ` +
      'the benchmark itself adds up to ~2): other load on the machine makes every number noisier.',
  );
  const text = lines.join('\n');
  console.log(text);
  console.log(`\nraw results and server logs: ${work}`);
  const js = {
    sides: sides.map((s) => ({ key: s.key, label: s.label, cmd: s.cmd })),
    rounds: o.rounds,
    quick: o.quick,
    threads: o.threads || 'auto',
    server_cpu: o.serverCpu,
    bench_cpu: o.benchCpu,
    node: process.version,
    work_dir: work,
    date: new Date().toISOString(),
    loadavg_start: load0,
    loadavg_end: load1,
    scenarios: summary.map((e) => ({ ...e, ...Object.fromEntries(sides.map((s) => [`${s.key}_runs`, results[e.name][s.key]])) })),
  };
  fs.writeFileSync(path.join(work, 'summary.json'), JSON.stringify(js, null, 1));
  fs.writeFileSync(path.join(work, 'table.txt'), text + '\n');
  if (o.json) {
    fs.writeFileSync(o.json, JSON.stringify(js, null, 1));
    console.log(`JSON: ${o.json}`);
  }
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    if (current) await stopServer(current);
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  async (e) => {
    console.error(`bench/run.js: ${e.stack || e}`);
    if (current) await stopServer(current);
    process.exit(1);
  },
);
