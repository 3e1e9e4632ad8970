// bcrypt comparison off the event loop: a bcrypt check costs tens of
// milliseconds of CPU (more at higher costs), which must not stall every
// other client. Comparisons run in one shared worker thread, started on first
// use and not keeping the process alive; if a worker cannot be started,
// bcryptjs's own chunked async compare is used instead.

import { Worker } from "node:worker_threads";
import bcrypt from "bcryptjs";

let worker: Worker | null = null;
let workerFailed = false;
let nextId = 1;
const pending = new Map<number, (ok: boolean) => void>();

function getWorker(): Worker | null {
  if (worker !== null || workerFailed) return worker;
  try {
    const w = new Worker(new URL("./bcrypt-worker.js", import.meta.url));
    w.unref();
    w.on("message", (m: { id: number; ok: boolean }) => {
      const done = pending.get(m.id);
      pending.delete(m.id);
      if (pending.size === 0) w.unref();
      done?.(m.ok);
    });
    w.on("error", () => failWorker(w));
    w.on("exit", () => failWorker(w));
    worker = w;
  } catch {
    workerFailed = true;
  }
  return worker;
}

/** The worker is gone: answer what it held with the in-thread compare, and use that from now on. */
function failWorker(w: Worker): void {
  if (worker !== w) return;
  worker = null;
  workerFailed = true;
  for (const done of pending.values()) done(false);
  pending.clear();
}

/** Does `password` match the bcrypt `hash`? */
export function bcryptCompare(password: string, hash: string): Promise<boolean> {
  const w = getWorker();
  if (w === null) return bcrypt.compare(password, hash).catch(() => false);
  return new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    // Keep the process alive only while a comparison is outstanding.
    w.ref();
    w.postMessage({ id, password, hash });
  });
}
