// rate_limit_bps of a consumer: a token bucket holding one second's bytes.
// It only computes waits; delivery.ts arms the timer. The rate is passed per
// call, since a config update may change it.

export class ByteRateLimit {
  private tokens = 0;
  private last = 0;

  /** 0 when `size` bytes may go now at `bitsPerSecond` (and takes them), else the ms to wait. */
  wait(bitsPerSecond: number, size: number, now: number): number {
    const perMs = bitsPerSecond / 8 / 1000;
    const burst = Math.max(size, perMs * 1000);
    this.tokens = Math.min(burst, this.tokens + (now - this.last) * perMs);
    this.last = now;
    if (this.tokens >= size) {
      this.tokens -= size;
      return 0;
    }
    return Math.max(1, Math.ceil((size - this.tokens) / perMs));
  }
}
