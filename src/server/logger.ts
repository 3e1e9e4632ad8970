// Logger: nats-server's log line format (`[pid] date time.micro [INF] msg`)
// to stderr or a log file, with debug/trace switches. It formats and writes
// lines; it does not decide what is worth logging.

import { appendFileSync, openSync, closeSync, writeSync, statSync, renameSync, readdirSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export interface LoggerSettings {
  debug: boolean;
  trace: boolean;
  logtime: boolean;
  logtimeUTC: boolean;
  logFile: string;
  logSizeLimit: number;
  logFileMaxNum: number;
  quiet: boolean;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export class Logger {
  private fd = -1;
  private written = 0;
  debugEnabled: boolean;
  traceEnabled: boolean;

  constructor(private settings: LoggerSettings) {
    this.debugEnabled = settings.debug;
    this.traceEnabled = settings.trace;
    this.openFile();
  }

  /** Apply new settings (reload); reopens the file if its name changed. */
  configure(settings: LoggerSettings): void {
    const fileChanged = settings.logFile !== this.settings.logFile;
    this.settings = settings;
    this.debugEnabled = settings.debug;
    this.traceEnabled = settings.trace;
    if (fileChanged) this.reopen();
  }

  /** Reopen the log file (SIGUSR1, after an outside tool moved it). */
  reopen(): void {
    this.closeFile();
    this.openFile();
  }

  close(): void {
    this.closeFile();
  }

  notice(msg: string): void {
    this.write("INF", msg);
  }
  warn(msg: string): void {
    this.write("WRN", msg);
  }
  error(msg: string): void {
    this.write("ERR", msg);
  }
  fatal(msg: string): void {
    this.write("FTL", msg);
  }
  debug(msg: string): void {
    if (this.debugEnabled) this.write("DBG", msg);
  }
  trace(msg: string): void {
    if (this.traceEnabled) this.write("TRC", msg);
  }

  private prefix(): string {
    if (!this.settings.logtime) return `[${process.pid}] `;
    const d = new Date();
    const u = this.settings.logtimeUTC;
    const y = u ? d.getUTCFullYear() : d.getFullYear();
    const mo = u ? d.getUTCMonth() + 1 : d.getMonth() + 1;
    const da = u ? d.getUTCDate() : d.getDate();
    const h = u ? d.getUTCHours() : d.getHours();
    const mi = u ? d.getUTCMinutes() : d.getMinutes();
    const s = u ? d.getUTCSeconds() : d.getSeconds();
    const micro = d.getMilliseconds() * 1000 + Math.floor((performance.now() % 1) * 1000);
    return `[${process.pid}] ${y}/${pad(mo)}/${pad(da)} ${pad(h)}:${pad(mi)}:${pad(s)}.${pad(micro, 6)} `;
  }

  private write(level: string, msg: string): void {
    if (this.settings.quiet) return;
    const line = `${this.prefix()}[${level}] ${msg}\n`;
    if (this.fd >= 0) {
      writeSync(this.fd, line);
      this.written += Buffer.byteLength(line);
      if (this.settings.logSizeLimit > 0 && this.written >= this.settings.logSizeLimit) this.rotate();
    } else {
      process.stderr.write(line);
    }
  }

  private openFile(): void {
    if (!this.settings.logFile) return;
    appendFileSync(this.settings.logFile, "");
    this.fd = openSync(this.settings.logFile, "a");
    this.written = statSync(this.settings.logFile).size;
  }

  private closeFile(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  /** Size-limit rotation as nats-server does: move aside with a timestamp, keep at most logFileMaxNum. */
  private rotate(): void {
    const file = this.settings.logFile;
    this.closeFile();
    const d = new Date();
    const stamp = `${d.getFullYear()}.${pad(d.getMonth() + 1)}.${pad(d.getDate())}.${pad(d.getHours())}.${pad(d.getMinutes())}.${pad(d.getSeconds())}.${pad(d.getMilliseconds() * 1000000, 9)}`;
    renameSync(file, `${file}.${stamp}`);
    this.openFile();
    const max = this.settings.logFileMaxNum;
    if (max > 0) {
      const base = basename(file);
      const dir = dirname(file);
      const rotated = readdirSync(dir)
        .filter((f) => f.startsWith(base + "."))
        .sort();
      while (rotated.length > max - 1 && rotated.length > 0) unlinkSync(join(dir, rotated.shift()!));
    }
  }
}
