// Shared read buffer: plain TCP client sockets read into one reused buffer
// instead of a fresh allocation per read. Node offers this as the `onread`
// option of sockets it creates for you, but net.Server has no way to pass it
// for accepted ones, so the same three socket fields are set here and the
// handle is switched over before any data arrives.
//
// Why: per-read allocations are most of the garbage of a busy server (V8
// runs a scavenge for "external memory pressure" every few megabytes read),
// and a large reused buffer also means fewer, larger reads per turn.
//
// The rule it imposes: a chunk is valid only until the read callback returns,
// because the next read of ANY socket overwrites it. Everything downstream
// already copies what it keeps (parser partials, OutboundBuffer, stores,
// InternalClient handlers, the JetStream API). It must not be used for a
// socket whose stream already holds data (TLS peeking, unshift); callers that
// are not a plain accepted net.Socket fall back to 'data' events.

import { Socket } from "node:net";

/** One read takes at most this much; larger than libuv's 64 KiB default. */
const READ_SIZE = 256 * 1024;

let shared: Buffer | null = null;

/** The socket's private onread fields, found once by their descriptions. */
const fields = (() => {
  const probe = new Socket();
  const byName = (name: string) => Object.getOwnPropertySymbols(probe).find((s) => s.description === name);
  const buffer = byName("kBuffer");
  const callback = byName("kBufferCb");
  const generator = byName("kBufferGen");
  probe.destroy();
  return buffer && callback && generator ? { buffer, callback, generator } : null;
})();

interface UserBufferHandle {
  useUserBuffer(buf: Uint8Array): void;
}

/**
 * Switch `socket` to reads into the shared buffer, each chunk going to
 * `onChunk`. Returns false (and changes nothing) when the socket is not one
 * this can be done for; the caller then listens for 'data'.
 */
export function readIntoSharedBuffer(socket: unknown, onChunk: (chunk: Buffer) => void): boolean {
  if (fields === null || !(socket instanceof Socket) || socket.readableLength !== 0) return false;
  const s = socket as unknown as Record<symbol, unknown> & { _handle?: Partial<UserBufferHandle> | null };
  const handle = s._handle;
  if (!handle || typeof handle.useUserBuffer !== "function" || s[fields.buffer] !== null) return false;
  if (shared === null) shared = Buffer.allocUnsafe(READ_SIZE);
  const buf = shared;
  s[fields.buffer] = buf;
  s[fields.generator] = null;
  s[fields.callback] = (n: number) => {
    onChunk(buf.subarray(0, n));
  };
  handle.useUserBuffer(buf);
  return true;
}
