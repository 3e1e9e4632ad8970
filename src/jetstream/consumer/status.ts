// Status messages a consumer sends to pull requesters and push subscribers,
// byte for byte as the Go server writes them (clients match code and
// description). Header blocks only; no payload.

const PENDING_MSGS = "Nats-Pending-Messages";
const PENDING_BYTES = "Nats-Pending-Bytes";

function block(line: string, extra = ""): Buffer {
  return Buffer.from(`NATS/1.0 ${line}\r\n${extra}\r\n`, "latin1");
}

function withPending(line: string, msgs: number, bytes: number): Buffer {
  return block(line, `${PENDING_MSGS}: ${msgs}\r\n${PENDING_BYTES}: ${bytes}\r\n`);
}

export const STATUS_NO_MESSAGES = block("404 No Messages");
export const STATUS_REQUESTS_PENDING = block("408 Requests Pending");
export const STATUS_PUSH_BASED = block("409 Consumer is push based");
export const STATUS_MAX_WAITING = block("409 Exceeded MaxWaiting");
export const STATUS_CONSUMER_DELETED = block("409 Consumer Deleted");
export const STATUS_FLOW_CONTROL = block("100 FlowControl Request");

export function statusRequestTimeout(msgs: number, bytes: number): Buffer {
  return withPending("408 Request Timeout", msgs, bytes);
}

export function statusMaxBytes(msgs: number, bytes: number): Buffer {
  return withPending("409 Message Size Exceeds MaxBytes", msgs, bytes);
}

export function statusBatchCompleted(msgs: number, bytes: number): Buffer {
  return withPending("409 Batch Completed", msgs, bytes);
}


export function statusBadRequest(text: string): Buffer {
  return block(`400 Bad Request - ${text}`);
}

export function status409(text: string): Buffer {
  return block(`409 ${text}`);
}

/** 100 Idle Heartbeat; stalledOn names the outstanding flow-control reply when delivery waits for it. */
export function statusIdleHeartbeat(lastConsumerSeq: number, lastStreamSeq: number, stalledOn: string): Buffer {
  const stalled = stalledOn !== "" ? `Nats-Consumer-Stalled: ${stalledOn}\r\n` : "";
  return block("100 Idle Heartbeat", `Nats-Last-Consumer: ${lastConsumerSeq}\r\nNats-Last-Stream: ${lastStreamSeq}\r\n${stalled}`);
}

/** The header block of a headers_only delivery: the original headers plus Nats-Msg-Size. */
export function headersOnly(hdr: Buffer | null, size: number): Buffer {
  const line = `Nats-Msg-Size: ${size}\r\n\r\n`;
  if (hdr === null || hdr.length === 0) return Buffer.from(`NATS/1.0\r\n${line}`, "latin1");
  return Buffer.concat([hdr.subarray(0, hdr.length - 2), Buffer.from(line, "latin1")]);
}
