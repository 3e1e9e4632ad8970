// The consumers layer as a JetStream extension: the CONSUMER.* API routes and
// one StreamConsumers per stream, with the account limits it must respect.

import { registerConsumerApi } from "../api/consumer-api.js";
import type { JetStreamExtension } from "../jetstream.js";
import type { Stream } from "../stream.js";
import { StreamConsumers } from "./stream-consumers.js";

export { StreamConsumers } from "./stream-consumers.js";

export const consumersExtension: JetStreamExtension = {
  registerApi(api) {
    registerConsumerApi(api);
  },
  createStreamConsumers(stream: Stream) {
    const jsa = stream.jsa;
    return new StreamConsumers(stream, {
      maxConsumers: () => jsa.limits.max_consumers,
      maxAckPending: () => jsa.limits.max_ack_pending,
      server: () => ({ maxAckPending: jsa.engine.config.maxAckPending, maxRequestBatch: jsa.engine.config.maxRequestBatch }),
    });
  },
};
