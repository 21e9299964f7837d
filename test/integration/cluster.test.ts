import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDemoCredentials } from "../../server/security/demo-credentials.ts";
import { type Daemon, installed, startClusterBroker, startRedis } from "../helpers/daemons.ts";
import { freePort } from "../helpers/influxd.ts";
import {
  senmlWeight,
  startTestPlatform,
  type TestPlatform,
  tempDataDir,
  waitFor,
} from "../helpers/platform.ts";

const TOKEN = "broker-token-for-tests-0123456789";
const INGEST_PASSWORD = "ingest-password-for-tests-0123";
const DEVICE = "NX-K01-SH1";
const TOPIC = `sites/NX-K01/shelf/${DEVICE}`;
const NOW_S = Math.floor(Date.now() / 1000) - 6 * 3600;

/**
 * Two cluster brokers (`npm run broker`) sharing subscriptions and QoS 1 state through Debian's
 * redis-server, devices checked by the platform, the ingest subscribed through one of them with a
 * persistent session. .ci/run installs redis-server.
 */
describe.skipIf(!installed("redis-server"))("a broker cluster sharing state through Redis", () => {
  let redis: Daemon;
  let t: TestPlatform;
  const brokers: Record<"A" | "B", Daemon | null> = { A: null, B: null };
  const ports = { A: 0, B: 0, http: 0 };
  const dataDir = tempDataDir();

  const startMember = async (name: "A" | "B", id: string) => {
    brokers[name] = await startClusterBroker({
      MQTT_PORT: ports[name],
      PLATFORM_URL: `http://127.0.0.1:${ports.http}`,
      BROKER_TOKEN: TOKEN,
      INGEST_MQTT_PASSWORD: INGEST_PASSWORD,
      REDIS_URL: redis.url,
      BROKER_ID: id,
    });
  };
  const health = async () => (await t.http("/api/health")).body;
  const journaled = () => new Set(t.journaled(TOPIC));
  const password = (device = DEVICE) => readDemoCredentials(dataDir)[device]?.password as string;
  const startPlatform = async () => {
    // The ingest on B first; A is its fallback.
    const platform = await startTestPlatform({
      dataDir,
      env: {
        PORT: String(ports.http),
        MQTT_BROKER: "external",
        MQTT_URL: `mqtt://127.0.0.1:${ports.B},mqtt://127.0.0.1:${ports.A}`,
        INGEST_MQTT_USERNAME: "reserve-ingest",
        INGEST_MQTT_PASSWORD: INGEST_PASSWORD,
        BROKER_TOKEN: TOKEN,
      },
    });
    await waitFor(
      async () => ((await platform.http("/api/health")).body.externalBroker?.connected ? true : undefined),
      "ingest connected",
    );
    return platform;
  };

  beforeAll(async () => {
    redis = await startRedis();
    ports.A = await freePort();
    ports.B = await freePort();
    ports.http = await freePort();
    await startMember("A", "broker-a");
    await startMember("B", "broker-b");
    t = await startPlatform();
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    for (const broker of Object.values(brokers)) await broker?.kill();
    await redis?.stop();
  });

  it("checks device credentials with the platform and keeps devices to their own topics", async () => {
    const connect = (secret: string) =>
      mqtt
        .connectAsync(`mqtt://127.0.0.1:${ports.A}`, {
          username: DEVICE,
          password: secret,
          reconnectPeriod: 0,
        })
        .then(
          (c) => c.endAsync().then(() => "connected"),
          (error: Error) => error.message,
        );
    expect(await connect("not-the-secret")).toMatch(/Bad username or password/);
    expect(await connect(password())).toBe("connected");

    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.A}`, {
      username: DEVICE,
      password: password(),
      reconnectPeriod: 0,
    });
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.publish("sites/NX-K02/shelf/NX-K02-SH1", senmlWeight("NX-K02-SH1", 3, NOW_S), { qos: 1 });
    await closed;
    client.end(true);
    const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.A}`, {
      username: DEVICE,
      password: password(),
      reconnectPeriod: 0,
    });
    // Another device's data: a failure SUBACK (0x80).
    await expect(sub.subscribeAsync("sites/+/shelf/+", { qos: 1 })).rejects.toThrow(/Subscribe error/);
    await sub.endAsync();
  });

  it("carries a device's readings on broker A to the ingest on broker B", async () => {
    expect((await health()).externalBroker.url).toBe(`mqtt://127.0.0.1:${ports.B}`);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.A}`, {
      username: DEVICE,
      password: password(),
      reconnectPeriod: 0,
    });
    const sent: string[] = [];
    for (let i = 0; i < 200; i += 1) {
      const payload = senmlWeight(DEVICE, 30 + i / 1000, NOW_S + i);
      await client.publishAsync(TOPIC, payload, { qos: 1 });
      sent.push(payload);
    }
    await client.endAsync();
    await waitFor(() => {
      const rows = journaled();
      return sent.every((s) => rows.has(s)) ? true : undefined;
    }, "all 200 readings journaled");
  });

  it("stamps readings without a device time when the member received them, not when the platform got them", async () => {
    const sensor = "NX-K01-ENV1";
    const topic = `sites/NX-K01/env/${sensor}`;
    // Connected (and so authenticated through the platform) before the platform goes down.
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.A}`, {
      username: sensor,
      password: password(sensor),
      reconnectPeriod: 0,
    });
    await t.stop();
    // The flat LoRaWAN form has no time of its own; each waits in Redis for the ingest.
    const sent: Array<{ payload: string; from: number; to: number }> = [];
    for (let i = 0; i < 20; i += 1) {
      const payload = JSON.stringify({ temperature: 18 + i / 8, humidity: 45, battery: 80 });
      const from = Date.now();
      await client.publishAsync(topic, payload, { qos: 1 });
      sent.push({ payload, from, to: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await client.endAsync();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const restartedAt = Date.now();
    t = await startPlatform();
    // The ingest takes its session's queue from Redis once connected: wait for all of it.
    await waitFor(() => {
      const rows = new Set(t.journaled(topic));
      return sent.every((s) => rows.has(s.payload)) ? true : undefined;
    }, "all 20 readings journaled");
    await t.drained();

    const rows = t.platform.deps.database.sqlite
      .prepare("SELECT received_at AS receivedAt, payload FROM ingest_journal WHERE topic = ? ORDER BY id")
      .all(topic) as Array<{ receivedAt: number; payload: Buffer }>;
    const receivedAt = new Map(rows.map((r) => [r.payload.toString(), r.receivedAt]));
    for (const s of sent) {
      // Between the publish and its PUBACK on member A, long before the platform was back.
      const at = receivedAt.get(s.payload);
      expect(at).toBeGreaterThanOrEqual(s.from);
      expect(at).toBeLessThanOrEqual(s.to);
    }
    // And the readings carry those times, in the order they were taken.
    const { body } = await t.http(`/api/readings?device=${sensor}&measurement=temp&limit=100`);
    expect(body.points.map((p: { time: string }) => Date.parse(p.time))).toEqual(
      sent.map((s) => receivedAt.get(s.payload)),
    );
    expect(Math.max(...body.points.map((p: { time: string }) => Date.parse(p.time)))).toBeLessThan(
      restartedAt,
    );
  }, 60_000);

  it("loses nothing acknowledged when the ingest's broker, then the device's, is killed", async () => {
    // The device knows both members and moves to the other when its own goes away.
    const client = mqtt.connect({
      servers: [
        { host: "127.0.0.1", port: ports.A },
        { host: "127.0.0.1", port: ports.B },
      ],
      username: DEVICE,
      password: password(),
      clientId: "cluster-test-device",
      clean: false,
      reconnectPeriod: 100,
      connectTimeout: 2000,
    });
    const acked: string[] = [];
    let running = true;
    let i = 0;
    const stream = (async () => {
      const window = 10;
      const worker = async () => {
        while (running) {
          const payload = senmlWeight(DEVICE, 40 + (i % 1000) / 1000, NOW_S + 1000 + i);
          i += 1;
          await client.publishAsync(TOPIC, payload, { qos: 1 });
          acked.push(payload);
        }
      };
      await Promise.all(Array.from({ length: window }, worker));
    })();
    const ackedMore = async (n: number, what: string) => {
      const target = acked.length + n;
      await waitFor(() => (acked.length >= target ? true : undefined), what, 20_000);
    };

    await ackedMore(300, "the device streaming through A");
    // The ingest's broker dies: the ingest moves to A, where its session waited in Redis.
    await brokers.B?.kill();
    await ackedMore(300, "more readings while B is down");
    await waitFor(
      async () => {
        const h = (await health()).externalBroker;
        return h.connected && h.url === `mqtt://127.0.0.1:${ports.A}` ? true : undefined;
      },
      "the ingest on A",
      20_000,
    );
    // B comes back; then the device's broker dies and the device moves to B.
    await startMember("B", "broker-b2");
    await ackedMore(200, "readings with B back");
    await brokers.A?.kill();
    brokers.A = null;
    await ackedMore(300, "readings through B after A died");
    running = false;
    await stream;
    await client.endAsync();

    const lost = () => {
      const rows = journaled();
      return acked.filter((s) => !rows.has(s));
    };
    await waitFor(
      () => (lost().length === 0 ? true : undefined),
      "every acknowledged reading journaled",
      30_000,
    );
    expect(lost()).toEqual([]);
    expect(acked.length).toBeGreaterThan(1100);
    await t.drained();
  }, 120_000);
});
