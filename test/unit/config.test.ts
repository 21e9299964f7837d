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

  it("keeps the depots' calendar in Beijing time unless TIME_ZONE names another zone, refusing an unknown one", () => {
    expect(loadConfig({}).timeZone).toBe("Asia/Shanghai");
    expect(loadConfig({ TIME_ZONE: "Europe/Berlin" }).timeZone).toBe("Europe/Berlin");
    expect(() => loadConfig({ TIME_ZONE: "Asia/Beijing" })).toThrow(
      /TIME_ZONE: unknown time zone "Asia\/Beijing"/,
    );
  });
});
