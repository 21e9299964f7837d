/**
 * The bench's MQTT load generator, seen from the main thread. The work happens in a worker thread
 * (loadgen-worker.ts: raw sockets, mqtt-packet, pre-encoded PUBLISH packets, a window of QoS 1
 * messages in flight per connection), so the main thread stays free to time markers and poll HTTP.
 *
 * Two modes: as fast as the windows allow (`rate` unset), or a target rate across all connections
 * (`rate` messages a second, spread round-robin, still bounded by each window).
 */
import { Worker } from "node:worker_threads";
import type { MessageSpec } from "./payloads.ts";

export interface ConnectionSpec {
  clientId: string;
  /** Device id and secret; omitted against the anonymous baselines. */
  username?: string;
  password?: string;
  topic: string;
  message: MessageSpec;
}

export interface RunSpec {
  host: string;
  port: number;
  connections: ConnectionSpec[];
  /** QoS 1 messages a connection may have unacknowledged. */
  window: number;
  /** Messages a second across all connections; unset: as fast as possible. */
  rate?: number;
  /** Stop sending after this long (from the first message); unset: until stop() or `messages`. */
  durationMs?: number;
  /** Stop sending after this many messages in all. */
  messages?: number;
  /** Or once every connection has sent this many. */
  messagesPerConnection?: number;
  /** CONNECTs awaiting their CONNACK at once (each costs the platform a scrypt check). */
  connectConcurrency?: number;
  /** How long to wait for outstanding PUBACKs once sending stops. */
  drainTimeoutMs?: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface RunResult {
  connections: number;
  connectMs: number;
  sent: number;
  acked: number;
  /** Epoch ms of the first PUBLISH written, the last written, and the last PUBACK read. */
  firstSendAt: number;
  lastSendAt: number;
  lastAckAt: number;
  /** Acknowledged messages a second, first PUBLISH to last PUBACK. */
  ackRate: number;
  /** PUBLISH written to PUBACK read, ms. */
  ackLatency: LatencySummary;
  /** Rate mode: messages not sent because every window was full for over a second. */
  skipped: number;
  errors: string[];
}

export interface Progress {
  sent: number;
  acked: number;
  inflight: number;
}

export type WorkerCommand = { type: "run"; id: number; spec: RunSpec } | { type: "stop"; id: number };

export type WorkerEvent =
  | { type: "connected"; id: number; connections: number; ms: number }
  | { type: "progress"; id: number; progress: Progress }
  | { type: "done"; id: number; result: RunResult }
  | { type: "failed"; id: number; message: string };

export interface LoadRun {
  /** Resolves when every connection has its CONNACK (sending starts right after). */
  connected: Promise<{ connections: number; ms: number }>;
  /** Resolves once sending has stopped and the outstanding PUBACKs are in (or timed out). */
  done: Promise<RunResult>;
  /** Stops sending (a run without duration or message count runs until this). */
  stop(): void;
  /** The latest counts the worker reported (four times a second). */
  progress(): Progress;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Promise.withResolvers, which Node 20 lacks. */
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Starts the worker with tsx's loader registered first, so it can import TypeScript. */
function startWorker(): Worker {
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./loadgen-worker.ts", import.meta.url).href;
  return new Worker(
    `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`,
    { eval: true },
  );
}

export class LoadGenerator {
  readonly #worker = startWorker();
  readonly #runs = new Map<
    number,
    {
      connected: Deferred<{ connections: number; ms: number }>;
      done: Deferred<RunResult>;
      progress: Progress;
    }
  >();
  #nextId = 1;

  constructor() {
    this.#worker.on("message", (event: WorkerEvent) => {
      const run = this.#runs.get(event.id);
      if (!run) return;
      switch (event.type) {
        case "connected":
          run.connected.resolve({ connections: event.connections, ms: event.ms });
          break;
        case "progress":
          run.progress = event.progress;
          break;
        case "done":
          run.progress = { sent: event.result.sent, acked: event.result.acked, inflight: 0 };
          run.connected.resolve({ connections: event.result.connections, ms: event.result.connectMs });
          run.done.resolve(event.result);
          this.#runs.delete(event.id);
          break;
        case "failed": {
          const error = new Error(`load generator: ${event.message}`);
          run.connected.reject(error);
          run.done.reject(error);
          this.#runs.delete(event.id);
          break;
        }
      }
    });
    this.#worker.on("error", (error) => {
      for (const run of this.#runs.values()) {
        run.connected.reject(error);
        run.done.reject(error);
      }
      this.#runs.clear();
    });
  }

  run(spec: RunSpec): LoadRun {
    const id = this.#nextId++;
    const state = {
      connected: deferred<{ connections: number; ms: number }>(),
      done: deferred<RunResult>(),
      progress: { sent: 0, acked: 0, inflight: 0 },
    };
    // Whoever awaits only `done` must not see an unhandled rejection of `connected`.
    state.connected.promise.catch(() => {});
    this.#runs.set(id, state);
    this.#worker.postMessage({ type: "run", id, spec } satisfies WorkerCommand);
    return {
      connected: state.connected.promise,
      done: state.done.promise,
      stop: () => this.#worker.postMessage({ type: "stop", id } satisfies WorkerCommand),
      progress: () => state.progress,
    };
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
