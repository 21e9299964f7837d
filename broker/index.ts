import net from "node:net";
import tls from "node:tls";
import { Aedes, type AedesOptions, type Client } from "aedes";
import {
  BrokerGuard,
  type BrokerSecurityLog,
  type DeviceAuthenticator,
  type IngestAccount,
  type MessageSink,
} from "./auth.ts";
import { TokenBuckets } from "./rate-limit.ts";
import { memberTopic } from "./topics.ts";

export interface BrokerOptions {
  port: number;
  host: string;
  /**
   * Where each accepted PUBLISH is made durable before its PUBACK: the ingest journal when the
   * platform embeds the broker; null for a cluster member, which routes it (into its Redis
   * persistence and to the other members) before the PUBACK.
   */
  sink: MessageSink | null;
  /** The ingest's service account, when the ingest connects as a client (cluster members). */
  ingestAccount?: IngestAccount | null;
  /** Shared state of a cluster: aedes' emitter and persistence (Redis); default in memory. */
  cluster?: { id: string; mq: AedesOptions["mq"]; persistence: AedesOptions["persistence"] } | null;
  /** Checks each CONNECT's device credentials. */
  auth: DeviceAuthenticator;
  log: BrokerSecurityLog;
  /** Connections beyond this are refused (CONNACK 3, server unavailable). */
  maxConnections: number;
  /** A client that stops reading is disconnected after this long rather than holding others up. */
  drainTimeoutMs: number;
  /** Messages a second one device may send (twice that in a burst); 0: unlimited. */
  deviceMaxMsgsPerS: number;
  /** MQTT over TLS as well, on its own port, when a certificate is configured. */
  tls?: { port: number; cert: Buffer; key: Buffer } | null;
}

export interface RunningBroker {
  aedes: Aedes;
  /** The bound port (useful when 0 was asked for). */
  port: number;
  /** The bound MQTT-over-TLS port, when TLS is configured. */
  tlsPort: number | null;
  connectedClients(): number;
  /** Closes every connection of a device (disabled, or its secret replaced). Returns how many. */
  disconnectDevice(deviceId: string): number;
  close(): Promise<void>;
}

/**
 * An aedes MQTT broker (MQTT 3.1.1 over TCP, optionally TLS): embedded in the platform with the
 * journal as its sink, or a cluster member (`broker/main.ts`). Every connection is an authenticated
 * device, or on a member also the ingest service account.
 */
export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  // A cluster member has no journal: aedes 1.x sends a QoS 1 PUBACK before its publish pipeline
  // runs, so a member killed just after acknowledging would lose the message. Instead the guard
  // runs that pipeline first (offline queues in Redis, then routing to the other members) and
  // acknowledges after it; aedes' own publish that follows is skipped (below). It goes out on the
  // member-only stamped topic, so the platform learns when this member received it (topics.ts).
  const routeThenAck: MessageSink = {
    accept(message, done) {
      aedes.publish(
        {
          cmd: "publish",
          topic: memberTopic(Date.now(), message.topic),
          payload: message.payload,
          qos: 1,
          retain: false,
          dup: false,
        },
        (error) => done(error ?? null),
      );
    },
  };
  const guard = new BrokerGuard(options.auth, options.sink ?? routeThenAck, options.log, {
    maxConnections: options.maxConnections,
    connected: () => aedes.connectedClients,
    rate:
      options.deviceMaxMsgsPerS > 0
        ? new TokenBuckets(options.deviceMaxMsgsPerS, Math.max(1, 2 * options.deviceMaxMsgsPerS))
        : null,
    ingestAccount: options.ingestAccount ?? null,
  });
  const aedes = await Aedes.createBroker({
    ...(options.cluster ?? {}),
    authenticate: guard.authenticate,
    authorizePublish: guard.authorizePublish,
    authorizeSubscribe: guard.authorizeSubscribe,
    drainTimeout: options.drainTimeoutMs,
  });
  // A device's PUBLISH is made durable before its PUBACK, in authorizePublish: journaled (embedded;
  // no one may subscribe to device data here, so routing it would be wasted work, about a tenth
  // of the CPU under ingest) or routed through Redis (cluster member). The publish aedes runs
  // after the PUBACK is skipped; its own publishes ($SYS, wills) and the member's routing go on.
  const route = aedes.publish.bind(aedes) as (packet: unknown, client: unknown, done?: unknown) => void;
  (aedes as unknown as { publish: typeof route }).publish = (packet, client, done) => {
    if (typeof client === "object" && client !== null && guard.identity(client as Client)) {
      if (typeof done === "function") queueMicrotask(() => (done as (error?: Error) => void)());
      return;
    }
    route(packet, client, done);
  };
  const listen = async (server: net.Server, port: number): Promise<number> => {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    return typeof address === "object" && address ? address.port : port;
  };
  const server = net.createServer(aedes.handle);
  const port = await listen(server, options.port);
  const tlsServer = options.tls
    ? tls.createServer({ cert: options.tls.cert, key: options.tls.key, minVersion: "TLSv1.2" }, aedes.handle)
    : null;
  const tlsPort = tlsServer && options.tls ? await listen(tlsServer, options.tls.port) : null;
  return {
    aedes,
    port,
    tlsPort,
    connectedClients: () => aedes.connectedClients,
    disconnectDevice(deviceId) {
      let closed = 0;
      // aedes keeps its connected clients by id; its type definitions leave the map out.
      const clients = (aedes as unknown as { clients: Record<string, Client> }).clients;
      for (const client of Object.values(clients)) {
        if (guard.identity(client)?.deviceId === deviceId) {
          client.close();
          closed += 1;
        }
      }
      return closed;
    },
    async close() {
      // Stop accepting first, then disconnect the clients; messages already handed to the sink
      // are committed by its own close.
      const serverClosed = Promise.all(
        [server, tlsServer].map((s) => (s ? new Promise<void>((resolve) => s.close(() => resolve())) : null)),
      );
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await serverClosed;
    },
  };
}
