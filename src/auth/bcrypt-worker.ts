// The worker thread that compares bcrypt hashes (see bcrypt-check.ts): one
// comparison per message, answered with its id. Nothing else runs here.

import { parentPort } from "node:worker_threads";
import bcrypt from "bcryptjs";

interface CompareRequest {
  id: number;
  password: string;
  hash: string;
}

parentPort?.on("message", (m: CompareRequest) => {
  let ok = false;
  try {
    ok = bcrypt.compareSync(m.password, m.hash);
  } catch {
    ok = false;
  }
  parentPort!.postMessage({ id: m.id, ok });
});
