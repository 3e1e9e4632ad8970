// $JS.API.INFO (the account's usage and limits) and the system-level
// subjects a non-system account gets no answer on, as in Go:
// META.LEADER.STEPDOWN, SERVER.REMOVE, ACCOUNT.*.

import type { ApiDispatcher } from "./dispatcher.js";

const T = "io.nats.jetstream.api.v1.";

export function registerAccountApi(api: ApiDispatcher): void {
  api.register("INFO", `${T}account_info_response`, (req) => req.jsa.stats());
  for (const p of ["META.LEADER.STEPDOWN", "SERVER.REMOVE", "ACCOUNT.>"]) api.register(p, "", () => null);
}
