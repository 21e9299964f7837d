/**
 * The load generator's worker thread (see loadgen.ts for the interface). A lean MQTT 3.1.1 client:
 * raw TCP sockets, CONNECT with the device's username and password, pre-encoded QoS 1 PUBLISH
 * packets written in chunks (one socket write per refill), and PUBACKs counted by mqtt-packet's
 * streaming parser. MQTT.js costs more CPU per message than the broker under test, which would make
 * the generator the bottleneck on two cores.
 */
import net from "node:net";
import { parentPort } from "node:worker_threads";
import { generate, parser as mqttParser } from "mqtt-packet";
import type {
  ConnectionSpec,
  LatencySummary,
  Progress,
  RunResult,
  RunSpec,
  WorkerCommand,
  WorkerEvent,
} from "./loadgen.ts";
import { buildSource, type MessageSource } from "./payloads.ts";

const port = parentPort;
if (!port) throw new Error("loadgen-worker runs as a worker thread");
const post = (event: WorkerEvent) => port.postMessage(event);

/**
 * The last timestamp each device has sent, across runs: a device's readings must have distinct,
 * rising times (the time series is keyed by device and time; the shelf projection ignores a reading
 * older than the one it shows). Times follow the wall clock, one millisecond apart at least.
 */
const lastTime = new Map<string, number>();

/** PUBLISH-to-PUBACK times in 0.1 ms buckets up to 10 s; beyond that only the maximum is kept. */
class Histogram {
  readonly #buckets = new Uint32Array(100_000);
  #count = 0;
  #max = 0;

  add(ms: number): void {
    this.#count++;
    if (ms > this.#max) this.#max = ms;
    const bucket = Math.floor(ms * 10);
    if (bucket < this.#buckets.length) this.#buckets[bucket] = (this.#buckets[bucket] as number) + 1;
  }

  summary(): LatencySummary {
    const at = (q: number) => {
      const rank = Math.ceil(q * this.#count);
      let seen = 0;
      for (let i = 0; i < this.#buckets.length; i++) {
        seen += this.#buckets[i] as number;
        if (seen >= rank) return (i + 1) / 10;
      }
      return this.#max;
    };
    return { count: this.#count, p50: at(0.5), p99: at(0.99), max: this.#max };
  }
}

class Connection {
  readonly socket = new net.Socket();
  readonly #parser = mqttParser({ protocolVersion: 4 });
  /** performance.now() at which each packet id was written. */
  readonly #sentAt = new Float64Array(65536);
  readonly #source: MessageSource;
  inflight = 0;
  /** Messages written on this connection. */
  count = 0;
  open = false;
  #nextId = 1;
  #seq = 0;

  constructor(
    readonly run: Run,
    readonly spec: ConnectionSpec,
  ) {
    this.#source = buildSource(spec.topic, spec.message);
  }

  /** Opens the socket and sends CONNECT; resolves on CONNACK 0. */
  connect(): Promise<void> {
    const { host, port } = this.run.spec;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error("no CONNACK within 120 s")), 120_000);
      const fail = (error: Error) => {
        clearTimeout(timer);
        this.socket.destroy();
        reject(error);
      };
      this.#parser.on("packet", (packet) => {
        if (packet.cmd === "puback") this.#acked(packet.messageId as number);
        else if (packet.cmd === "connack") {
          clearTimeout(timer);
          if (packet.returnCode !== 0)
            fail(new Error(`CONNACK ${packet.returnCode} for ${this.spec.clientId}`));
          else {
            this.open = true;
            resolve();
          }
        }
      });
      this.#parser.on("error", (error) => this.#lost(`parser: ${error.message}`));
      this.socket.setNoDelay(true);
      this.socket.on("data", (chunk) => {
        this.#parser.parse(chunk);
        this.run.afterAcks(this);
      });
      this.socket.on("error", (error) => (this.open ? this.#lost(error.message) : fail(error)));
      this.socket.on("close", () => {
        if (this.open && !this.run.finished) this.#lost("connection closed by the broker");
        this.open = false;
      });
      this.socket.connect(port, host, () => {
        this.socket.write(
          generate({
            cmd: "connect",
            protocolId: "MQTT",
            protocolVersion: 4,
            clean: true,
            clientId: this.spec.clientId,
            keepalive: 0,
            ...(this.spec.username ? { username: this.spec.username } : {}),
            ...(this.spec.password ? { password: Buffer.from(this.spec.password) } : {}),
          }),
        );
      });
    });
  }

  /** Writes `n` messages in one buffer: variants in turn, fresh packet ids and timestamps. */
  send(n: number): void {
    const { variants, formatTime } = this.#source;
    const device = this.spec.message.deviceId;
    let size = 0;
    for (let k = 0; k < n; k++)
      size += (variants[(this.#seq + k) % variants.length] as { bytes: Buffer }).bytes.length;
    const chunk = Buffer.allocUnsafe(size);
    const now = performance.now();
    let time = Math.max((lastTime.get(device) ?? 0) + 1, Date.now());
    let offset = 0;
    for (let k = 0; k < n; k++) {
      const variant = variants[this.#seq++ % variants.length] as (typeof variants)[number];
      variant.bytes.copy(chunk, offset);
      const id = this.#nextId;
      this.#nextId = id === 65535 ? 1 : id + 1;
      chunk[offset + variant.packetIdAt] = id >> 8;
      chunk[offset + variant.packetIdAt + 1] = id & 0xff;
      const text = formatTime(time++);
      for (const slot of variant.timeSlots) chunk.write(text, offset + slot, "latin1");
      this.#sentAt[id] = now;
      offset += variant.bytes.length;
    }
    lastTime.set(device, time - 1);
    this.inflight += n;
    this.count += n;
    this.run.sent(n);
    this.socket.write(chunk);
  }

  #acked(id: number): void {
    this.inflight--;
    this.run.acked(performance.now() - (this.#sentAt[id] as number));
  }

  #lost(reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.run.lost(this, reason);
    this.socket.destroy();
  }

  close(): void {
    if (this.open) this.socket.end(generate({ cmd: "disconnect" }));
    else this.socket.destroy();
    this.open = false;
  }
}

class Run {
  readonly connections: Connection[];
  readonly #histogram = new Histogram();
  readonly #errors = new Set<string>();
  #sent = 0;
  #acked = 0;
  #sending = false;
  #stopRequested = false;
  finished = false;
  #startedAt = 0;
  #firstSendAt = 0;
  #lastSendAt = 0;
  #lastAckAt = 0;
  #firstSendPerf = 0;
  #lastAckPerf = 0;
  #connectMs = 0;
  #skipped = 0;
  #ticker: NodeJS.Timeout | undefined;
  #progressTimer: NodeJS.Timeout | undefined;
  #drained: (() => void) | undefined;

  constructor(
    readonly id: number,
    readonly spec: RunSpec,
  ) {
    // Packet ids are 16 bits: the window must leave ids that are not in flight.
    if (!(spec.window >= 1 && spec.window <= 60000)) throw new Error(`window ${spec.window} out of range`);
    this.connections = spec.connections.map((c) => new Connection(this, c));
  }

  async start(): Promise<void> {
    const started = performance.now();
    // CONNECTs in limited parallel: the platform checks each secret with scrypt.
    const queue = [...this.connections];
    const workers = Array.from(
      { length: Math.min(this.spec.connectConcurrency ?? 50, queue.length) },
      async () => {
        for (let c = queue.shift(); c; c = queue.shift()) await c.connect();
      },
    );
    await Promise.all(workers);
    this.#connectMs = performance.now() - started;
    post({ type: "connected", id: this.id, connections: this.connections.length, ms: this.#connectMs });
    if (this.#stopRequested) {
      // Stopped while connecting: nothing to send.
      void this.#finish();
      return;
    }

    this.#sending = true;
    this.#startedAt = performance.now();
    this.#progressTimer = setInterval(
      () => post({ type: "progress", id: this.id, progress: this.progress() }),
      250,
    );
    if (this.spec.durationMs !== undefined) setTimeout(() => this.stopSending(), this.spec.durationMs);
    if (this.spec.rate === undefined) {
      // As fast as possible: fill every window; each batch of PUBACKs refills (afterAcks).
      for (const c of this.connections) this.#refill(c);
    } else {
      this.#ticker = setInterval(() => this.#tick(), 2);
    }
  }

  progress(): Progress {
    let inflight = 0;
    for (const c of this.connections) inflight += c.inflight;
    return { sent: this.#sent, acked: this.#acked, inflight };
  }

  /** Budget left under `messages`. */
  #budget(): number {
    return this.spec.messages === undefined ? Number.POSITIVE_INFINITY : this.spec.messages - this.#sent;
  }

  /** What connection `c` may still send: its window, the run's budget and its own. */
  #room(c: Connection): number {
    const own = this.spec.messagesPerConnection;
    return Math.min(
      this.spec.window - c.inflight,
      this.#budget(),
      own === undefined ? Number.POSITIVE_INFINITY : own - c.count,
    );
  }

  /** Whether every budget is spent. */
  #spent(): boolean {
    const own = this.spec.messagesPerConnection;
    return this.#budget() <= 0 || (own !== undefined && this.connections.every((c) => c.count >= own));
  }

  #refill(c: Connection): void {
    const n = this.#room(c);
    if (n > 0 && c.open) c.send(n);
    if (this.#spent()) this.stopSending();
  }

  /** Rate mode: send what is due by now, spread round-robin, within each window. */
  #rr = 0;
  #tick(): void {
    const rate = this.spec.rate as number;
    const elapsed = (performance.now() - this.#startedAt) / 1000;
    let due = Math.min(Math.floor(rate * elapsed) - this.#sent - this.#skipped, this.#budget());
    // More than a second behind (every window full): forget the debt rather than burst later.
    if (due > rate) {
      this.#skipped += due - rate;
      due = rate;
    }
    const open = this.connections.filter((c) => c.open);
    if (due <= 0 || open.length === 0) return;
    const share = Math.ceil(due / open.length);
    for (let k = 0; k < open.length && due > 0; k++) {
      const c = open[(this.#rr + k) % open.length] as Connection;
      const n = Math.min(share, due, this.#room(c));
      if (n > 0) {
        c.send(n);
        due -= n;
      }
    }
    this.#rr = (this.#rr + 1) % open.length;
    if (this.#spent()) this.stopSending();
  }

  sent(n: number): void {
    const now = Date.now();
    if (this.#sent === 0) {
      this.#firstSendAt = now;
      this.#firstSendPerf = performance.now();
    }
    this.#sent += n;
    this.#lastSendAt = now;
  }

  acked(latencyMs: number): void {
    this.#acked++;
    this.#histogram.add(latencyMs);
    this.#lastAckAt = Date.now();
    this.#lastAckPerf = performance.now();
  }

  afterAcks(c: Connection): void {
    if (this.#sending && this.spec.rate === undefined) this.#refill(c);
    if (!this.#sending && this.#drained && this.progress().inflight === 0) this.#drained();
  }

  lost(_c: Connection, reason: string): void {
    this.#errors.add(reason);
    if (this.connections.every((c) => !c.open)) this.stopSending();
    this.#drained?.();
  }

  stopSending(): void {
    if (!this.#sending) {
      this.#stopRequested = true;
      return;
    }
    this.#sending = false;
    if (this.#ticker) clearInterval(this.#ticker);
    void this.#finish();
  }

  /** Waits for the outstanding PUBACKs (or the drain timeout), disconnects, reports. */
  async #finish(): Promise<void> {
    const timeoutMs = this.spec.drainTimeoutMs ?? 60_000;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#errors.add(`${this.progress().inflight} PUBACKs still missing after ${timeoutMs} ms`);
        resolve();
      }, timeoutMs);
      this.#drained = () => {
        if (this.progress().inflight === 0 || this.connections.every((c) => !c.open)) {
          clearTimeout(timer);
          resolve();
        }
      };
      this.#drained();
    });
    this.finished = true;
    clearInterval(this.#progressTimer);
    for (const c of this.connections) c.close();
    const seconds = (this.#lastAckPerf - this.#firstSendPerf) / 1000;
    const result: RunResult = {
      connections: this.connections.length,
      connectMs: this.#connectMs,
      sent: this.#sent,
      acked: this.#acked,
      firstSendAt: this.#firstSendAt,
      lastSendAt: this.#lastSendAt,
      lastAckAt: this.#lastAckAt,
      ackRate: seconds > 0 ? this.#acked / seconds : 0,
      ackLatency: this.#histogram.summary(),
      skipped: this.#skipped,
      errors: [...this.#errors].slice(0, 5),
    };
    post({ type: "done", id: this.id, result });
    runs.delete(this.id);
  }
}

const runs = new Map<number, Run>();

port.on("message", (command: WorkerCommand) => {
  if (command.type === "stop") {
    runs.get(command.id)?.stopSending();
    return;
  }
  let run: Run;
  try {
    run = new Run(command.id, command.spec);
  } catch (error) {
    post({ type: "failed", id: command.id, message: (error as Error).message });
    return;
  }
  runs.set(command.id, run);
  run.start().catch((error: Error) => {
    runs.delete(command.id);
    for (const c of run.connections) c.close();
    post({ type: "failed", id: command.id, message: error.message });
  });
});
