// Push flow control as Go's: the bytes in flight to a push consumer's deliver
// subject, a window that starts at 2 MiB and doubles with every answered
// request up to 32 MiB, and the one outstanding "100 FlowControl Request"
// whose reply subject ($JS.FC.<stream>.<consumer>.<id>) the client answers.
// It keeps the numbers only; delivery.ts sends the requests.

const MAX_PENDING = 32 * 1024 * 1024;
const ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export class FlowControlWindow {
  private pending = 0;
  private window = MAX_PENDING / 16;
  /** The outstanding request's reply subject; "" when none is out. */
  id = "";
  /** Bytes in flight when the outstanding request went out (what its answer releases). */
  private covered = 0;

  constructor(private readonly subjectNames: string) {}

  /** Deliveries stop while more than a window is in flight. */
  get full(): boolean {
    return this.pending > this.window;
  }

  /** Counts a delivery (`counted` bytes in flight, `size` of it the message); true when a request should go out now. */
  sent(counted: number, size: number): boolean {
    this.pending += counted;
    if (this.id === "") return this.pending > this.window / 2;
    if (this.pending - this.covered >= this.window) this.covered += size;
    return false;
  }

  /** A new request goes out: its reply subject. */
  newRequest(): string {
    let suffix = "";
    for (let i = 0; i < 4; i++) suffix += ID_ALPHABET[Math.floor(Math.random() * ID_ALPHABET.length)];
    this.id = `$JS.FC.${this.subjectNames}.${suffix}`;
    this.covered = this.pending;
    return this.id;
  }

  /** The client answered on `subject`: true when that was the outstanding request (the window grew). */
  answered(subject: string): boolean {
    if (subject !== this.id) return false;
    if (this.window < MAX_PENDING) this.window = Math.min(this.window * 2, MAX_PENDING);
    this.pending = Math.max(0, this.pending - this.covered);
    this.id = "";
    this.covered = 0;
    return true;
  }
}
