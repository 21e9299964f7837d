/**
 * The thin MQTT side of the simulators: steps the devices round-robin and publishes what they
 * return at QoS 1, at a target rate, counting what the broker acknowledged.
 */
import mqtt, { type MqttClient } from "mqtt";
import { parseDeviceTopic } from "../broker/topics.ts";
import { seededRandom } from "../server/domain/random.ts";
import { type SimMessage, stepEnv, stepReader, stepShelf } from "./devices.ts";
import type { Fleet } from "./fleet.ts";

export interface DriverStats {
  sent: number;
  acked: number;
  failed: number;
  elapsedMs: number;
  /** Units taken off shelves and tags carried out through portals, as the simulation decided. */
  removals: number;
}

export interface DriverOptions {
  mqttUrl: string;
  /** Messages per second, all devices together. */
  rate: number;
  /** Stop after this many seconds; runs until stop() otherwise. */
  durationS?: number;
  seed: number;
  /** Each device's MQTT username and password (demo: DATA_DIR/demo-credentials.json). */
  credentials: Record<string, { username: string; password: string }>;
  /** Prefix of the MQTT client ids (one connection per device). */
  clientId?: string;
  /** Called about once a second. */
  onProgress?: (stats: DriverStats) => void;
}

export interface RunningDriver {
  stop(): Promise<DriverStats>;
  done: Promise<DriverStats>;
}

const TICK_MS = 100;
const MAX_IN_FLIGHT = 2000;

export async function startDriver(fleet: Fleet, options: DriverOptions): Promise<RunningDriver> {
  const random = seededRandom(options.seed);
  // One connection per device, as the real devices have: the broker lets each publish only to
  // its own topics.
  const prefix = options.clientId ?? `simulator-${options.seed}-${process.pid}`;
  const connections = new Map<string, MqttClient>();
  const clientFor = (topic: string): MqttClient | null => {
    const parsed = parseDeviceTopic(topic);
    if (!parsed.ok) return null;
    const id = parsed.topic.deviceId;
    let client = connections.get(id);
    if (!client) {
      const secret = options.credentials[id];
      if (!secret) return null;
      client = mqtt.connect(options.mqttUrl, {
        clientId: `${prefix}-${id}`,
        username: secret.username,
        password: secret.password,
        reconnectPeriod: 1000,
      });
      connections.set(id, client);
    }
    return client;
  };
  const stats: DriverStats = { sent: 0, acked: 0, failed: 0, elapsedMs: 0, removals: 0 };
  const started = Date.now();
  const queue: SimMessage[] = [];
  const total = fleet.readers.length + fleet.shelves.length + fleet.sensors.length;
  let cursor = 0;
  let credit = 0;
  let lastProgress = started;

  /** Steps the next device in turn; the order interleaves readers, shelves and sensors. */
  const stepNext = () => {
    const now = Date.now();
    const i = cursor++ % total;
    if (i < fleet.readers.length) {
      const before = fleet.readers[i];
      if (!before) return;
      const next = stepReader(before, now, random);
      stats.removals += before.tags.length - next.state.tags.length;
      fleet.readers[i] = next.state;
      queue.push(...next.messages);
    } else if (i < fleet.readers.length + fleet.shelves.length) {
      const j = i - fleet.readers.length;
      const before = fleet.shelves[j];
      if (!before) return;
      const next = stepShelf(before, now, random);
      stats.removals += before.units - next.state.units;
      fleet.shelves[j] = next.state;
      queue.push(...next.messages);
    } else {
      const k = i - fleet.readers.length - fleet.shelves.length;
      const before = fleet.sensors[k];
      if (!before) return;
      const next = stepEnv(before, now, random);
      fleet.sensors[k] = next.state;
      queue.push(...next.messages);
    }
  };

  let finish: (value: DriverStats) => void = () => {};
  const done = new Promise<DriverStats>((resolve) => {
    finish = resolve;
  });
  let stopping = false;
  const tick = () => {
    credit += (options.rate * TICK_MS) / 1000;
    while (credit >= 1 && stats.sent - stats.acked - stats.failed < MAX_IN_FLIGHT && total > 0) {
      if (queue.length === 0) stepNext();
      const message = queue.shift();
      if (!message) continue;
      credit -= 1;
      stats.sent += 1;
      const client = clientFor(message.topic);
      if (!client) {
        stats.failed += 1;
        continue;
      }
      client.publish(message.topic, message.payload, { qos: 1 }, (error) => {
        if (error) stats.failed += 1;
        else stats.acked += 1;
      });
    }
    if (credit > options.rate) credit = options.rate; // do not burst after a stall
    const now = Date.now();
    stats.elapsedMs = now - started;
    if (options.onProgress && now - lastProgress >= 1000) {
      lastProgress = now;
      options.onProgress({ ...stats });
    }
    if (options.durationS !== undefined && stats.elapsedMs >= options.durationS * 1000) void stop();
  };
  const timer = setInterval(tick, TICK_MS);

  const stop = async (): Promise<DriverStats> => {
    if (stopping) return done;
    stopping = true;
    clearInterval(timer);
    const deadline = Date.now() + 5000;
    while (stats.acked + stats.failed < stats.sent && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all([...connections.values()].map((c) => c.endAsync()));
    stats.elapsedMs = Date.now() - started;
    finish({ ...stats });
    return done;
  };
  return { stop, done };
}
