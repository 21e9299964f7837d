import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BrokerConfigSchema } from "../../broker/config.ts";
import { ConfigError, ConfigSchema, loadConfig } from "../../server/config.ts";

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

  it("keeps the depots' calendar in Beijing time unless TIME_ZONE names another zone, refusing an unknown one", () => {
    expect(loadConfig({}).timeZone).toBe("Asia/Shanghai");
    expect(loadConfig({ TIME_ZONE: "Europe/Berlin" }).timeZone).toBe("Europe/Berlin");
    expect(() => loadConfig({ TIME_ZONE: "Asia/Beijing" })).toThrow(
      /TIME_ZONE: unknown time zone "Asia\/Beijing"/,
    );
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

describe("configuration mistakes are reported at boot", () => {
  const problemsOf = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).message;
    }
    return "";
  };

  it("refuses an ingest password without a user name, which MQTT cannot send", () => {
    const text = problemsOf({
      MQTT_BROKER: "external",
      MQTT_URL: "mqtt://b:1883",
      INGEST_MQTT_PASSWORD: "pw",
    });
    expect(text).toMatch(/INGEST_MQTT_PASSWORD: needs INGEST_MQTT_USERNAME/);
    // The secret itself is never echoed.
    expect(text).not.toMatch(/"pw"/);
  });

  it("refuses settings of a mode that is not on, naming what to set", () => {
    expect(problemsOf({ MQTT_URL: "mqtt://b:1883" })).toMatch(
      /MQTT_URL: only used with MQTT_BROKER=external/,
    );
    expect(problemsOf({ INFLUX_URL: "http://influx:8086", INFLUX_DATABASE: "x" })).toMatch(
      /INFLUX_URL, INFLUX_DATABASE: only used with TIMESERIES=influxdb/,
    );
    expect(problemsOf({ TIMESERIES: "influxdb", INFLUX_USERNAME: "u" })).toMatch(
      /INFLUX_USERNAME and INFLUX_PASSWORD: give both or neither/,
    );
    expect(problemsOf({ TILE_ATTRIBUTION: "© someone" })).toMatch(
      /TILE_ATTRIBUTION: only used with TILE_URL/,
    );
  });
});

describe("README's configuration table", () => {
  const readme = fs.readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = (heading: string) => {
    const start = readme.indexOf(`\n${heading}\n`);
    expect(start, `README has a "${heading}" section`).toBeGreaterThan(0);
    const end = readme.indexOf("\n## ", start + heading.length + 2);
    return readme.slice(start, end < 0 ? undefined : end);
  };

  it("lists every variable the platform reads", () => {
    // The first column of the table, where each variable is written as `NAME`.
    const documented = new Set(
      section("## Configuration")
        .split("\n")
        .filter((line) => line.startsWith("|"))
        .flatMap((line) => [...(line.split("|")[1] ?? "").matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1])),
    );
    const missing = Object.keys(ConfigSchema.properties).filter((key) => !documented.has(key));
    expect(missing).toEqual([]);
  });

  it("names every setting of a cluster broker", () => {
    const text = section("## Deployment for a province");
    const missing = Object.keys(BrokerConfigSchema.properties).filter((key) => !text.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });
});
