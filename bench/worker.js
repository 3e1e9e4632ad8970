// bench/worker.js - worker_thread entry: runs one connection's role (conn.js)
// and relays messages between it and the coordinator (loadgen.js).
import { parentPort, workerData } from 'node:worker_threads';
import { runRole } from './conn.js';

const chan = {
  post: (m) => parentPort.postMessage(m),
  on: (fn) => parentPort.on('message', fn),
};
runRole(workerData, chan).catch((e) => chan.post({ t: 'error', msg: `${workerData.role} ${workerData.idx}: ${e.stack || e}` }));
