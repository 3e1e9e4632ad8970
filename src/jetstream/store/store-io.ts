// The file-system calls through which a FileStore writes, as one replaceable
// object: tests inject failing writes (ENOSPC, EIO) here, since permission
// tricks do not work as root. Reads go straight to node:fs.

import * as fs from "node:fs";

export interface StoreIo {
  openSync(file: string, flags: string): number;
  closeSync(fd: number): void;
  writeSync(fd: number, buf: Buffer, off: number, len: number, pos: number): number;
  ftruncateSync(fd: number, len: number): void;
  fsyncSync(fd: number): void;
  fsync(fd: number, done: (err: NodeJS.ErrnoException | null) => void): void;
  writeFileSync(file: string, data: Buffer): void;
}

export const nodeIo: StoreIo = {
  openSync: (file, flags) => fs.openSync(file, flags),
  closeSync: (fd) => fs.closeSync(fd),
  writeSync: (fd, buf, off, len, pos) => fs.writeSync(fd, buf, off, len, pos),
  ftruncateSync: (fd, len) => fs.ftruncateSync(fd, len),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  fsync: (fd, done) => fs.fsync(fd, done),
  writeFileSync: (file, data) => fs.writeFileSync(file, data),
};

export function withIo(overrides: Partial<StoreIo> | undefined): StoreIo {
  return overrides ? { ...nodeIo, ...overrides } : nodeIo;
}

/** Writes buf[off, off+len) at pos completely (writeSync may write less than asked). */
export function writeFully(io: StoreIo, fd: number, buf: Buffer, off: number, len: number, pos: number): void {
  while (len > 0) {
    const n = io.writeSync(fd, buf, off, len, pos);
    if (n <= 0) throw Object.assign(new Error("short write"), { code: "EIO" });
    off += n;
    len -= n;
    pos += n;
  }
}

export function errnoOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" ? code : "EIO";
}
