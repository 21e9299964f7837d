import type { AedesOptions } from "aedes";

type AuthorizePublishHandler = NonNullable<AedesOptions["authorizePublish"]>;
type AuthorizeSubscribeHandler = NonNullable<AedesOptions["authorizeSubscribe"]>;

/** What the broker hands each accepted PUBLISH to; it calls back once the message is on disk. */
export interface MessageSink {
  accept(
    message: { clientId: string | null; topic: string; payload: Buffer },
    done: (error: Error | null) => void,
  ): void;
}

const SYS_PREFIX = "$SYS/";

/**
 * aedes calls this before it sends the QoS 1 PUBACK, so the message is journaled (or dead-lettered
 * with its reason) before the device hears that it was received. An error here closes the client's
 * connection without an acknowledgement ([MQTT-3.3.5-2]).
 */
export function makeAuthorizePublish(sink: MessageSink): AuthorizePublishHandler {
  return (client, packet, callback) => {
    // Clients may not publish into the broker's own $SYS tree (aedes issue 597: a DoS vector).
    if (packet.topic.startsWith(SYS_PREFIX)) {
      callback(new Error(`${SYS_PREFIX} topics are reserved`));
      return;
    }
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    sink.accept({ clientId: client?.id ?? null, topic: packet.topic, payload }, callback);
  };
}

export const authorizeSubscribe: AuthorizeSubscribeHandler = (_client, subscription, callback) => {
  if (subscription.topic.startsWith(SYS_PREFIX)) {
    callback(new Error(`${SYS_PREFIX} topics are reserved`));
    return;
  }
  callback(null, subscription);
};
