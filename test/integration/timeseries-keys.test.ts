import net from "node:net";
import mqttPacket, { type Packet } from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../server/db/database.ts";
import { influxdAvailable, type RunningInfluxd, startInfluxd } from "../helpers/influxd.ts";
import { startTestPlatform, type TestPlatform, tempDataDir, waitFor } from "../helpers/platform.ts";

const DEVICE = "NX-C02-ENV1";
const TOPIC = `sites/NX-C02/env/${DEVICE}`;
const MESSAGES = 50;
/** The flat LoRaWAN form carries no time: each reading is stamped when the broker receives it. */
const FLAT = (i: number) => JSON.stringify({ temperature: 20 + i / 8, humidity: 40 + i / 4, battery: 90 });

/**
 * Connects as the device and sends every PUBLISH (QoS 1) in ONE TCP write, so they arrive in the
 * same event-loop turn and the same millisecond. Resolves with the number of PUBACKs.
 */
async function burst(t: TestPlatform, deviceId: string, topic: string, payloads: string[]): Promise<number> {
  const socket = net.connect(Number(new URL(t.platform.mqttUrl).port), "127.0.0.1");
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  let connected: () => void = () => {};
  const connack = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const acked = new Set<number>();
  parser.on("packet", (packet: Packet) => {
    if (packet.cmd === "connack" && packet.returnCode === 0) connected();
    if (packet.cmd === "puback" && packet.messageId !== undefined) acked.add(packet.messageId);
  });
  socket.on("data", (chunk: Buffer) => parser.parse(chunk));
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(
    mqttPacket.generate({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clientId: `${deviceId}-burst`,
      clean: true,
      keepalive: 30,
      username: deviceId,
      password: Buffer.from(await t.secretOf(deviceId)),
    }),
  );
  await connack;
  socket.write(
    Buffer.concat(
      payloads.map((payload, i) =>
        mqttPacket.generate({
          cmd: "publish",
          topic,
          payload: Buffer.from(payload),
          qos: 1,
          messageId: i + 1,
          retain: false,
          dup: false,
        }),
      ),
    ),
  );
  try {
    await waitFor(() => (acked.size === payloads.length ? true : undefined), "every PUBACK");
  } finally {
    socket.destroy();
  }
  return acked.size;
}

/** Puts the rows back to pending: as after a crash between the time-series write and the marks. */
function markPending(dataDir: string, topic: string): number {
  const database = openDatabase(dataDir);
  try {
    return database.sqlite.prepare("UPDATE ingest_journal SET state = 0 WHERE topic = ?").run(topic).changes;
  } finally {
    database.close();
  }
}

function storedRows(t: TestPlatform, topic: string): number {
  return (
    t.platform.deps.database.sqlite
      .prepare("SELECT count(*) AS n FROM ingest_journal WHERE topic = ? AND state = 1")
      .get(topic) as { n: number }
  ).n;
}

/**
 * Readings of one device and measurement with the same timestamp are all kept: the store's key
 * includes the reading's identity (journal row, position), and a replay writes nothing twice.
 */
function keepsEveryReading(name: string, env: () => Record<string, string>) {
  it(`${name}: ${MESSAGES} flat messages in one TCP write are ${MESSAGES} journal rows and ${MESSAGES} points per measurement, also after a replay`, {
    timeout: 60_000,
  }, async () => {
    const dataDir = tempDataDir();
    let t = await startTestPlatform({ dataDir, env: env() });
    try {
      const payloads = Array.from({ length: MESSAGES }, (_, i) => FLAT(i));
      expect(await burst(t, DEVICE, TOPIC, payloads)).toBe(MESSAGES);
      await t.drained();
      expect(storedRows(t, TOPIC)).toBe(MESSAGES);
      expect(await t.pointsInStore(DEVICE, "temp")).toBe(MESSAGES);
      expect(await t.pointsInStore(DEVICE, "hum")).toBe(MESSAGES);
      expect(await t.pointsInStore(DEVICE)).toBe(3 * MESSAGES);
      // Every value is there, not 50 copies of one.
      const { body } = await t.http(`/api/readings?device=${DEVICE}&measurement=temp&limit=1000`);
      expect(
        body.points.map((p: { value: number }) => p.value).sort((a: number, b: number) => a - b),
      ).toEqual(payloads.map((_, i) => 20 + i / 8));
      // Each point at its message's receipt time, in milliseconds (InfluxDB holds nanoseconds).
      const received = (
        t.platform.deps.database.sqlite
          .prepare("SELECT received_at AS at FROM ingest_journal WHERE topic = ? ORDER BY at")
          .all(TOPIC) as Array<{ at: number }>
      ).map((r) => new Date(r.at).toISOString());
      expect(body.points.map((p: { time: string }) => p.time).sort()).toEqual(received);

      // Replay: the same rows processed again after a restart store nothing twice.
      await t.stop();
      expect(markPending(dataDir, TOPIC)).toBe(MESSAGES);
      t = await startTestPlatform({ dataDir, env: env() });
      await t.drained();
      expect(storedRows(t, TOPIC)).toBe(MESSAGES);
      expect(await t.pointsInStore(DEVICE, "temp")).toBe(MESSAGES);
      expect(await t.pointsInStore(DEVICE)).toBe(3 * MESSAGES);
    } finally {
      await t.stop();
    }
  });
}

describe("a time-series point per acknowledged reading", () => {
  keepsEveryReading("SQLite store", () => ({}));

  // Without influxd this suite must fail on CI (where it is installed on purpose) and may skip elsewhere.
  describe.skipIf(!influxdAvailable() && !process.env.CI)("InfluxDB", () => {
    let influxd: RunningInfluxd;
    beforeAll(async () => {
      influxd = await startInfluxd();
    });
    afterAll(async () => {
      await influxd?.stop();
    });
    keepsEveryReading("InfluxDB store", () => ({
      TIMESERIES: "influxdb",
      INFLUX_URL: influxd.url,
      INFLUX_DATABASE: "keys_test",
    }));
  });
});
