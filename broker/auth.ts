import { timingSafeEqual } from "node:crypto";
import type { AedesOptions, Client } from "aedes";
import type { TokenBuckets } from "./rate-limit.ts";
import { commandTopic, deviceTopic, INGEST_TOPIC_FILTERS } from "./topics.ts";

type AuthenticateHandler = NonNullable<AedesOptions["authenticate"]>;
type AuthorizePublishHandler = NonNullable<AedesOptions["authorizePublish"]>;
type AuthorizeSubscribeHandler = NonNullable<AedesOptions["authorizeSubscribe"]>;

/** What the broker hands each accepted PUBLISH to; it calls back once the message is on disk. */
export interface MessageSink {
  accept(
    message: { clientId: string | null; topic: string; payload: Buffer },
    done: (error: Error | null) => void,
  ): void;
}

/**
 * The platform's ingest, when it runs outside the broker (a broker cluster): one service account
 * that may subscribe to every device's data topics and publish nothing.
 */
export interface IngestAccount {
  username: string;
  password: string;
}

/** Who a connection is, once its CONNECT carried valid device credentials. */
export interface DeviceIdentity {
  deviceId: string;
  siteCode: string;
  kind: "rfid" | "shelf" | "env";
}

export interface DeviceAuthenticator {
  authenticate(
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<{ ok: true; device: DeviceIdentity } | { ok: false; reason: string }>;
}

export interface BrokerSecurityLog {
  warn(details: Record<string, unknown>, message: string): void;
}

const SYS_PREFIX = "$SYS/";

/** CONNACK return code 4 (MQTT 3.1.1): bad user name or password. */
class BadCredentials extends Error {
  readonly returnCode = 4;
}

/** CONNACK return code 3: server unavailable (here: at its connection limit). */
class ServerFull extends Error {
  readonly returnCode = 3;
}

/**
 * The broker's security: every connection authenticates as one registered, enabled device; it may
 * publish only to its own data topic and its own status topic, and subscribe only to its own command
 * topic. A refused publish closes the connection without a PUBACK, so nothing of it is stored.
 */
export class BrokerGuard {
  readonly #identities = new WeakMap<Client, DeviceIdentity & { topics: ReadonlySet<string> }>();
  /** Connections of the ingest service account. */
  readonly #ingest = new WeakSet<Client>();

  constructor(
    private readonly auth: DeviceAuthenticator,
    private readonly sink: MessageSink,
    private readonly log: BrokerSecurityLog,
    private readonly limits: {
      maxConnections: number;
      connected: () => number;
      /** Per-device message rate; null: unlimited. */
      rate: TokenBuckets | null;
      ingestAccount?: IngestAccount | null;
    },
  ) {}

  #isIngestAccount(username: string | undefined, password: Buffer | undefined): boolean {
    const account = this.limits.ingestAccount;
    if (!account || username !== account.username || !password) return false;
    const expected = Buffer.from(account.password);
    return password.length === expected.length && timingSafeEqual(password, expected);
  }

  identity(client: Client): DeviceIdentity | undefined {
    return this.#identities.get(client);
  }

  readonly authenticate: AuthenticateHandler = (client, username, password, callback) => {
    // Checked before the (deliberately slow) secret check, so a flood costs no hashing.
    if (this.limits.connected() >= this.limits.maxConnections) {
      this.log.warn({ max: this.limits.maxConnections }, "MQTT connection refused: too many connections");
      callback(new ServerFull("too many connections"), false);
      return;
    }
    if (this.#isIngestAccount(username, password)) {
      this.#ingest.add(client);
      callback(null, true);
      return;
    }
    this.auth.authenticate(username, password).then(
      (result) => {
        if (result.ok) {
          // Its two topics, built once per connection rather than on every message.
          const { siteCode, kind, deviceId } = result.device;
          const topics = new Set([
            deviceTopic(siteCode, kind, deviceId),
            deviceTopic(siteCode, "status", deviceId),
          ]);
          this.#identities.set(client, { ...result.device, topics });
          callback(null, true);
        } else {
          this.log.warn({ clientId: client.id, reason: result.reason }, "MQTT connection refused");
          callback(new BadCredentials("bad user name or password"), false);
        }
      },
      (error: unknown) => {
        this.log.warn({ clientId: client.id, err: error }, "MQTT authentication failed");
        callback(new BadCredentials("authentication failed"), false);
      },
    );
  };

  /**
   * aedes calls this before it sends the QoS 1 PUBACK, so the message is journaled (or dead-lettered
   * with its reason) before the device hears that it was received. An error here closes the client's
   * connection without an acknowledgement ([MQTT-3.3.5-2]).
   */
  readonly authorizePublish: AuthorizePublishHandler = (client, packet, callback) => {
    // Clients may not publish into the broker's own $SYS tree (aedes issue 597: a DoS vector).
    if (packet.topic.startsWith(SYS_PREFIX)) {
      callback(new Error(`${SYS_PREFIX} topics are reserved`));
      return;
    }
    const device = client ? this.#identities.get(client) : undefined;
    if (client && !device) {
      callback(
        new Error(this.#ingest.has(client) ? "the ingest account publishes nothing" : "not authenticated"),
      );
      return;
    }
    if (device && !device.topics.has(packet.topic)) {
      this.log.warn(
        { deviceId: device.deviceId, topic: packet.topic.slice(0, 200) },
        "publish refused: not the device's own topic",
      );
      callback(new Error(`device ${device.deviceId} may not publish to this topic`));
      return;
    }
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    const accept = () =>
      this.sink.accept({ clientId: client?.id ?? null, topic: packet.topic, payload }, callback);
    // Too fast for its rate: the message waits for its token (and the device for its PUBACK).
    const wait = device && this.limits.rate ? this.limits.rate.take(device.deviceId, Date.now()) : 0;
    if (wait > 0) setTimeout(accept, wait);
    else accept();
  };

  /**
   * A device: only its own command topic. The ingest account: the device data filters, plain and
   * as members pass them on (stamped with their receipt time). Anything else gets a failure
   * SUBACK (0x80).
   */
  readonly authorizeSubscribe: AuthorizeSubscribeHandler = (client, subscription, callback) => {
    if (client && this.#ingest.has(client)) {
      callback(null, INGEST_TOPIC_FILTERS.includes(subscription.topic) ? subscription : null);
      return;
    }
    const device = client ? this.#identities.get(client) : undefined;
    if (
      subscription.topic.startsWith(SYS_PREFIX) ||
      !device ||
      subscription.topic !== commandTopic(device.siteCode, device.deviceId)
    ) {
      callback(null, null);
      return;
    }
    callback(null, subscription);
  };
}
