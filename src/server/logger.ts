// Logger: nats-server's log output. Lines `[pid] YYYY/MM/DD HH:MM:SS.uuuuuu
// [INF] msg` to stderr (labels coloured on a terminal) or to a log file with
// size rotation and retention; or messages to the local or a remote syslog.
// The sink is chosen as nats-server chooses it: log file, else remote syslog,
// else local syslog, else stderr. It formats and writes; it does not decide
// what is worth logging.

import { closeSync, fstatSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { goQuote } from "../go-format/quote.js";
import { LocalSyslog, RemoteSyslog, Severity, SyslogError, type SeverityValue, type SyslogWriter } from "./syslog.js";

export interface LoggerSettings {
  debug: boolean;
  trace: boolean;
  logtime: boolean;
  logtimeUTC: boolean;
  logFile: string;
  logSizeLimit: number;
  logFileMaxNum: number;
  syslog: boolean;
  remoteSyslog: string;
  quiet: boolean;
}

type Level = "INF" | "WRN" | "ERR" | "FTL" | "DBG" | "TRC";

const SEVERITY: Record<Level, SeverityValue> = {
  INF: Severity.notice,
  WRN: Severity.warning,
  ERR: Severity.err,
  FTL: Severity.crit,
  DBG: Severity.debug,
  TRC: Severity.notice,
};

const COLORS: Record<Level, string> = { INF: "32", DBG: "36", WRN: "0;93", ERR: "31", FTL: "31", TRC: "33" };

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

// Wall clock with microseconds: Date.now() for the time, performance.now()
// for the fraction, re-anchored whenever the two drift apart by a millisecond.
let anchorWall = Date.now();
let anchorPerf = performance.now();

/** Current time in microseconds since the epoch. */
function nowMicros(): number {
  const wall = Date.now();
  let ms = anchorWall + (performance.now() - anchorPerf);
  if (Math.abs(ms - wall) >= 1) {
    anchorWall = wall;
    anchorPerf = performance.now();
    ms = wall;
  }
  return Math.floor(ms * 1000);
}

/** `2006/01/02 15:04:05.000000 ` as Go's log package writes it (LstdFlags|Lmicroseconds). */
function logTimestamp(utc: boolean, micros = nowMicros()): string {
  const d = new Date(Math.floor(micros / 1000));
  const y = utc ? d.getUTCFullYear() : d.getFullYear();
  const mo = (utc ? d.getUTCMonth() : d.getMonth()) + 1;
  const da = utc ? d.getUTCDate() : d.getDate();
  const h = utc ? d.getUTCHours() : d.getHours();
  const mi = utc ? d.getUTCMinutes() : d.getMinutes();
  const s = utc ? d.getUTCSeconds() : d.getSeconds();
  return `${y}/${pad(mo)}/${pad(da)} ${pad(h)}:${pad(mi)}:${pad(s)}.${pad(micros % 1_000_000, 6)} `;
}

/** The program name used as syslog tag and in file names (the script run, without .js). */
export function programName(): string {
  const script = process.argv[1] ? basename(process.argv[1]) : "tsnats";
  return script.replace(/\.(c|m)?js$/, "") || "tsnats";
}

/** Where formatted lines go. */
interface Sink {
  write(level: Level, msg: string): void;
  close(): void;
}

class StderrSink implements Sink {
  private readonly colors = process.stderr.isTTY === true;
  constructor(private readonly s: LoggerSettings) {}
  write(level: Level, msg: string): void {
    const label = this.colors ? `[\x1b[${COLORS[level]}m${level}\x1b[0m] ` : `[${level}] `;
    const time = this.s.logtime ? logTimestamp(this.s.logtimeUTC) : "";
    process.stderr.write(`[${process.pid}] ${time}${label}${msg}\n`);
  }
  close(): void {}
}

/**
 * A log file opened for appending. With a size limit, a write that takes the
 * file past it moves the file aside as `FILE.YYYY.MM.DD.HH.MM.SS.nnnnnnnnn`,
 * starts a new one with a note of the backup, and keeps at most
 * logFileMaxNum files (current plus backups).
 */
class FileSink implements Sink {
  private fd: number;
  private out: number;

  constructor(private readonly s: LoggerSettings) {
    try {
      this.fd = openSync(s.logFile, "a", 0o660);
    } catch (e) {
      throw new LogSetupError(`error opening file: ${goFsError("open", s.logFile, e)}`);
    }
    this.out = fstatSync(this.fd).size;
  }

  /** Applied after opening, as nats-server does: an oversized file rotates on the next line. */
  checkLimit(log: (msg: string) => void): void {
    if (this.s.logSizeLimit > 0 && this.out > this.s.logSizeLimit) log("Rotating logfile...");
  }

  private line(level: Level, msg: string, eol: string): string {
    const time = this.s.logtime ? logTimestamp(this.s.logtimeUTC) : "";
    return `[${process.pid}] ${time}[${level}] ${msg}${eol}`;
  }

  write(level: Level, msg: string): void {
    if (this.fd < 0) return;
    const text = this.line(level, msg, "\n");
    this.out += writeSync(this.fd, text);
    if (this.s.logSizeLimit > 0 && this.out > this.s.logSizeLimit) this.rotate();
  }

  private rotate(): void {
    const file = this.s.logFile;
    closeSync(this.fd);
    const us = nowMicros();
    const d = new Date(Math.floor(us / 1000));
    const nanos = pad((us % 1_000_000) * 1000 + Math.floor(Math.random() * 1000), 9);
    const bak = `${file}.${d.getFullYear()}.${pad(d.getMonth() + 1)}.${pad(d.getDate())}.${pad(d.getHours())}.${pad(d.getMinutes())}.${pad(d.getSeconds())}.${nanos}`;
    try {
      renameSync(file, bak);
    } catch {
      // Go ignores a failed rename and keeps writing to the file it reopens.
    }
    this.fd = openSync(file, "a", 0o660);
    // Go writes this one line directly, ending in CRLF.
    this.out = writeSync(this.fd, this.line("INF", `Rotated log, backup saved as ${goQuote(bak)}`, "\r\n"));
    if (this.s.logFileMaxNum > 0) this.purge(file);
  }

  /** Remove the oldest backups so that at most logFileMaxNum - 1 remain. */
  private purge(file: string): void {
    const dir = dirname(file);
    const base = basename(file);
    const stamp = /^\d{4}\.\d{2}\.\d{2}\.\d{2}\.\d{2}\.\d{2}\.\d{1,9}$/;
    let backups: string[];
    try {
      backups = readdirSync(dir)
        .filter((n) => n.startsWith(base + ".") && stamp.test(n.slice(base.length + 1)))
        .sort();
    } catch (e) {
      this.direct("ERR", `Unable to read directory ${goQuote(dir)} for log purge (${(e as Error).message}), will attempt next rotation`);
      return;
    }
    const excess = backups.length - (this.s.logFileMaxNum - 1);
    for (let i = 0; i < excess; i++) {
      try {
        unlinkSync(join(dir, backups[i]));
      } catch (e) {
        this.direct("ERR", `Unable to remove backup log file ${goQuote(backups[i])} (${(e as Error).message}), will attempt next rotation`);
        return;
      }
      this.direct("INF", `Purged log file ${goQuote(backups[i])}`);
    }
  }

  private direct(level: Level, msg: string): void {
    this.out += writeSync(this.fd, this.line(level, msg, "\r\n"));
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

class SyslogSink implements Sink {
  constructor(private readonly w: SyslogWriter) {}
  write(level: Level, msg: string): void {
    this.w.write(SEVERITY[level], msg);
  }
  close(): void {
    this.w.close();
  }
}

/** The log output could not be set up; the message is nats-server's fatal text. */
export class LogSetupError extends Error {}

/** A Node fs error as Go's os package words it: `open PATH: no such file or directory`. */
export function goFsError(op: string, path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  const reason =
    code === "ENOENT"
      ? "no such file or directory"
      : code === "EACCES"
        ? "permission denied"
        : code === "EISDIR"
          ? "is a directory"
          : code === "ENOTDIR"
            ? "not a directory"
            : code === "EROFS"
              ? "read-only file system"
              : ((e as Error)?.message ?? String(e));
  return `${op} ${path}: ${reason}`;
}

/** Go's log.Fatalf on the standard logger: a dated line on stderr, exit status 1. */
export function fatalExit(msg: string): never {
  const d = new Date();
  process.stderr.write(`${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${msg}\n`);
  process.exit(1);
}

export class Logger {
  private sink: Sink | null = null;
  private settings: LoggerSettings;
  debugEnabled: boolean;
  traceEnabled: boolean;

  /** Throws LogSetupError when the log file cannot be opened or the syslog reached. */
  constructor(settings: LoggerSettings) {
    this.settings = loggerSettingsOf(settings);
    this.debugEnabled = settings.debug;
    this.traceEnabled = settings.trace;
    this.build();
  }

  /**
   * Replace the output with one for new settings (reload), as nats-server
   * rebuilds its logger; like nats-server, exits if the new one cannot be set up.
   */
  configure(settings: LoggerSettings): void {
    this.settings = loggerSettingsOf(settings);
    this.debugEnabled = settings.debug;
    this.traceEnabled = settings.trace;
    this.sink?.close();
    this.sink = null;
    this.buildOrExit();
  }

  /** SIGUSR1: reopen the log file (after an outside tool moved it). */
  reopen(): void {
    if (!this.settings.logFile) {
      this.notice("File log re-open ignored, not a file logger");
      return;
    }
    this.sink?.close();
    this.sink = null;
    this.buildOrExit();
    this.notice("File log re-opened");
  }

  close(): void {
    this.sink?.close();
    this.sink = null;
  }

  private buildOrExit(): void {
    try {
      this.build();
    } catch (e) {
      if (!(e instanceof LogSetupError)) throw e;
      fatalExit(e.message);
    }
  }

  private build(): void {
    const s = this.settings;
    if (s.quiet) return;
    // A syslog connection that fails later ends the process, as Go's dial failure does.
    const onFailure = (e: SyslogError) => fatalExit(e.message);
    try {
      if (s.logFile) {
        const f = new FileSink(s);
        this.sink = f;
        f.checkLimit((m) => this.notice(m));
      } else if (s.remoteSyslog) {
        this.sink = new SyslogSink(new RemoteSyslog(s.remoteSyslog, programName(), onFailure));
      } else if (s.syslog) {
        this.sink = new SyslogSink(new LocalSyslog(programName(), onFailure));
      } else {
        this.sink = new StderrSink(s);
      }
    } catch (e) {
      if (e instanceof SyslogError) throw new LogSetupError(e.message);
      throw e;
    }
  }

  notice(msg: string): void {
    this.sink?.write("INF", msg);
  }
  warn(msg: string): void {
    this.sink?.write("WRN", msg);
  }
  error(msg: string): void {
    this.sink?.write("ERR", msg);
  }
  fatal(msg: string): void {
    this.sink?.write("FTL", msg);
  }
  debug(msg: string): void {
    if (this.debugEnabled) this.sink?.write("DBG", msg);
  }
  trace(msg: string): void {
    if (this.traceEnabled) this.sink?.write("TRC", msg);
  }
}

/** A snapshot of the logger's own fields (callers pass the whole Options): sinks keep the settings they were built with until configure(). */
function loggerSettingsOf(o: LoggerSettings): LoggerSettings {
  return {
    debug: o.debug,
    trace: o.trace,
    logtime: o.logtime,
    logtimeUTC: o.logtimeUTC,
    logFile: o.logFile,
    logSizeLimit: o.logSizeLimit,
    logFileMaxNum: o.logFileMaxNum,
    syslog: o.syslog,
    remoteSyslog: o.remoteSyslog,
    quiet: o.quiet,
  };
}
