// ServerEvents: what the server tells the layer that publishes system
// events (src/system): clients joining and leaving accounts, failed
// authentication, reloads of the accounts, lame duck mode and shutdown.
// The server calls these without knowing who listens, so server/ never
// imports the system layer (the composition root plugs it in).

import type { Account } from "../accounts/account.js";
import type { ClientConnection } from "./connection.js";

export interface ServerEvents {
  /** The server is listening: timers may start. */
  started(): void;
  /** A connection was registered with `account` (at accept: `$G`; after CONNECT: its own). */
  accountConnsChanged(account: Account): void;
  /** CONNECT accepted and the client bound to its account. */
  clientConnected(conn: ClientConnection): void;
  clientClosed(conn: ClientConnection): void;
  authenticationFailed(conn: ClientConnection): void;
  /** Accounts were rebuilt (reload): the system account may have changed. */
  accountsReloaded(): void;
  lameDuck(): void;
  /** Last words before the connections close. */
  shutdown(): void;
}
