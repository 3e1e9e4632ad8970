// Snapshots shared by several endpoints: the server's accounts, subscription
// index statistics in Go's SublistStats shape, and process CPU / memory.

import { availableParallelism } from "node:os";
import type { Account } from "../accounts/account.js";
import type { Server } from "../server/server.js";

/** Every account of the server ($G, the configured ones, the system account). */
export function accountsOf(server: Server): Account[] {
  return server.accounts.list();
}

export function findAccount(server: Server, name: string): Account | undefined {
  return accountsOf(server).find((a) => a.name === name);
}

export interface SublistStatsJson {
  num_subscriptions: number;
  num_cache: number;
  num_inserts: number;
  num_removes: number;
  num_matches: number;
  cache_hit_rate: number;
  max_fanout: number;
  avg_fanout: number;
}

/** Sublist statistics summed over `accounts` (fan-out averaged over all cache entries). */
export function sublistStats(accounts: Iterable<Account>): SublistStatsJson {
  const out: SublistStatsJson = { num_subscriptions: 0, num_cache: 0, num_inserts: 0, num_removes: 0, num_matches: 0, cache_hit_rate: 0, max_fanout: 0, avg_fanout: 0 };
  let hits = 0;
  let totalFanout = 0;
  for (const a of accounts) {
    const s = a.sublist.stats();
    out.num_subscriptions += s.numSubs;
    out.num_cache += s.numCache;
    out.num_inserts += s.numInserts;
    out.num_removes += s.numRemoves;
    out.num_matches += s.numMatches;
    out.max_fanout = Math.max(out.max_fanout, s.maxFanout);
    hits += s.cacheHits;
    totalFanout += s.avgFanout * s.numCache;
  }
  if (out.num_matches > 0) out.cache_hit_rate = hits / out.num_matches;
  if (totalFanout > 0) out.avg_fanout = totalFanout / out.num_cache;
  return out;
}

/** Subscriptions across all accounts. */
export function subscriptionCount(server: Server): number {
  let n = 0;
  for (const a of accountsOf(server)) n += a.sublist.size;
  return n;
}

// Process CPU is sampled over windows of at least a second, like Go's pse
// package, so that frequent polling still reports a meaningful percentage.
let lastSampleAt = performance.now();
let lastCpu = process.cpuUsage();
let cpuPercent = 0;

export interface ProcessUsage {
  /** Percent of one core, one decimal. */
  cpu: number;
  /** Resident set size, bytes. */
  mem: number;
  cores: number;
}

export function processUsage(): ProcessUsage {
  const now = performance.now();
  const elapsedMs = now - lastSampleAt;
  if (elapsedMs >= 1000) {
    const cpu = process.cpuUsage();
    const usedMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    cpuPercent = Math.round((usedMs / elapsedMs) * 1000) / 10;
    lastCpu = cpu;
    lastSampleAt = now;
  }
  return { cpu: cpuPercent, mem: process.memoryUsage.rss(), cores: availableParallelism() };
}
