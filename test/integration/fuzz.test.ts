import { createHash } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../server/domain/random.ts";
import { senmlWeight, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * Hostile and malformed device messages, thousands of them, interleaved with valid readings from
 * several device connections at once. The payloads come from the project's seeded PRNG: a failure
 * names its seed, and FUZZ_SEED=<seed> replays the same messages.
 */
const SEED = Number(process.env.FUZZ_SEED) || Date.now() % 2 ** 31;
const HOSTILE_MESSAGES = 10_000;
/** Share of valid readings among the messages on the devices' own topics. */
const VALID_SHARE = 0.2;
const MAX_PAYLOAD_BYTES = 32_768; // small, but room for 10,000 nested arrays (20,000 bytes)
/** QoS 1 messages in flight per device connection. */
const WINDOW = 32;

type DeviceKind = "shelf" | "env" | "rfid";
interface Device {
  id: string;
  siteCode: string;
  kind: DeviceKind;
  topic: string;
  statusTopic: string;
}

interface Point {
  measurement: string;
  time: number;
  value: number;
}

type Outcome = "acked" | "refused" | "pending";

interface Message {
  /** What the generator made, for failure messages. */
  label: string;
  device: Device;
  topic: string;
  payload: Buffer;
  /** The readings a valid message must be stored as; null for a message the platform must refuse. */
  points: Point[] | null;
  outcome: Outcome;
}

const seedNote = `(FUZZ_SEED=${SEED} replays this run)`;
const keyOf = (topic: string, payload: Buffer) =>
  createHash("sha256").update(topic).update("\u0000").update(payload).digest("hex");

describe("fuzzing the MQTT ingest with hostile device messages", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({
      env: {
        MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES),
        // The per-device rate limit would only delay the PUBACKs (and this test by a minute).
        DEVICE_MAX_MSGS_PER_S: "0",
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
    if (t) fs.rmSync(t.dataDir, { recursive: true, force: true });
  });

  it("dead-letters every acknowledged bad message, stores every valid one once, and stays up", {
    timeout: 60_000,
  }, async () => {
    try {
      await fuzz();
    } catch (error) {
      // Whatever failed, the seed that replays it is in the message.
      if (error instanceof Error) error.message = `${error.message}\n${seedNote}`;
      throw error;
    }
  });

  async function fuzz() {
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    const arrayPrototypeBefore = Object.getOwnPropertyNames(Array.prototype).sort();

    // Registered demo devices, on their own topics: three shelves, two environment sensors, two readers.
    const registered = (await t.http("/api/devices")).body as Array<Device & { enabled: boolean }>;
    const choose = (kind: DeviceKind, n: number) => {
      const ofKind = registered.filter((d) => d.kind === kind && d.enabled);
      return Array.from({ length: n }, (_, i) => ofKind[Math.floor((i * ofKind.length) / n)] as Device).map(
        (d) => ({ ...d, statusTopic: `sites/${d.siteCode}/status/${d.id}` }),
      );
    };
    const devices: Device[] = [...choose("shelf", 3), ...choose("env", 2), ...choose("rfid", 2)];
    expect(devices.map((d) => d.kind)).toEqual(["shelf", "shelf", "shelf", "env", "env", "rfid", "rfid"]);
    const epcs = new Map<string, string[]>();
    for (const reader of devices.filter((d) => d.kind === "rfid")) {
      const tags = await t.siteTags(reader.siteCode);
      expect(tags.length, `tags registered at ${reader.siteCode}`).toBeGreaterThan(0);
      epcs.set(reader.id, tags);
    }

    const messages = generate(devices, epcs);
    const hostile = messages.filter((m) => m.points === null).length;
    expect(hostile).toBeGreaterThanOrEqual(HOSTILE_MESSAGES);

    const sqlite = t.platform.deps.database.sqlite;
    const maxId = (table: string) =>
      (sqlite.prepare(`SELECT coalesce(max(id), 0) AS id FROM ${table}`).get() as { id: number }).id;
    const journalFrom = maxId("ingest_journal");
    const deadLettersFrom = maxId("dead_letters");
    const deadLettersBefore = (await t.http("/api/dead-letters?limit=1")).body.total as number;

    // Each device publishes its share over its own connection, all at once; topic tricks go beside
    // them, each on a connection of its own because a refused publish closes the connection.
    const byDevice = new Map<Device, Message[]>();
    for (const m of messages) {
      const own = byDevice.get(m.device) ?? [];
      own.push(m);
      byDevice.set(m.device, own);
    }
    const started = Date.now();
    const tricks = topicTricks(devices);
    await Promise.all([
      ...[...byDevice].map(async ([device, own]) => publishAll(await t.connect(device.id), own)),
      (async () => {
        for (const trick of tricks) trick.outcome = await publishOnce(trick);
      })(),
      // Not even MQTT: random bytes straight onto the broker's port.
      ...garbage().map((bytes) => sendRaw(bytes)),
    ]);
    const publishSeconds = (Date.now() - started) / 1000;

    // The devices' own topics are theirs: every message there is acknowledged, bad or not.
    const unacknowledged = messages.filter((m) => m.outcome !== "acked");
    expect(
      unacknowledged.map((m) => `${m.label} on ${m.topic}: ${m.outcome}`).slice(0, 5),
      "messages on the devices' own topics left without a PUBACK",
    ).toEqual([]);
    // Reserved and wildcard topics are refused outright: no PUBACK (the connection is closed).
    for (const trick of tricks.filter((m) => /^\$SYS|[+#]/.test(m.topic))) {
      expect(trick.outcome, `${trick.label}: ${trick.topic}`).toBe("refused");
    }
    // Other topic tricks may be refused by the broker or acknowledged into the dead letters.
    for (const trick of tricks) expect(trick.outcome, trick.label).not.toBe("pending");
    const all = [...messages, ...tricks];
    const acked = all.filter((m) => m.outcome === "acked");
    const ackedBad = acked.filter((m) => m.points === null);
    const ackedValid = acked.filter((m) => m.points !== null);

    await drained();

    // Still up: the API answers, and a new device connection publishes and is acknowledged.
    const health = (await t.http("/api/health")).body;
    expect(health).toMatchObject({ status: "ok", ingest: { pending: 0, lastError: null } });
    const shelf = devices[0] as Device;
    const after = await t.connect(shelf.id);
    // Timed before the valid readings' window, so their counts below stay exact.
    await after.publishAsync(shelf.topic, senmlWeight(shelf.id, 20, T0 - 100), { qos: 1 });
    await drained();

    // Every acknowledged message is in the journal exactly once: the valid ones stored, the bad ones
    // dead; nothing unacknowledged is there at all.
    const label = new Map(all.map((m) => [keyOf(m.topic, m.payload), m.label]));
    const journal = sqlite
      .prepare("SELECT topic, payload, state FROM ingest_journal WHERE id > ? ORDER BY id")
      .all(journalFrom) as Array<{ topic: string; payload: Buffer; state: number }>;
    expect(journal.pop()?.topic, "the last message, from the new connection").toBe(shelf.topic);
    const journalled = (state: number) =>
      multiset(journal.filter((r) => r.state === state).map((r) => keyOf(r.topic, r.payload)));
    const expectSame = (actual: Map<string, number>, expected: Message[], what: string) => {
      const diff = difference(
        actual,
        multiset(expected.map((m) => keyOf(m.topic, m.payload))),
        (key) => label.get(key) ?? "a message never sent",
      );
      expect(diff, what).toEqual([]);
    };
    expectSame(journalled(1), ackedValid, "journal rows stored vs valid messages acknowledged");
    expectSame(journalled(2), ackedBad, "journal rows dead vs bad messages acknowledged");
    expect(journal.length, "journal rows vs acknowledged messages").toBe(acked.length);

    // ... and every bad one is a dead letter with a reason, counted exactly.
    const letters = sqlite
      .prepare(
        `SELECT d.topic, d.payload, d.reason, j.state FROM dead_letters d
         LEFT JOIN ingest_journal j ON j.id = d.journal_id WHERE d.id > ?`,
      )
      .all(deadLettersFrom) as Array<{ topic: string; payload: Buffer; reason: string; state: number }>;
    expectSame(
      multiset(letters.map((l) => keyOf(l.topic, l.payload))),
      ackedBad,
      "dead letters vs bad messages acknowledged",
    );
    const unexplained = letters.filter((l) => !(l.reason.trim().length > 0) || l.state !== 2);
    expect(unexplained.map((l) => l.topic).slice(0, 5), "dead letters without a reason").toEqual([]);
    const listed = (await t.http("/api/dead-letters?limit=1000")).body;
    expect(listed.total - deadLettersBefore, "GET /api/dead-letters total").toBe(ackedBad.length);
    expect(listed.items).toHaveLength(1000);
    for (const item of listed.items) expect(item.reason, "a dead letter's reason").toMatch(/\S/);
    // Nothing of a refused $SYS publish is kept anywhere.
    const sys = sqlite.prepare(
      "SELECT (SELECT count(*) FROM ingest_journal WHERE topic LIKE '$SYS%') + (SELECT count(*) FROM dead_letters WHERE topic LIKE '$SYS%') AS n",
    );
    expect(sys.get()).toEqual({ n: 0 });

    // Every valid reading is stored once, with its value, under the device of its topic.
    const from = new Date(T0 * 1000).toISOString();
    const to = new Date((T0 + 100_000) * 1000).toISOString();
    for (const device of devices) {
      const expected = ackedValid
        .filter((m) => m.device === device)
        .flatMap((m) => m.points ?? [])
        .sort(byTimeAndMeasurement);
      const { status, body } = await t.http(
        `/api/readings?device=${device.id}&from=${from}&to=${to}&limit=100000`,
      );
      expect(status).toBe(200);
      const stored = (body.points as Array<{ time: string; measurement: string; value: number }>)
        .map((p) => ({ measurement: p.measurement, time: Date.parse(p.time) / 1000, value: p.value }))
        .sort(byTimeAndMeasurement);
      expect(stored.length, `readings of ${device.id}`).toBe(expected.length);
      const wrong = stored.filter((p, i) => {
        const e = expected[i];
        return (
          !e || e.time !== p.time || e.measurement !== p.measurement || Math.abs(e.value - p.value) > 1e-9
        );
      });
      expect(wrong.slice(0, 3), `readings of ${device.id}`).toEqual([]);
    }

    // The projections still answer for every site the fuzz touched.
    for (const siteCode of new Set(devices.map((d) => d.siteCode))) {
      const stock = await t.http(`/api/sites/${siteCode}/stock`);
      expect(stock.status, `stock of ${siteCode}`).toBe(200);
      expect(stock.body.items.length).toBeGreaterThan(0);
    }

    // No payload reached Object.prototype or Array.prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(arrayPrototypeBefore);

    const megabytes = all.reduce((n, m) => n + m.payload.length, 0) / 1e6;
    console.log(
      `fuzz seed ${SEED}: ${messages.length + tricks.length} messages (${megabytes.toFixed(1)} MB) in ${publishSeconds.toFixed(1)} s ` +
        `(${hostile} hostile on the devices' own topics, ${tricks.length} topic tricks, ` +
        `${messages.length - hostile} valid); acknowledged ${acked.length}: ${ackedBad.length} dead letters, ` +
        `${ackedValid.length} stored; ${tricks.filter((m) => m.outcome === "refused").length} refused without PUBACK`,
    );
  }

  /** t.drained(), saying what the journal was left with when it does not drain. */
  async function drained(): Promise<void> {
    try {
      await t.drained();
    } catch (error) {
      const { ingest } = (await t.http("/api/health")).body;
      throw new Error(`${(error as Error).message}; ingest ${JSON.stringify(ingest)}`);
    }
  }

  /** Publishes a device's messages with up to WINDOW in flight, recording each outcome. */
  async function publishAll(client: MqttClient, own: Message[]): Promise<void> {
    const closed = new Promise<"refused">((resolve) => client.once("close", () => resolve("refused")));
    let next = 0;
    const worker = async () => {
      for (let m = own[next++]; m; m = own[next++]) {
        m.outcome = await Promise.race([
          client.publishAsync(m.topic, m.payload, { qos: 1 }).then(
            () => "acked" as const,
            () => "refused" as const,
          ),
          closed,
        ]);
        if (m.outcome === "refused") return;
      }
    };
    await Promise.all(Array.from({ length: WINDOW }, worker));
  }

  /** Writes bytes that are not MQTT to the broker's port, and hangs up after a moment. */
  async function sendRaw(bytes: Buffer): Promise<void> {
    const socket = net.connect(Number(new URL(t.platform.mqttUrl).port), "127.0.0.1");
    socket.on("error", () => {}); // the broker may reset it: that is its answer
    socket.write(bytes);
    await new Promise((resolve) => {
      socket.once("close", resolve);
      setTimeout(resolve, 500).unref();
    });
    socket.destroy();
  }

  /** One message on a fresh connection: acknowledged, or refused (publish error or connection closed). */
  async function publishOnce(m: Message): Promise<Outcome> {
    const client = await t.connect(m.device.id);
    const outcome = await Promise.race([
      client.publishAsync(m.topic, m.payload, { qos: 1 }).then(
        () => "acked" as const,
        () => "refused" as const,
      ),
      new Promise<"refused">((resolve) => client.once("close", () => resolve("refused"))),
      new Promise<"pending">((resolve) => setTimeout(() => resolve("pending"), 10_000).unref()),
    ]);
    await client.endAsync(true);
    return outcome;
  }
});

/** Valid readings are timed from here on, one second apart per device, so each has its own key. */
const T0 = Math.floor(Date.now() / 1000) - 12 * 3600;
/** Bad messages carry times from a range no valid one uses. */
const BAD_T0 = T0 - 200_000;

function generate(devices: Device[], epcs: Map<string, string[]>): Message[] {
  const random = seededRandom(SEED);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const clock = new Map<string, number>();
  const nextTime = (device: Device) => {
    const time = T0 + (clock.get(device.id) ?? 0);
    clock.set(device.id, time - T0 + 1);
    return time;
  };
  let badClock = 0;
  const badTime = () => BAD_T0 + badClock++;
  const zebraTime = (seconds: number) => new Date(seconds * 1000).toISOString().replace("Z", "+0000");
  const epcOf = (device: Device) => pick(epcs.get(device.id) ?? ["3074257BF7194E4000001A85"]);
  const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
  /** JSON text with some values spliced in verbatim (1e309, NaN, deep nesting...). */
  const splice = (value: unknown, raw: Record<string, string>) => {
    let text = JSON.stringify(value);
    for (const [marker, replacement] of Object.entries(raw)) text = text.replace(`"${marker}"`, replacement);
    return text;
  };
  const other = (device: Device) => pick(devices.filter((d) => d !== device));

  // Valid messages, and what each must be stored as.
  const senmlShelf = (device: Device, time: number, v = 20, extra: object[] = []) => [
    { bn: `urn:dev:shelf:${device.id}:`, bt: time, n: "weight", u: "kg", v },
    ...extra,
  ];
  const senmlEnv = (device: Device, time: number, temp = 21, hum = 45) => [
    { bn: `urn:dev:env:${device.id}:`, bt: time, n: "temp", u: "Cel", v: temp },
    { n: "hum", u: "%RH", v: hum },
  ];
  const zebra = (device: Device, time: number, reads = 1) => ({
    type: "SIMPLE",
    timestamp: zebraTime(time),
    data: { idHex: epcOf(device), format: "epc", antenna: 1, peakRssi: -55, reads },
  });
  const valid = (device: Device): { label: string; payload: string; points: Point[] } => {
    const time = nextTime(device);
    if (device.kind === "shelf") {
      const kg = int(0, 200_000) / 1000;
      switch (int(0, 3)) {
        case 0:
          return {
            label: "valid SenML weight in g",
            payload: senmlWeight(device.id, kg, time, "g"),
            points: [{ measurement: "weight", time, value: kg }],
          };
        case 1:
          // A name without the urn:dev: prefix is a measurement name, not a claim about the sender.
          return {
            label: "valid SenML weight under a base name that is not a device URN",
            payload: JSON.stringify([{ bn: "shelf-3/", bt: time, n: "weight", u: "kg", v: kg }]),
            points: [{ measurement: "weight", time, value: kg }],
          };
        case 2:
          // RFC 8141: the URN's "urn" and its namespace are case-insensitive.
          return {
            label: "valid SenML weight under its own device URN in upper case",
            payload: JSON.stringify([
              { bn: `URN:DEV:SHELF:${device.id}:`, bt: time, n: "weight", u: "kg", v: kg },
            ]),
            points: [{ measurement: "weight", time, value: kg }],
          };
        default:
          return {
            label: "valid SenML weight in kg",
            payload: senmlWeight(device.id, kg, time),
            points: [{ measurement: "weight", time, value: kg }],
          };
      }
    }
    if (device.kind === "env") {
      const temp = int(150, 250) / 10;
      const hum = int(30, 60);
      const points = [
        { measurement: "temp", time, value: temp },
        { measurement: "hum", time, value: hum },
      ];
      return random() < 0.7
        ? {
            label: "valid SenML temperature and humidity",
            payload: JSON.stringify(senmlEnv(device, time, temp, hum)),
            points,
          }
        : {
            // Own "__proto__" and "constructor" keys are plain data after JSON.parse.
            label: "valid flat environment reading beside __proto__ and constructor keys",
            payload: `{"__proto__":{"polluted":"env"},"constructor":{"prototype":{"polluted":"env"}},"temperature":${temp},"humidity":${hum},"time":${time}}`,
            points,
          };
    }
    const events = Array.from({ length: int(1, 3) }, () => zebra(device, time, int(1, 4)));
    return {
      label: "valid Zebra tag reads",
      payload: JSON.stringify(events.length === 1 ? events[0] : events),
      points: [{ measurement: "tag_reads", time, value: events.reduce((sum, e) => sum + e.data.reads, 0) }],
    };
  };
  /** A valid-looking payload of the device's format, for truncation, padding and corruption. */
  const sample = (device: Device) =>
    device.kind === "shelf"
      ? JSON.stringify(senmlShelf(device, badTime()))
      : device.kind === "env"
        ? JSON.stringify(senmlEnv(device, badTime()))
        : JSON.stringify(zebra(device, badTime()));

  // Hostile payloads, each of which the platform must refuse on the device's own topic.
  type Make = (device: Device) => string | Buffer;
  const anyKind: Array<[string, Make]> = [
    ["random bytes", () => Buffer.from(Array.from({ length: int(1, 2048) }, () => int(0, 255)))],
    ["empty payload", () => Buffer.alloc(0)],
    [
      "truncated JSON",
      (d) => {
        const text = sample(d);
        return text.slice(0, int(1, text.length - 1));
      },
    ],
    [
      "unknown format",
      () =>
        pick([
          "<reading><weight unit='kg'>20</weight></reading>",
          "weight,20,kg",
          "weight=20kg",
          "- n: weight\n  v: 20",
          "null",
          "true",
          "42",
          '"a string"',
          Buffer.from([0x9f, 0x01, 0x02, 0xff]), // CBOR indefinite array
          Buffer.from([0x82, 0xa1, 0x76, 0xcb, 0x40, 0x34, 0, 0, 0, 0, 0, 0]), // MessagePack
        ]),
    ],
    [
      "over the size limit",
      (d) => {
        const text = sample(d);
        return text + " ".repeat(MAX_PAYLOAD_BYTES - text.length + int(1, 8000));
      },
    ],
    ["10,000 nested arrays", () => nested(10_000)],
    ["33 to 100,000 nested arrays", () => nested(pick([33, 64, 1000, 100_000]))],
    [
      "a reading dated in the future or the distant past",
      (d) => {
        // Beyond the clock window (MAX_CLOCK_SKEW_S, 300 s) or the age limit (MAX_READING_AGE_S,
        // 7 days) of the receive time; 2200 once froze a shelf's count for good.
        const now = Math.floor(Date.now() / 1000);
        const when = pick([
          now + 3600,
          now + 86_400 * 365,
          Math.floor(Date.UTC(2200, 0, 1) / 1000),
          Math.floor(Date.UTC(2262, 3, 1) / 1000),
          now - 86_400 * 8,
          now - 86_400 * 365 * 20,
          2 ** 28,
        ]);
        if (d.kind === "shelf") return senmlWeight(d.id, 20, when);
        if (d.kind === "rfid") {
          return random() < 0.5
            ? JSON.stringify(zebra(d, when))
            : JSON.stringify({
                timestamp: new Date(when * 1000).toISOString(),
                eventType: "tagInventory",
                tagInventoryEvent: { epcHex: epcOf(d), antennaPort: 1, peakRssiCdbm: -5500 },
              });
        }
        return random() < 0.5
          ? JSON.stringify(senmlEnv(d, when))
          : JSON.stringify({ temperature: 21, humidity: 45, time: when });
      },
    ],
    ["3,000 nested objects", () => `${'{"a":'.repeat(3000)}1${"}".repeat(3000)}`],
    [
      "control character",
      (d) => {
        const text = sample(d);
        const at = int(0, text.length);
        const control = String.fromCharCode(pick([0, 1, 2, 7, 8, 11, 12, 27, 31]));
        return text.slice(0, at) + control + text.slice(at);
      },
    ],
    [
      "invalid UTF-8 around the JSON",
      (d) => {
        const bad = Buffer.from(
          pick([[0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xef, 0xbb, 0xbf]]),
        );
        const text = Buffer.from(sample(d));
        return random() < 0.5 ? Buffer.concat([bad, text]) : Buffer.concat([text, bad]);
      },
    ],
  ];
  const senmlBad = (kindRecord: (d: Device) => Record<string, unknown>): Array<[string, Make]> => [
    [
      "SenML field of the wrong type",
      (d) => {
        const record = kindRecord(d);
        const field = pick(["bn", "bt", "n", "u", "v", "bu", "bv"]);
        const numeric = ["bt", "v", "bv"].includes(field);
        record[field] = numeric
          ? pick(["20", true, null, [], {}, [1]])
          : pick([42, true, null, [], {}, ["x"]]);
        return JSON.stringify([record]);
      },
    ],
    ["SenML record that is not an object", () => JSON.stringify([pick([42, "x", null, true, [1, 2]])])],
    ["SenML pack that is not an array", (d) => JSON.stringify(kindRecord(d))],
    [
      "SenML number as a string",
      (d) => {
        const record = kindRecord(d);
        const field = pick(["v", "bt", "t", "bv"]);
        record[field] = String(pick([20.5, 1795600000, 5, "0x14"]));
        return JSON.stringify([record]);
      },
    ],
    [
      "SenML huge number",
      (d) =>
        pick([
          () => splice([{ ...kindRecord(d), bt: "X" }], { X: pick(["1e308", "-1e308", "1e300"]) }),
          () => splice([{ ...kindRecord(d), t: "X" }], { X: pick(["1e308", "-1e308"]) }),
          () =>
            splice([{ ...kindRecord(d), v: "X" }], { X: pick(["1e309", "-1e309", `1${"0".repeat(400)}`]) }),
          // Each part finite, their sum not.
          () => splice([{ ...kindRecord(d), bv: "X", v: "Y" }], { X: "1e308", Y: "1e308" }),
          () => splice([{ ...kindRecord(d), bv: "X", v: "Y" }], { X: "-1.7e308", Y: "-1.7e308" }),
        ])(),
    ],
    [
      "SenML NaN or Infinity",
      (d) =>
        random() < 0.5
          ? JSON.stringify([{ ...kindRecord(d), v: pick(["NaN", "Infinity", "-Infinity", "1e309"]) }])
          : splice([{ ...kindRecord(d), v: "X" }], {
              X: pick(["NaN", "Infinity", "-Infinity", "undefined"]),
            }),
    ],
    [
      "SenML very long string",
      (d) =>
        JSON.stringify([
          pick([
            { ...kindRecord(d), v: "9".repeat(int(1000, 20_000)) },
            { ...kindRecord(d), n: `${"w".repeat(int(1000, 20_000))} ` },
            { ...kindRecord(d), bn: `urn:dev:x:${"x".repeat(int(1000, 20_000))}:%` },
          ]),
        ]),
    ],
    [
      "SenML invalid base name",
      (d) =>
        JSON.stringify([
          {
            ...kindRecord(d),
            bn: pick([
              "-starts-with-a-dash:",
              " leading-space:",
              `urn:dev:shelf:${d.id}:%`,
              "urn dev shelf ",
              "ünïcode:",
              "#",
              "urn:dev:shelf:\u0000:",
              "urn:dev:\ud800:",
              "urn:dev:\u0007:",
            ]),
          },
        ]),
    ],
    [
      "SenML base name with invalid UTF-8",
      (d) => {
        const [head, tail] = JSON.stringify([kindRecord(d)]).split("urn:dev:");
        return Buffer.concat([
          Buffer.from(`${head}urn:`),
          Buffer.from([pick([0xff, 0xc3, 0x80, 0xfe])]),
          Buffer.from(`dev:${tail}`),
        ]);
      },
    ],
    [
      "SenML feature the platform does not take",
      (d) =>
        JSON.stringify(
          pick([
            [{ ...kindRecord(d), foo_: 1 }],
            [{ ...kindRecord(d), bver: 99 }],
            [{ ...kindRecord(d), v: undefined, vs: "twenty" }],
            [{ ...kindRecord(d), v: undefined, vb: true }],
            [{ ...kindRecord(d), v: undefined, vd: "AAEC" }],
            [{ ...kindRecord(d), v: undefined, s: 20 }],
            [{ ...kindRecord(d), v: undefined }],
            [{ bn: `urn:dev:x:${d.id}:`, bt: badTime() }],
            [],
          ]),
        ),
    ],
    [
      "SenML behind __proto__ or constructor keys",
      (d) =>
        pick([
          `[{"__proto__":${JSON.stringify(kindRecord(d))}}]`,
          `[{"constructor":{"prototype":{"v":20}},"bn":"urn:dev:x:${d.id}:","n":"weight","u":"kg"}]`,
          `[{"__proto__":{"v":20,"polluted":"senml"},"bn":"urn:dev:x:${d.id}:","n":"weight","u":"kg"}]`,
        ]),
    ],
    ["SenML value nested 10,000 deep", (d) => splice([{ ...kindRecord(d), v: "X" }], { X: nested(10_000) })],
    [
      "SenML pack of more than 1,000 records",
      (d) =>
        JSON.stringify([
          kindRecord(d),
          ...Array.from({ length: pick([1000, 1001, 5000]) }, (_, i) => ({ t: i + 1, v: 20 })),
        ]),
    ],
  ];
  const shelfRecord = (d: Device): Record<string, unknown> =>
    senmlShelf(d, badTime())[0] as Record<string, unknown>;
  const envRecord = (d: Device): Record<string, unknown> =>
    senmlEnv(d, badTime())[0] as Record<string, unknown>;
  const shelfBad: Array<[string, Make]> = [
    ...senmlBad(shelfRecord),
    [
      "SenML weight in an unknown unit",
      (d) =>
        JSON.stringify([
          {
            ...shelfRecord(d),
            u: pick([
              "lb",
              "KG",
              "Kg",
              "kgs",
              "stone",
              "constructor",
              "__proto__",
              "toString",
              "",
              "Cel",
              "kilogram",
            ]),
          },
        ]),
    ],
    [
      "SenML very long unit",
      (d) => JSON.stringify([{ ...shelfRecord(d), u: "k".repeat(int(1000, 20_000)) }]),
    ],
    [
      // Unit names that are Object.prototype's own keys once made a NaN reading; now no shelf takes
      // a unit other than kg and g, whatever the record is called.
      "SenML weight with an extra record in a unit no shelf takes",
      (d) =>
        JSON.stringify(
          senmlShelf(d, badTime(), 20, [
            {
              n: "aux",
              u: pick(["constructor", "__proto__", "toString", "valueOf", "Cel", "%RH", "lb"]),
              v: 1,
            },
          ]),
        ),
    ],
    [
      "SenML weight whose base name names another device",
      (d) =>
        pick([
          () => senmlWeight(other(d).id, 20, badTime()),
          () => JSON.stringify([{ ...shelfRecord(d), bn: `URN:DEV:SHELF:${other(d).id}:` }]),
          () => JSON.stringify([{ ...shelfRecord(d), bn: "urn:dev:", n: `shelf:${other(d).id}:weight` }]),
        ])(),
    ],
    [
      "SenML weight no shelf can carry",
      (d) =>
        pick([
          () => JSON.stringify([{ ...shelfRecord(d), v: pick([-50, -0.5 * int(20, 2000), 100_000, 1e12]) }]),
          () => splice([{ ...shelfRecord(d), v: "X" }], { X: pick(["1e308", "-1e308", "1.7e308"]) }),
        ])(),
    ],
    [
      "valid JSON for another kind of device",
      (d) =>
        pick([
          JSON.stringify(senmlEnv(d, badTime())),
          JSON.stringify(zebra(d, badTime())),
          '{"temperature":21.5,"humidity":48}',
          '{"online":true}',
        ]),
    ],
  ];
  const flat = () => ({ temperature: 21, humidity: 45, battery: 90 }) as Record<string, unknown>;
  const envBad: Array<[string, Make]> = [
    ...senmlBad(envRecord),
    [
      "SenML environment reading in a unit the platform does not take",
      (d) =>
        JSON.stringify(
          pick<object[]>([
            [{ ...envRecord(d), u: "K", v: 295 }],
            [{ ...envRecord(d), u: "degF", v: 70 }],
            [{ ...envRecord(d), u: undefined, v: 21 }],
            [{ ...envRecord(d), n: "dewpoint", u: "Cel", v: 12 }],
            [{ ...envRecord(d) }, { n: "hum", u: "%", v: 40 }],
            [{ ...envRecord(d) }, { n: "hum", v: 40 }],
          ]),
        ),
    ],
    [
      "SenML environment value no storeroom can have",
      (d) =>
        pick([
          () => JSON.stringify([{ ...envRecord(d), v: pick([-90, 150, 1000, -273.15]) }]),
          () => JSON.stringify([{ ...envRecord(d) }, { n: "hum", u: "%RH", v: pick([-20, 100.5, 250]) }]),
          () => splice([{ ...envRecord(d), v: "X" }], { X: pick(["1e308", "-1e308"]) }),
        ])(),
    ],
    ["SenML environment pack naming another device", (d) => JSON.stringify(senmlEnv(other(d), badTime()))],
    [
      "flat environment field of the wrong type",
      () => {
        const body = flat();
        body[pick(["temperature", "humidity", "battery"])] = pick(["21", true, null, [], {}, [21]]);
        return JSON.stringify(body);
      },
    ],
    [
      "flat environment number as a string",
      () =>
        JSON.stringify({
          ...flat(),
          [pick(["temperature", "humidity", "battery"])]: pick(["21.5", "NaN", "Infinity"]),
        }),
    ],
    [
      "flat environment huge number",
      () =>
        splice(
          { ...flat(), [pick(["temperature", "humidity", "battery", "time"])]: "X" },
          {
            X: pick(["1e308", "-1e308", "1e309", "-1e309"]),
          },
        ),
    ],
    [
      "flat environment value out of range",
      () =>
        JSON.stringify({
          ...flat(),
          ...pick([
            { temperature: 101 },
            { temperature: -61 },
            { humidity: 100.5 },
            { humidity: -1 },
            { battery: 101 },
          ]),
        }),
    ],
    [
      "flat environment bad time",
      () =>
        JSON.stringify({
          ...flat(),
          ...pick<Record<string, unknown>>([
            { time: true },
            { time: null },
            { time: [] },
            { time: "yesterday" },
            { time: "2026-11-20T08:15:02" },
            { time: -5 },
            { time: 1e11 },
            { timestamp: {} },
            { time: 1795600000, timestamp: 1795600001 },
          ]),
        }),
    ],
    [
      "flat environment behind __proto__ or constructor keys",
      () =>
        pick([
          '{"__proto__":{"temperature":21,"humidity":45}}',
          '{"constructor":{"prototype":{"temperature":21}},"battery":90}',
          '{"battery":90}',
          "{}",
        ]),
    ],
    ["flat environment value nested 10,000 deep", () => splice({ temperature: "X" }, { X: nested(10_000) })],
    [
      "valid JSON for another kind of device",
      (d) =>
        pick([
          JSON.stringify(zebra(d, badTime())),
          '{"online":true}',
          JSON.stringify({ tagInventoryEvent: { epcHex: "3074257BF7194E4000001A85" } }),
        ]),
    ],
  ];
  const rfidBad: Array<[string, Make]> = [
    [
      "Zebra field of the wrong type",
      (d) => {
        const event: Record<string, unknown> = zebra(d, badTime());
        const data: Record<string, unknown> = { ...(event.data as object) };
        event.data = data;
        const field = pick(["timestamp", "data", "idHex", "reads", "antenna", "peakRssi"]);
        if (field === "timestamp") event.timestamp = pick([1795600000, true, null, [], {}]);
        else if (field === "data") event.data = pick(["x", 5, true, null, [], [1]]);
        else if (field === "idHex") data.idHex = pick([123, true, null, [], {}]);
        // Optional fields may be null or missing; a number is a valid peakRssi at any sign.
        else if (field === "peakRssi") data.peakRssi = pick(["-58", true, [], {}, [1]]);
        else data[field] = pick(["2", true, [], {}, [1], -1, 1.5]);
        return JSON.stringify(event);
      },
    ],
    [
      "Zebra number as a string",
      (d) => {
        const event = zebra(d, badTime());
        return JSON.stringify({
          ...event,
          data: { ...event.data, [pick(["reads", "antenna", "peakRssi"])]: pick(["2", "1", "-58"]) },
        });
      },
    ],
    [
      "Zebra huge number",
      (d) =>
        pick([
          // Each read count finite, their sum not.
          () =>
            `[${[0, 1].map(() => JSON.stringify(zebra(d, badTime())).replace('"reads":1', '"reads":1e308')).join(",")}]`,
          () =>
            JSON.stringify(zebra(d, badTime())).replace(
              '"peakRssi":-55',
              `"peakRssi":${pick(["1e309", "-1e309"])}`,
            ),
          () => JSON.stringify(zebra(d, badTime())).replace('"antenna":1', '"antenna":1e309'),
          () => JSON.stringify({ ...zebra(d, badTime()), timestamp: "99999-11-20T08:15:02.120+0000" }),
        ])(),
    ],
    [
      "Zebra NaN or Infinity",
      (d) =>
        JSON.stringify(zebra(d, badTime())).replace(
          '"peakRssi":-55',
          `"peakRssi":${pick(["NaN", "Infinity", '"NaN"', '"-Infinity"'])}`,
        ),
    ],
    [
      "Zebra very long string",
      (d) => {
        const event = zebra(d, badTime());
        return random() < 0.5
          ? JSON.stringify({ ...event, data: { ...event.data, idHex: "A".repeat(int(126, 20_000)) } })
          : JSON.stringify({
              ...event,
              timestamp: `2026-11-20T08:15:02.${"1".repeat(int(1000, 20_000))}+0000`,
            });
      },
    ],
    [
      "Zebra EPC that is not hex",
      (d) => {
        const event = zebra(d, badTime());
        const idHex = pick([
          "3074257bf7194e4000001a8",
          "ZZ74257BF7194E4000001A85",
          "",
          "307425",
          "3074-257B-F719-4E40",
          "\u00013074257BF7194E4000001A85",
          "3074257BF7194E4000001A85\ud800",
        ]);
        return JSON.stringify({ ...event, data: { ...event.data, idHex } });
      },
    ],
    [
      "Zebra EPC with invalid UTF-8",
      (d) => {
        const [head, tail] = JSON.stringify(zebra(d, badTime())).split('"idHex":"');
        return Buffer.concat([
          Buffer.from(`${head}"idHex":"30`),
          Buffer.from([0xff, 0xfe]),
          Buffer.from(tail ?? ""),
        ]);
      },
    ],
    [
      "Impinj event that does not add up",
      (d) =>
        JSON.stringify(
          pick<unknown>([
            {
              timestamp: "2026-11-20T00:15:02.1Z",
              eventType: "tagInventory",
              tagInventoryEvent: { epc: "MHQle/cZTkAAABq!" },
            },
            {
              timestamp: "2026-11-20T00:15:02.1Z",
              tagInventoryEvent: { epc: "MHQle/cZTkAAABqF", epcHex: "3074257BF7194E4000001A86" },
            },
            {
              timestamp: "2026-11-20T00:15:02.1Z",
              tagInventoryEvent: { epcHex: epcOf(d) },
              antennaConnectedEvent: {},
            },
            { timestamp: "2026-11-20T00:15:02.1Z", eventType: "tagInventory", antennaConnectedEvent: {} },
            { timestamp: "2026-11-20T00:15:02.1Z", eventType: "tagInventory", tagInventoryEvent: "x" },
            { timestamp: "2026-11-20T00:15:02", tagInventoryEvent: { epcHex: epcOf(d) } },
            { timestamp: "2026-11-20T00:15:02.1Z", eventType: 7 },
            { timestamp: "2026-11-20T00:15:02.1Z", tagInventoryEvent: {} },
          ]),
        ),
    ],
    [
      "RFID batch mixing formats",
      (d) =>
        JSON.stringify([
          zebra(d, badTime()),
          { timestamp: "2026-11-20T00:15:02.1Z", tagInventoryEvent: { epcHex: epcOf(d) } },
        ]),
    ],
    ["RFID empty batch", () => "[]"],
    ["RFID batch of 10,001 events", () => `[${Array.from({ length: 10_001 }, () => "0").join(",")}]`],
    [
      "RFID behind __proto__ or constructor keys",
      (d) =>
        pick([
          `{"__proto__":${JSON.stringify(zebra(d, badTime()))}}`,
          `{"constructor":{"prototype":{"type":"SIMPLE"}},"timestamp":"2026-11-20T08:15:02.120+0000"}`,
          `[{"__proto__":{"tagInventoryEvent":{"epcHex":"${epcOf(d)}"}},"timestamp":"2026-11-20T00:15:02.1Z"}]`,
        ]),
    ],
    [
      "Zebra EPC nested 10,000 deep",
      (d) => JSON.stringify(zebra(d, badTime())).replace(/"idHex":"[0-9A-F]+"/, `"idHex":${nested(10_000)}`),
    ],
    [
      "valid JSON for another kind of device",
      (d) =>
        pick([
          JSON.stringify(senmlShelf(d, badTime())),
          JSON.stringify(senmlEnv(d, badTime())),
          '{"temperature":21.5,"humidity":48}',
          '{"online":true}',
          "{}",
        ]),
    ],
  ];
  const statusBad: Array<[string, () => string]> = [
    [
      "status that is not a boolean",
      () => JSON.stringify({ online: pick(["yes", 1, 0, null, [], {}, "true"]) }),
    ],
    [
      "status of another shape",
      () =>
        pick(["[]", "{}", "true", '{"online":true', '{"__proto__":{"online":true}}', '[{"online":true}]']),
    ],
  ];
  const hostileFor: Record<DeviceKind, Array<[string, Make]>> = {
    shelf: [...anyKind, ...shelfBad],
    env: [...anyKind, ...envBad],
    rfid: [...anyKind, ...rfidBad],
  };

  const messages: Message[] = [];
  let hostile = 0;
  while (hostile < HOSTILE_MESSAGES) {
    const device = pick(devices);
    if (random() < VALID_SHARE) {
      const m = valid(device);
      messages.push({
        ...m,
        device,
        topic: device.topic,
        payload: Buffer.from(m.payload),
        outcome: "pending",
      });
      continue;
    }
    hostile++;
    if (random() < 0.03) {
      const [label, make] = pick(statusBad);
      messages.push({
        label,
        device,
        topic: device.statusTopic,
        payload: Buffer.from(make()),
        points: null,
        outcome: "pending",
      });
      continue;
    }
    // Payloads of kilobytes (deep nesting, long strings, over the limit) come a quarter as often as
    // the rest, which keeps the run short without leaving any kind out.
    for (;;) {
      const [label, make] = pick(hostileFor[device.kind]);
      const made = make(device);
      const payload = typeof made === "string" ? Buffer.from(made) : made;
      if (payload.length > 4096 && random() > 0.25) continue;
      messages.push({ label, device, topic: device.topic, payload, points: null, outcome: "pending" });
      break;
    }
  }
  return messages;
}

/**
 * Publishes outside the device's own topics, each with a payload that would be a valid reading
 * (so one wrongly taken in would show up as stored, not only as a missing dead letter).
 */
function topicTricks(devices: Device[]): Message[] {
  const random = seededRandom(SEED + 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const tricks: Message[] = [];
  for (let i = 0; i < 120; i++) {
    const device = pick(devices.filter((d) => d.kind === "shelf"));
    const neighbour = pick(devices.filter((d) => d.siteCode !== device.siteCode));
    const [label, topic] = pick<[string, string]>([
      ["unknown site", `sites/XX-NOWHERE/shelf/${device.id}`],
      ["unknown device", `sites/${device.siteCode}/shelf/NO-SUCH-DEVICE-${i}`],
      ["another device's topic", neighbour.topic],
      ["its id under another site", `sites/${neighbour.siteCode}/shelf/${device.id}`],
      ["its id under another kind", `sites/${device.siteCode}/env/${device.id}`],
      ["its command topic", `sites/${device.siteCode}/cmd/${device.id}`],
      ["an extra level", `${device.topic}/extra`],
      ["a trailing slash", `${device.topic}/`],
      ["a missing level", `sites/${device.siteCode}/shelf`],
      ["not a device topic", "warehouse/door"],
      ["control characters", `sites/${device.siteCode}/shelf/${device.id}\u0001\u001b`],
      ["a 60,000-character topic", `sites/${device.siteCode}/shelf/${"x".repeat(60_000)}`],
      ["a + wildcard", `sites/+/shelf/${device.id}`],
      ["a # wildcard", `sites/${device.siteCode}/#`],
      ["$SYS", "$SYS/broker/clients/connected"],
      ["$SYS", `$SYS/${device.topic}`],
    ]);
    tricks.push({
      label: `topic trick: ${label}`,
      device,
      topic,
      payload: Buffer.from(senmlWeight(device.id, 20, BAD_T0 - 1000 - i)),
      points: null,
      outcome: "pending",
    });
  }
  return tricks;
}

/** Random byte strings for the raw MQTT port, some starting like a CONNECT or PUBLISH packet. */
function garbage(): Buffer[] {
  const random = seededRandom(SEED + 2);
  const byte = () => Math.floor(random() * 256);
  return Array.from({ length: 20 }, (_, i) => {
    const bytes = Array.from({ length: 1 + Math.floor(random() * 512) }, byte);
    if (i % 3 === 1) bytes.unshift(0x10, byte()); // CONNECT with a random remaining length
    if (i % 3 === 2) bytes.unshift(0x32, byte()); // QoS 1 PUBLISH before any CONNECT
    return Buffer.from(bytes);
  });
}

function multiset(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** What differs between two multisets, described by label (for a readable failure). */
function difference(
  actual: Map<string, number>,
  expected: Map<string, number>,
  name: (key: string) => string,
): string[] {
  const out: string[] = [];
  for (const key of new Set([...actual.keys(), ...expected.keys()])) {
    const a = actual.get(key) ?? 0;
    const e = expected.get(key) ?? 0;
    if (a !== e) out.push(`${name(key)}: ${a} instead of ${e}`);
  }
  return out.slice(0, 10);
}

function byTimeAndMeasurement(a: Point, b: Point): number {
  return a.time - b.time || a.measurement.localeCompare(b.measurement);
}
