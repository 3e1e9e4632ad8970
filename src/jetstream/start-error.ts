// JetStreamStartError: JetStream could not be enabled. Its own module so the
// command can recognise it without loading the JetStream engine (which is
// loaded only when JetStream is configured).

/** The command logs it as Go's fatal "Can't start JetStream: …". */
export class JetStreamStartError extends Error {}
