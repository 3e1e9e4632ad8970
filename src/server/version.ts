// Version constants. SERVER_VERSION is the nats-server release whose
// behaviour tsnats implements: clients gate features on it, so raise it only
// when the features of that release have landed.

export const SERVER_VERSION = "2.10.0";
export const TSNATS_VERSION = "0.1.0";
export const PROTOCOL_VERSION = 1;
/** The `go` field of INFO and /varz, where the Go server reports its runtime: ours is Node. */
export const RUNTIME_VERSION = `node${process.version.slice(1)}`;
