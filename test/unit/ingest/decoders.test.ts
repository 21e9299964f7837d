import { describe, expect, it } from "vitest";
import { DEFAULT_READING_LIMITS, type ReadingLimits } from "../../../server/domain/reading-limits.ts";
import { DecodeError, decodeMessage } from "../../../server/ingest/decoders/index.ts";

const AT = Date.UTC(2026, 10, 20, 8, 0, 0);
const AT_S = AT / 1000;
type Kind = "shelf" | "env" | "status" | "rfid";
const topic = (kind: Kind) => ({ siteCode: "NX-C01", kind, deviceId: "D1" });
const decode = (
  kind: Kind,
  payload: string,
  options: { limits?: ReadingLimits; capacityKg?: number | null; receivedAt?: number } = {},
) =>
  decodeMessage(
    topic(kind),
    Buffer.from(payload),
    options.receivedAt ?? AT,
    options.limits ?? DEFAULT_READING_LIMITS,
    options.capacityKg ?? null,
  );
/** The reason decode() refuses the payload with; fails the test when it takes it. */
const refusal = (kind: Kind, payload: string, options: Parameters<typeof decode>[2] = {}) => {
  try {
    decode(kind, payload, options);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return (error as Error).message;
  }
  throw new Error(`${kind} payload was accepted: ${payload.slice(0, 80)}`);
};
/** A shelf's SenML weight; unit null sends none. */
const shelfPack = (v: number, u: string | null = "kg", extra: object = {}) =>
  JSON.stringify([{ bn: "urn:dev:shelf:D1:", n: "weight", ...(u === null ? {} : { u }), v, ...extra }]);
const envPack = (records: object[]) => JSON.stringify([{ bn: "urn:dev:env:D1:" }, ...records]);

describe("device message decoding by topic kind", () => {
  it("turns a shelf pack into weight readings tagged with site and device", () => {
    const decoded = decode("shelf", '[{"n":"load","u":"g","v":5000}]');
    expect(decoded.readings).toEqual([
      {
        deviceId: "D1",
        siteCode: "NX-C01",
        kind: "shelf",
        measurement: "weight",
        unit: "kg",
        value: 5,
        time: AT,
      },
    ]);
  });

  it("keeps every environment record under its own measurement", () => {
    const decoded = decode(
      "env",
      '[{"bn":"urn:dev:env:D1:","n":"temp","u":"Cel","v":21.5},{"n":"hum","u":"%RH","v":48},{"n":"battery","u":"%EL","v":91}]',
    );
    expect(decoded.readings.map((r) => [r.measurement, r.unit, r.value])).toEqual([
      ["temp", "Cel", 21.5],
      ["hum", "%RH", 48],
      ["battery", "%", 91],
    ]);
  });

  it("reads heartbeats and last wills as an online series", () => {
    expect(decode("status", '{"online":false}').readings[0]?.value).toBe(0);
    expect(() => decode("status", '{"online":"yes"}')).toThrow(/boolean "online"/);
  });

  it("refuses an RFID message that is no reader event", () => {
    expect(() => decode("rfid", "{}")).toThrow(DecodeError);
  });
});

describe("units a kind of device may send", () => {
  it.each([
    [
      "a temperature",
      '[{"n":"temp","u":"Cel","v":20}]',
      'record 0: unit "Cel" is not accepted on a shelf; send kg or g',
    ],
    ["pounds", shelfPack(40, "lb"), 'record 0: unit "lb" is not accepted on a shelf; send kg or g'],
    ["no unit", shelfPack(40, null), "record 0 has no unit; a shelf sends kg or g"],
    [
      "an extra record in another unit",
      JSON.stringify([
        { bn: "urn:dev:shelf:D1:", n: "weight", u: "kg", v: 40 },
        { n: "aux", u: "constructor", v: 1 },
      ]),
      'record 1: unit "constructor" is not accepted on a shelf; send kg or g',
    ],
  ])("refuses a shelf pack with %s", (_label, payload, reason) => {
    expect(refusal("shelf", payload)).toBe(reason);
  });

  it.each([
    [
      "kelvin (295 K)",
      [{ n: "temp", u: "K", v: 295 }],
      'record 1: unit "K" is not accepted on env; send Cel, %RH or %EL',
    ],
    [
      "Fahrenheit",
      [{ n: "temp", u: "degF", v: 70 }],
      'record 1: unit "degF" is not accepted on env; send Cel, %RH or %EL',
    ],
    ["no unit", [{ n: "temp", v: 21 }], "record 1 has no unit; env takes Cel, %RH or %EL"],
    [
      "a mass",
      [{ n: "temp", u: "kg", v: 21 }],
      'record 1: unit "kg" is not accepted on env; send Cel, %RH or %EL',
    ],
    [
      "a dew point in Cel",
      [{ n: "dewpoint", u: "Cel", v: 9 }],
      'record 1: "dewpoint" in Cel is not an env measurement; send temp in Cel, hum in %RH or battery in %EL',
    ],
    [
      "a humidity named as a temperature",
      [{ n: "temp", u: "%RH", v: 50 }],
      'record 1: "temp" in %RH is not an env measurement; send temp in Cel, hum in %RH or battery in %EL',
    ],
  ])("refuses an environment pack with %s", (_label, records, reason) => {
    expect(refusal("env", envPack(records))).toBe(reason);
  });
});

describe("plausible values", () => {
  it("takes a shelf's weights from 2 % below zero to 2 % above its capacity", () => {
    expect(decode("shelf", shelfPack(-6), { capacityKg: 300 }).readings[0]?.value).toBe(-6);
    expect(decode("shelf", shelfPack(306), { capacityKg: 300 }).readings[0]?.value).toBe(306);
    expect(decode("shelf", shelfPack(1020)).readings[0]?.value).toBe(1020);
  });

  it.each([
    [
      "−50 kg",
      shelfPack(-50),
      null,
      "record 0: weight -50 kg is outside -20..1020 kg, the plausible range of a shelf of 1000 kg capacity",
    ],
    [
      "1e308 kg",
      shelfPack(1e308),
      null,
      "record 0: weight 1e+308 kg is outside -20..1020 kg, the plausible range of a shelf of 1000 kg capacity",
    ],
    [
      "more than its own capacity",
      shelfPack(307),
      300,
      "record 0: weight 307 kg is outside -6..306 kg, the plausible range of a shelf of 300 kg capacity",
    ],
    [
      "−6.5 kg on a 300 kg shelf",
      shelfPack(-6500, "g"),
      300,
      "record 0: weight -6.5 kg is outside -6..306 kg, the plausible range of a shelf of 300 kg capacity",
    ],
  ])("refuses a shelf weight of %s", (_label, payload, capacityKg, reason) => {
    expect(refusal("shelf", payload, { capacityKg })).toBe(reason);
  });

  it("weighs a shelf without a recorded capacity against the configured default", () => {
    const limits = { ...DEFAULT_READING_LIMITS, defaultShelfCapacityKg: 100 };
    expect(refusal("shelf", shelfPack(150), { limits })).toBe(
      "record 0: weight 150 kg is outside -2..102 kg, the plausible range of a shelf of 100 kg capacity",
    );
  });

  it.each([
    ["1e308 Cel", [{ n: "temp", u: "Cel", v: 1e308 }], "record 1: temp 1e+308 is outside -60..100 Cel"],
    ["−20 %RH", [{ n: "hum", u: "%RH", v: -20 }], "record 1: hum -20 is outside 0..100 %RH"],
    [
      "a battery above 100 %EL",
      [{ n: "battery", u: "%EL", v: 101 }],
      "record 1: battery 101 is outside 0..100 %EL",
    ],
  ])("refuses an environment reading of %s", (_label, records, reason) => {
    expect(refusal("env", envPack(records))).toBe(reason);
  });

  it("checks SenML and the flat form against the same configured ranges", () => {
    const limits = {
      ...DEFAULT_READING_LIMITS,
      temperatureC: { min: -10, max: 40 },
      humidityPct: { min: 5, max: 95 },
    };
    expect(refusal("env", envPack([{ n: "temp", u: "Cel", v: 45 }]), { limits })).toBe(
      "record 1: temp 45 is outside -10..40 Cel",
    );
    expect(refusal("env", '{"temperature":45}', { limits })).toBe("temperature 45 is outside -10..40 Cel");
    expect(refusal("env", envPack([{ n: "hum", u: "%RH", v: 2 }]), { limits })).toBe(
      "record 1: hum 2 is outside 5..95 %RH",
    );
    expect(refusal("env", '{"humidity":2}', { limits })).toBe("humidity 2 is outside 5..95 %RH");
    expect(decode("env", '{"temperature":39.5,"humidity":94}', { limits }).readings).toHaveLength(2);
  });

  it("refuses readings whose parts add up to Infinity", () => {
    expect(refusal("shelf", '[{"bv":1.7e308,"n":"weight","u":"kg","v":1.7e308}]')).toBe(
      "record 0: weight Infinity kg is outside -20..1020 kg, the plausible range of a shelf of 1000 kg capacity",
    );
  });
});

describe("reading times", () => {
  const limits = { ...DEFAULT_READING_LIMITS, maxClockSkewMs: 300_000, maxReadingAgeMs: 7 * 86_400_000 };

  it("takes readings up to the clock skew ahead and up to the reading age behind the receive time", () => {
    expect(decode("shelf", shelfPack(20, "kg", { bt: AT_S + 300 }), { limits }).readings[0]?.time).toBe(
      AT + 300_000,
    );
    expect(decode("shelf", shelfPack(20, "kg", { bt: AT_S - 7 * 86_400 }), { limits }).readings).toHaveLength(
      1,
    );
    // SenML relative times count from the receive time: 30 s ago is fine by definition.
    expect(
      decode("env", envPack([{ n: "temp", u: "Cel", v: 20, t: -30 }]), { limits }).readings[0]?.time,
    ).toBe(AT - 30_000);
  });

  it("refuses a shelf reading dated 2200, which would make every later real reading look late", () => {
    expect(refusal("shelf", shelfPack(20, "kg", { bt: Date.UTC(2200, 0, 1) / 1000 }), { limits })).toBe(
      "reading time 2200-01-01T00:00:00.000Z is 5462956800 s after the message arrived (2026-11-20T08:00:00.000Z); " +
        "the device clock is wrong: at most 300 s ahead is accepted (MAX_CLOCK_SKEW_S)",
    );
  });

  it.each<[string, Kind, string]>([
    ["a SenML shelf reading", "shelf", shelfPack(20, "kg", { bt: AT_S + 301 })],
    ["a SenML environment reading", "env", envPack([{ n: "temp", u: "Cel", v: 20, bt: AT_S + 301 }])],
    ["a flat environment reading", "env", `{"temperature":20,"time":${AT_S + 301}}`],
    [
      "a Zebra tag read",
      "rfid",
      '{"type":"SIMPLE","timestamp":"2026-11-20T08:05:01.000+0000","data":{"idHex":"3074257bf7194e4000001a85","format":"epc"}}',
    ],
  ])("refuses %s dated beyond the clock skew", (_label, kind, payload) => {
    expect(refusal(kind, payload, { limits })).toBe(
      "reading time 2026-11-20T08:05:01.000Z is 301 s after the message arrived (2026-11-20T08:00:00.000Z); " +
        "the device clock is wrong: at most 300 s ahead is accepted (MAX_CLOCK_SKEW_S)",
    );
  });

  it("refuses an RFID batch when any one of its tag reads is dated in the future", () => {
    const event = (timestamp: string) => ({
      type: "INVENTORY",
      timestamp,
      data: { idHex: "3074257bf7194e4000001a85", format: "epc" },
    });
    const batch = JSON.stringify([event("2026-11-20T07:59:00.000Z"), event("2030-01-01T00:00:00.000Z")]);
    expect(refusal("rfid", batch, { limits })).toMatch(
      /^reading time 2030-01-01T00:00:00.000Z is \d+ s after the message arrived/,
    );
  });

  it.each<[string, Kind, string]>([
    ["a SenML shelf reading", "shelf", shelfPack(20, "kg", { bt: AT_S - 7 * 86_400 - 1 })],
    [
      "a SenML reading at a relative time",
      "env",
      envPack([{ n: "temp", u: "Cel", v: 20, t: -7 * 86_400 - 1 }]),
    ],
    ["a flat environment reading", "env", `{"temperature":20,"time":${AT_S - 7 * 86_400 - 1}}`],
    [
      "an Impinj tag read",
      "rfid",
      '{"timestamp":"2026-11-13T07:59:59Z","eventType":"tagInventory","tagInventoryEvent":{"epcHex":"3074257BF7194E4000001A85"}}',
    ],
  ])("refuses %s older than the reading age", (_label, kind, payload) => {
    expect(refusal(kind, payload, { limits })).toBe(
      "reading time 2026-11-13T07:59:59.000Z is 604801 s before the message arrived (2026-11-20T08:00:00.000Z); " +
        "at most 604800 s old is accepted (MAX_READING_AGE_S)",
    );
  });

  it("judges by the receive time it is given, never the clock, so a replay reaches the same verdict", () => {
    const payload = shelfPack(20, "kg", { bt: AT_S });
    // A row journaled at AT and replayed at any later date: judged by AT, its own receive time.
    expect(decode("shelf", payload, { receivedAt: AT }).readings[0]?.time).toBe(AT);
    expect(refusal("shelf", payload, { receivedAt: AT + 30 * 86_400_000 })).toMatch(
      /before the message arrived/,
    );
  });

  it("times a status message by its arrival: no device clock to check", () => {
    expect(decode("status", '{"online":true,"time":"2200-01-01T00:00:00Z"}').readings[0]?.time).toBe(AT);
  });
});

describe("payload shape", () => {
  const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

  it.each<[Kind, string]>([
    ["rfid", deep(100_000)],
    ["rfid", `[${deep(100_000)}]`],
    ["shelf", deep(100_000)],
    ["env", `{"temperature":${deep(100_000)}}`],
    ["status", `{"online":${deep(100_000)}}`],
  ])("refuses a %s payload nested 100,000 deep with a reason", (kind, payload) => {
    expect(refusal(kind, payload)).toBe("payload nests deeper than 32 levels");
  });

  it("takes 32 levels, and brackets inside strings do not count", () => {
    const brackets = "[".repeat(40);
    expect(
      decode("env", `{"temperature":20,"note":"${brackets}\\"${brackets}","x":${deep(31)}}`).readings,
    ).toHaveLength(1);
  });
});
