import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config.ts";

describe("configuration", () => {
  it("starts on the documented defaults with the demo network", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, mqttPort: 1883, demo: true, dataDir: path.resolve("./data") });
    expect(config.regionGeojson).toMatch(/region-outline\.geojson$/);
    expect(config.tileLayer).toBeNull();
  });

  it("reads the environment, DEMO=0 starting empty", () => {
    const config = loadConfig({ PORT: "9000", MQTT_PORT: "1999", DEMO: "0", DATA_DIR: "/tmp/x" });
    expect(config).toMatchObject({ port: 9000, mqttPort: 1999, demo: false, dataDir: "/tmp/x" });
    expect(config.regionGeojson).toBeUndefined();
  });

  it("runs the ingest against an external broker only with its URL", () => {
    expect(() => loadConfig({ MQTT_BROKER: "external" })).toThrow(
      /MQTT_URL: needed with MQTT_BROKER=external/,
    );
    expect(() => loadConfig({ MQTT_BROKER: "external", MQTT_URL: "http://x" })).toThrow(/MQTT_URL/);
    const config = loadConfig({
      MQTT_BROKER: "external",
      MQTT_URL: "mqtt://a:1883,mqtts://b:8883",
      INGEST_MQTT_USERNAME: "ingest",
      INGEST_MQTT_PASSWORD: "secret",
    });
    expect(config.externalBroker).toEqual({
      url: "mqtt://a:1883,mqtts://b:8883",
      clientId: "reserve-ingest",
      username: "ingest",
      password: "secret",
    });
    expect(loadConfig({}).externalBroker).toBeNull();
  });

  it("reports every bad setting at once, naming each", () => {
    try {
      loadConfig({ PORT: "eighty", MQTT_PORT: "70000", JOURNAL_SYNC: "sometimes" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as ConfigError).message;
      expect(text).toMatch(/PORT/);
      expect(text).toMatch(/MQTT_PORT/);
      expect(text).toMatch(/JOURNAL_SYNC/);
    }
  });

  it("reads the plausibility limits of readings, refusing ranges that make no sense", () => {
    expect(loadConfig({}).readingLimits).toEqual({
      maxClockSkewMs: 300_000,
      maxReadingAgeMs: 7 * 86_400_000,
      temperatureC: { min: -60, max: 100 },
      humidityPct: { min: 0, max: 100 },
      defaultShelfCapacityKg: 1000,
    });
    expect(
      loadConfig({
        MAX_CLOCK_SKEW_S: "60",
        MAX_READING_AGE_S: "86400",
        ENV_TEMP_RANGE_C: "-40..60.5",
        ENV_HUMIDITY_RANGE_PCT: "5..95",
        SHELF_MAX_WEIGHT_KG: "250",
      }).readingLimits,
    ).toEqual({
      maxClockSkewMs: 60_000,
      maxReadingAgeMs: 86_400_000,
      temperatureC: { min: -40, max: 60.5 },
      humidityPct: { min: 5, max: 95 },
      defaultShelfCapacityKg: 250,
    });
    try {
      loadConfig({
        ENV_TEMP_RANGE_C: "100..-60",
        ENV_HUMIDITY_RANGE_PCT: "0..120",
        SHELF_MAX_WEIGHT_KG: "0",
        MAX_CLOCK_SKEW_S: "-1",
      });
      expect.unreachable();
    } catch (error) {
      const text = (error as ConfigError).message;
      expect(text).toMatch(/ENV_TEMP_RANGE_C: must be min\.\.max with min below max/);
      expect(text).toMatch(/ENV_HUMIDITY_RANGE_PCT: must be min\.\.max with min below max, within 0\.\.100/);
      expect(text).toMatch(/SHELF_MAX_WEIGHT_KG/);
      expect(text).toMatch(/MAX_CLOCK_SKEW_S/);
    }
  });
});
