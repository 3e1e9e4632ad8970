// Lame duck mode's client side, as nats-server: connected clients get an INFO
// with `ldm`, the grace period passes, then the clients are closed spread over
// the rest of lame_duck_duration (at most 1s apart). It owns that schedule
// only: it must not touch the listener or run the shutdown itself (Server
// does both, so the order of stop-accepting, close and shutdown stays in one place).

import { ClosedState } from "./close-reason.js";
import type { Server } from "./server.js";

/**
 * Close `server`'s clients on the lame duck schedule. Resolves true when all
 * were closed, false when a shutdown started meanwhile (`shutdownStarted`
 * cuts every wait short).
 */
export async function closeClientsGradually(server: Server, shutdownStarted: Promise<void>): Promise<boolean> {
  const opts = server.opts;
  const grace = Math.abs(opts.lameDuckGracePeriod);
  let dur = opts.lameDuckDuration - grace;
  if (dur <= 0) dur = 1000;
  const clients = [...server.clients.values()];
  // Sleep between closes; below 1ms, close in batches instead.
  let interval = dur / clients.length;
  let batch = 1;
  if (interval < 1) {
    batch = Math.ceil(clients.length / dur);
    interval = 1;
  } else if (interval > 1000) interval = 1000;
  for (const c of clients) {
    // Clients that can take an async INFO (protocol 1, CONNECT seen).
    if (c.connectReceived && c.opts.protocol >= 1) c.sendRaw(server.infoFor(c, false, true));
  }
  server.flushAll();
  const sleep = (ms: number) => lameDuckSleep(server, shutdownStarted, ms);
  if (!(await sleep(grace))) return false;
  server.logger.notice("Closing existing clients");
  for (let i = 0; i < clients.length; i++) {
    clients[i].close(ClosedState.ServerShutdown, true);
    if (i === clients.length - 1) break;
    if (batch === 1 || i % batch === 0) {
      // A random pause of at least half the interval.
      const pause = Math.max(Math.random() * interval, interval / 2);
      if (!(await sleep(pause))) return false;
    }
  }
  return true;
}

/** Sleep during lame duck mode; false when a shutdown started meanwhile. */
function lameDuckSleep(server: Server, shutdownStarted: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(!server.shuttingDown), ms);
    void shutdownStarted.then(() => {
      clearTimeout(t);
      resolve(false);
    });
  });
}
