// Where a FileStore keeps what: <storeDir>/jetstream/<account>/streams/<stream>/
// with msgs/<n>.blk and <n>.idx, meta.A / meta.B, and obs/<consumer>/.
// Names are made file-system safe by %-escaping everything but letters,
// digits, '_', '-' and '='; listing decodes them back.

import * as fs from "node:fs";
import * as path from "node:path";

export function encodeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_\-=]/g, (ch) =>
    [...Buffer.from(ch)].map((b) => "%" + b.toString(16).toUpperCase().padStart(2, "0")).join(""),
  );
}

export function decodeName(file: string): string | null {
  try {
    return decodeURIComponent(file);
  } catch {
    return null;
  }
}

export function accountDir(storeDir: string, account: string): string {
  return path.join(storeDir, "jetstream", encodeName(account));
}

export function streamDir(storeDir: string, account: string, stream: string): string {
  return path.join(accountDir(storeDir, account), "streams", encodeName(stream));
}

function listDirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
}

/** Accounts that have a JetStream directory in storeDir. */
export function listAccountNames(storeDir: string): string[] {
  return listDirs(path.join(storeDir, "jetstream"))
    .map(decodeName)
    .filter((n): n is string => n !== null);
}

/** Streams of an account in storeDir (those with a msgs directory). */
export function listStreamNames(storeDir: string, account: string): string[] {
  const dir = path.join(accountDir(storeDir, account), "streams");
  return listDirs(dir)
    .filter((d) => fs.existsSync(path.join(dir, d, "msgs")))
    .map(decodeName)
    .filter((n): n is string => n !== null)
    .sort();
}

/** Consumers with a directory under a stream's obs/. */
export function listConsumerDirs(streamPath: string): { name: string; dir: string }[] {
  const obs = path.join(streamPath, "obs");
  const out: { name: string; dir: string }[] = [];
  for (const d of listDirs(obs)) {
    const name = decodeName(d);
    if (name !== null) out.push({ name, dir: path.join(obs, d) });
  }
  return out;
}
