import net from "node:net";
import tls from "node:tls";
import mqttPacket, { type Packet } from "mqtt-packet";
import { DATA_TOPIC_FILTERS, INGEST_TOPIC_FILTERS, parseMemberTopic } from "../../broker/topics.ts";

/** Where the ingest hands each message: the journal. `receivedAt`: when a cluster member received it. */
export interface IngestSink {
  accept(
    message: { clientId: string | null; topic: string; payload: Buffer; receivedAt?: number },
    done: (error: Error | null) => void,
  ): void;
}

export interface MqttIngestOptions {
  /**
   * mqtt://host:port or mqtts://host:port of the broker (Mosquitto, EMQX, a load balancer in front
   * of a cluster); several, comma-separated, are tried in turn (cluster members without a balancer).
   */
  url: string;
  /** Stable: the broker keeps this client's session (subscriptions and unacknowledged messages). */
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
  sink: IngestSink;
  log: {
    info(details: object, message: string): void;
    warn(details: object, message: string): void;
    error(details: object, message: string): void;
  };
  keepaliveS?: number;
  /** Reconnect delays: doubled after each failure, from min up to max. */
  retryMs?: { min: number; max: number };
  /** Messages taken in but not yet acknowledged beyond which the socket stops reading. */
  maxOutstanding?: number;
  /** Extra TLS options (a private CA), for mqtts:// URLs. */
  tls?: tls.ConnectionOptions;
}

export interface MqttIngestStatus {
  url: string;
  connected: boolean;
  /** When the current connection was established, or the last one was lost. */
  since: number | null;
  lastError: string | null;
  received: number;
}

/**
 * The ingest as a client of an external broker or a broker cluster. It subscribes to every device's
 * topics at QoS 1 with a persistent session (clean session off, fixed client id), so the broker
 * queues readings while the platform is down and delivers them when it returns. Each message is
 * acknowledged (PUBACK) only after the journal has committed it, exactly as the embedded broker
 * does for devices; a message whose journal write fails is never acknowledged, and the connection is
 * dropped so the broker delivers it again.
 *
 * A small client on mqtt-packet rather than MQTT.js: MQTT.js hands incoming messages to the
 * application one at a time (the next only after the previous one's PUBACK), which would cost one
 * journal commit per message; here all messages of a read share one commit, and PUBACKs go out in
 * arrival order ([MQTT-4.6.0-2]).
 */
export class MqttIngest {
  readonly #options: MqttIngestOptions;
  readonly #keepaliveS: number;
  readonly #retry: { min: number; max: number };
  readonly #maxOutstanding: number;
  #socket: net.Socket | null = null;
  /** Bumped on every new connection; acknowledgements of an older one are not sent on the new one. */
  #generation = 0;
  #connected = false;
  #since: number | null = null;
  #lastError: string | null = null;
  #received = 0;
  #outstanding = 0;
  #delay: number;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #lastHeard = 0;
  #stopped = false;
  #drained: (() => void) | null = null;
  readonly #urls: string[];
  #urlIndex = 0;

  constructor(options: MqttIngestOptions) {
    this.#options = options;
    this.#urls = options.url
      .split(",")
      .map((u) => u.trim())
      .filter(Boolean);
    this.#keepaliveS = options.keepaliveS ?? 30;
    this.#retry = options.retryMs ?? { min: 500, max: 10_000 };
    this.#maxOutstanding = options.maxOutstanding ?? 20_000;
    this.#delay = this.#retry.min;
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  status(): MqttIngestStatus {
    return {
      url: this.#currentUrl(),
      connected: this.#connected,
      since: this.#since,
      lastError: this.#lastError,
      received: this.#received,
    };
  }

  /**
   * Stops reading, waits (up to `waitMs`) until what was taken in is journaled and acknowledged,
   * then disconnects. Whatever is left unacknowledged the broker delivers again next time.
   */
  async stop(waitMs = 3000): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#pingTimer);
    const socket = this.#socket;
    if (!socket) return;
    socket.pause();
    if (this.#outstanding > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.#drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.#drained = null;
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      if (socket.writable) socket.end(mqttPacket.generate({ cmd: "disconnect" }));
      else socket.destroy();
      setTimeout(() => socket.destroy(), 1000).unref();
    });
  }

  #currentUrl(): string {
    return this.#urls[this.#urlIndex % this.#urls.length] ?? this.#options.url;
  }

  #connect(): void {
    if (this.#stopped) return;
    const url = new URL(this.#currentUrl());
    const secure = url.protocol === "mqtts:";
    const port = Number(url.port) || (secure ? 8883 : 1883);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...this.#options.tls })
      : net.connect({ host, port });
    socket.setNoDelay(true);
    const generation = ++this.#generation;
    this.#socket = socket;
    this.#outstanding = 0;
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on("packet", (packet: Packet) => this.#onPacket(packet, socket, generation));
    parser.on("error", (error: Error) =>
      this.#fail(socket, `malformed packet from the broker: ${error.message}`),
    );
    socket.on(secure ? "secureConnect" : "connect", () => {
      this.#lastHeard = Date.now();
      // Settings are checked at boot, but nothing thrown in a socket listener may end the process:
      // a packet that cannot be built is a failed connection with its reason (health shows it).
      let connect: Buffer;
      try {
        connect = mqttPacket.generate({
          cmd: "connect",
          protocolId: "MQTT",
          protocolVersion: 4,
          clientId: this.#options.clientId,
          clean: false,
          keepalive: this.#keepaliveS,
          ...(this.#options.username !== undefined ? { username: this.#options.username } : {}),
          ...(this.#options.password !== undefined ? { password: Buffer.from(this.#options.password) } : {}),
        });
      } catch (error) {
        this.#fail(socket, `the ingest's CONNECT cannot be sent: ${(error as Error).message}`);
        return;
      }
      socket.write(connect);
    });
    socket.on("data", (chunk: Buffer) => {
      this.#lastHeard = Date.now();
      parser.parse(chunk);
    });
    socket.on("error", (error) => {
      this.#lastError = error.message;
    });
    socket.on("close", () => this.#onClose(socket));
  }

  #onPacket(packet: Packet, socket: net.Socket, generation: number): void {
    switch (packet.cmd) {
      case "connack": {
        if (packet.returnCode !== 0) {
          this.#fail(socket, `broker refused the ingest's connection (CONNACK ${packet.returnCode})`);
          return;
        }
        this.#connected = true;
        this.#since = Date.now();
        this.#lastError = null;
        this.#delay = this.#retry.min;
        this.#options.log.info(
          { url: this.#currentUrl(), sessionPresent: packet.sessionPresent },
          "ingest connected to the broker",
        );
        // Always (re)subscribe: a broker that lost the session would otherwise send nothing. One
        // filter per SUBSCRIBE: aedes with its Redis persistence (1.2 / 12.0) never answers a
        // SUBSCRIBE that carries several. Packet ids are the filters' indexes plus one.
        INGEST_TOPIC_FILTERS.forEach((topic, i) => {
          socket.write(
            mqttPacket.generate({ cmd: "subscribe", messageId: i + 1, subscriptions: [{ topic, qos: 1 }] }),
          );
        });
        clearInterval(this.#pingTimer);
        this.#pingTimer = setInterval(() => this.#ping(socket), (this.#keepaliveS * 1000) / 2);
        this.#pingTimer.unref();
        return;
      }
      case "suback": {
        // MQTT 3.1.1 grants are numbers; 0x80 is a refusal. One filter per SUBSCRIBE (above).
        const filter = INGEST_TOPIC_FILTERS[(packet.messageId ?? 0) - 1];
        if (filter === undefined || !packet.granted.includes(0x80)) return;
        // A broker that is no cluster member (Mosquitto with the generated ACL) may refuse the
        // members' stamped topics: nobody publishes there, and the plain topics carry everything.
        if (!DATA_TOPIC_FILTERS.includes(filter)) return;
        this.#lastError = `broker refused the subscription to ${filter}: check the ingest account's ACL`;
        this.#options.log.error({ refused: [filter] }, this.#lastError);
        return;
      }
      case "publish": {
        this.#received += 1;
        const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
        const messageId = packet.qos > 0 ? packet.messageId : undefined;
        this.#outstanding += 1;
        if (this.#outstanding >= this.#maxOutstanding) socket.pause();
        // From a cluster member: received when it says (but not after now: its clock may run
        // ahead of ours). From any other broker: received now, when it reaches the platform.
        const stamped = parseMemberTopic(packet.topic);
        const message = stamped
          ? {
              clientId: null,
              topic: stamped.topic,
              payload,
              receivedAt: Math.min(stamped.receivedAt, Date.now()),
            }
          : { clientId: null, topic: packet.topic, payload };
        this.#options.sink.accept(message, (error) => {
          // A callback of a connection already gone: the broker resends what it did not hear about.
          if (generation !== this.#generation) return;
          this.#outstanding -= 1;
          if (error) {
            // Not journaled, so not acknowledged: drop the connection and let the broker resend.
            this.#fail(socket, error.message);
            return;
          }
          if (messageId !== undefined && !socket.destroyed) {
            socket.write(mqttPacket.generate({ cmd: "puback", messageId }));
          }
          if (this.#outstanding < this.#maxOutstanding / 2 && !this.#stopped) socket.resume();
          if (this.#outstanding === 0) this.#drained?.();
        });
        return;
      }
      case "pingresp":
        return;
      default:
        return;
    }
  }

  #ping(socket: net.Socket): void {
    if (Date.now() - this.#lastHeard > this.#keepaliveS * 1500) {
      this.#fail(socket, "the broker stopped answering (keepalive)");
      return;
    }
    if (socket.writable) socket.write(mqttPacket.generate({ cmd: "pingreq" }));
  }

  #fail(socket: net.Socket, reason: string): void {
    this.#lastError = reason;
    this.#options.log.warn({ url: this.#currentUrl(), reason }, "ingest connection dropped");
    socket.destroy();
  }

  #onClose(socket: net.Socket): void {
    if (socket !== this.#socket) return;
    clearInterval(this.#pingTimer);
    if (this.#connected) this.#since = Date.now();
    this.#connected = false;
    this.#socket = null;
    this.#drained?.();
    if (this.#stopped) return;
    // The next broker of the list, if there are several: a dead one is skipped at once.
    this.#urlIndex += 1;
    const delay = this.#urls.length > 1 && this.#urlIndex % this.#urls.length !== 0 ? 50 : this.#delay;
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
    this.#reconnectTimer.unref();
    if (delay === this.#delay) this.#delay = Math.min(this.#retry.max, this.#delay * 2);
  }
}
