// ExtraListener: a listener that runs beside the client listener (HTTP
// monitoring now; websocket, MQTT, cluster ports later). Server starts them
// after the client port is bound and before the ports file is written, and
// closes them at shutdown, without knowing what they serve: subsystems plug
// in here so that server/ never imports the layers above it.

import type { Server } from "./server.js";

export interface ExtraListener {
  /** Key in the ports file (`monitoring`, `websocket`, …). */
  readonly kind: string;
  readonly host: string;
  readonly port: number;
  /** URLs for the ports file. */
  urls(): string[];
  close(): Promise<void>;
  /** A config reload was applied (accounts may have changed). */
  reloaded?(): void;
}

/** Starts a listener for `server`, or resolves null when its options leave it off. */
export type ExtraListenerFactory = (server: Server) => Promise<ExtraListener | null>;

/** A listener that cannot start; the message is the whole fatal log line, as Go words it. */
export class ListenerStartError extends Error {}
