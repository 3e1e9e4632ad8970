// bench/procfs.js - reads a server's CPU time and memory from /proc (Linux only).
// Owns: CPU seconds (utime+stime) of a PID plus every process in the process
// group it leads (covers wrapper scripts), and VmRSS / VmHWM in KiB.
import fs from 'node:fs';

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux x86_64/arm64

/** @returns {{pgrp:number, ticks:number}|null} */
function statOf(pid) {
  let s;
  try {
    s = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  const r = s.lastIndexOf(')');
  if (r < 0) return null;
  // fields after ')': state(3) ppid(4) pgrp(5) ... utime(14) stime(15)
  const f = s.slice(r + 2).split(' ');
  return { pgrp: Number(f[2]), ticks: Number(f[11]) + Number(f[12]) };
}

/** PIDs of pid and of all processes in the group pid leads (if it leads one). */
export function groupPids(pid) {
  const st = statOf(pid);
  if (!st) return [];
  const pids = [pid];
  if (st.pgrp !== pid) return pids;
  let names = [];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const n of names) {
    const q = Number(n);
    if (!(q > 0) || q === pid) continue;
    const s2 = statOf(q);
    if (s2 && s2.pgrp === pid) pids.push(q);
  }
  return pids;
}

/** CPU seconds (user+sys, all threads) of pid and its process group; -1 if n/a. */
export function cpuSeconds(pid) {
  if (!(pid > 0)) return -1;
  let total = 0;
  let any = false;
  for (const p of groupPids(pid)) {
    const st = statOf(p);
    if (st) {
      total += st.ticks;
      any = true;
    }
  }
  return any ? total / CLK_TCK : -1;
}

/** {rss, hwm} in KiB, summed over pid's process group; null if n/a. */
export function memKiB(pid) {
  if (!(pid > 0)) return null;
  let rss = 0;
  let hwm = 0;
  let any = false;
  for (const p of groupPids(pid)) {
    let s;
    try {
      s = fs.readFileSync(`/proc/${p}/status`, 'latin1');
    } catch {
      continue;
    }
    const m1 = /VmRSS:\s+(\d+)/.exec(s);
    const m2 = /VmHWM:\s+(\d+)/.exec(s);
    if (m1) rss += Number(m1[1]);
    if (m2) hwm += Number(m2[1]);
    any = any || !!(m1 || m2);
  }
  return any ? { rss, hwm } : null;
}

/** CPUs this process may run on, from /proc/self/status (e.g. "1" or "0-1"). */
export function allowedCpus() {
  try {
    const s = fs.readFileSync('/proc/self/status', 'latin1');
    const m = /Cpus_allowed_list:\s*(\S+)/.exec(s);
    return m ? m[1] : '?';
  } catch {
    return '?';
  }
}

/** Soft and hard RLIMIT_NOFILE of this process, from /proc/self/limits. */
export function nofileLimit() {
  try {
    const s = fs.readFileSync('/proc/self/limits', 'latin1');
    const m = /Max open files\s+(\S+)\s+(\S+)/.exec(s);
    if (m) {
      const v = (x) => (x === 'unlimited' ? Infinity : Number(x));
      return { soft: v(m[1]), hard: v(m[2]) };
    }
  } catch {
    /* not Linux */
  }
  return { soft: -1, hard: -1 };
}
