import { describe, expect, it } from "vitest";
import { DEFAULT_READING_LIMITS } from "../../../server/domain/reading-limits.ts";
import { decodeFlatEnv as decodeWith } from "../../../server/ingest/decoders/env-flat.ts";
import { DecodeError } from "../../../server/ingest/decoders/senml.ts";

const RECEIVED = Date.UTC(2026, 10, 20, 8, 0, 0);
const decodeFlatEnv = (body: Record<string, unknown>, receivedAtMs: number) =>
  decodeWith(body, receivedAtMs, DEFAULT_READING_LIMITS);

describe("flat LoRaWAN environment messages", () => {
  it("decodes the device-formats sample into temp, hum and battery at the receive time", () => {
    expect(decodeFlatEnv({ temperature: 21.5, humidity: 48, battery: 92 }, RECEIVED)).toEqual([
      { measurement: "temp", unit: "Cel", value: 21.5, time: RECEIVED },
      { measurement: "hum", unit: "%RH", value: 48, time: RECEIVED },
      { measurement: "battery", unit: "%", value: 92, time: RECEIVED },
    ]);
  });

  it("accepts temperature alone or humidity alone, and ignores other fields", () => {
    expect(decodeFlatEnv({ temperature: -18.25, rssi: -97 }, RECEIVED)).toEqual([
      { measurement: "temp", unit: "Cel", value: -18.25, time: RECEIVED },
    ]);
    expect(decodeFlatEnv({ humidity: 0 }, RECEIVED)).toEqual([
      { measurement: "hum", unit: "%RH", value: 0, time: RECEIVED },
    ]);
  });

  it.each([
    ["temperature", -60],
    ["temperature", 100],
    ["humidity", 100],
    ["battery", 0],
    ["battery", 100],
  ])("accepts %s at the edge of its range (%d)", (field, value) => {
    const readings = decodeFlatEnv({ humidity: 50, [field]: value }, RECEIVED);
    expect(readings.find((r) => r.value === value)).toBeDefined();
  });

  it.each([
    ["an ISO time with Z", { time: "2026-11-20T07:59:30Z" }, Date.UTC(2026, 10, 20, 7, 59, 30)],
    [
      "an ISO time with nanoseconds",
      { time: "2026-11-20T07:59:30.123456789Z" },
      Date.UTC(2026, 10, 20, 7, 59, 30, 123),
    ],
    [
      "an ISO timestamp with offset",
      { timestamp: "2026-11-20T08:59:30+01:00" },
      Date.UTC(2026, 10, 20, 7, 59, 30),
    ],
    ["UNIX seconds", { time: 1795600000 }, 1795600000 * 1000],
    ["fractional UNIX seconds", { timestamp: 1795600000.25 }, 1795600000250],
    ["time and timestamp that agree", { time: 1795600000, timestamp: "2026-11-25T09:46:40Z" }, 1795600000000],
  ])("takes the time from %s", (_label, time, expected) => {
    const readings = decodeFlatEnv({ temperature: 4, humidity: 60, ...time }, RECEIVED);
    expect(readings.map((r) => r.time)).toEqual([expected, expected]);
  });

  it.each([
    ["neither temperature nor humidity", { battery: 90 }, /needs "temperature" or "humidity"/],
    ["an empty object", {}, /needs "temperature" or "humidity"/],
    ["a string temperature", { temperature: "21.5" }, /temperature must be a finite number, not "21.5"/],
    ["a null humidity", { temperature: 20, humidity: null }, /humidity must be a finite number, not null/],
    ["a string battery", { temperature: 20, battery: "92%" }, /battery must be a finite number/],
    ["temperature below -60", { temperature: -60.5 }, /temperature -60.5 is outside -60..100 Cel/],
    ["temperature in Fahrenheit", { temperature: 212 }, /temperature 212 is outside -60..100 Cel/],
    ["humidity above 100", { humidity: 100.1 }, /humidity 100.1 is outside 0..100 %RH/],
    ["negative humidity", { humidity: -1 }, /humidity -1 is outside/],
    ["battery above 100", { temperature: 20, battery: 255 }, /battery 255 is outside 0..100 %/],
    ["an unparseable time", { temperature: 20, time: "yesterday" }, /time "yesterday" is not an ISO 8601/],
    [
      "a time without offset",
      { temperature: 20, time: "2026-11-20T08:00:00" },
      /is not an ISO 8601 date-time/,
    ],
    [
      "milliseconds as time",
      { temperature: 20, timestamp: 1795600000000 },
      /timestamp 1795600000000 looks like milliseconds/,
    ],
    ["a negative time", { temperature: 20, time: -5 }, /time -5 is before 1970/],
    ["a boolean time", { temperature: 20, time: true }, /time must be an ISO 8601 string or UNIX seconds/],
    [
      "time and timestamp that disagree",
      { temperature: 20, time: 1795600000, timestamp: 1795600001 },
      /time and timestamp are both given and disagree/,
    ],
  ])("rejects %s with a reason", (_label, body, reason) => {
    expect(() => decodeFlatEnv(body as Record<string, unknown>, RECEIVED)).toThrow(DecodeError);
    expect(() => decodeFlatEnv(body as Record<string, unknown>, RECEIVED)).toThrow(reason);
  });
});

describe("flat environment ranges from the settings", () => {
  const limits = {
    ...DEFAULT_READING_LIMITS,
    temperatureC: { min: -30, max: 50 },
    humidityPct: { min: 2, max: 98 },
  };

  it.each([
    ["temperature", 50.5, "temperature 50.5 is outside -30..50 Cel"],
    ["temperature", -31, "temperature -31 is outside -30..50 Cel"],
    ["humidity", 99, "humidity 99 is outside 2..98 %RH"],
    ["humidity", 1, "humidity 1 is outside 2..98 %RH"],
  ])("refuses %s %d outside the configured range", (field, value, reason) => {
    expect(() => decodeWith({ [field]: value }, RECEIVED, limits)).toThrow(reason);
  });

  it("takes values at the configured edges", () => {
    expect(decodeWith({ temperature: 50, humidity: 2 }, RECEIVED, limits).map((r) => r.value)).toEqual([
      50, 2,
    ]);
  });
});
