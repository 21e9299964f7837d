import { describe, expect, it } from "vitest";
import { loadBrokerConfig } from "../../../broker/config.ts";

describe("a cluster broker's settings", () => {
  const good = {
    PLATFORM_URL: "http://platform:8080",
    BROKER_TOKEN: "t".repeat(20),
    INGEST_MQTT_PASSWORD: "p".repeat(20),
    REDIS_URL: "redis://redis:6379/0",
  };

  it("reads the environment with defaults", () => {
    const config = loadBrokerConfig({ ...good, BROKER_ID: "b1" });
    expect(config).toMatchObject({
      MQTT_PORT: 1883,
      BROKER_ID: "b1",
      INGEST_MQTT_USERNAME: "reserve-ingest",
      tls: null,
    });
  });

  it("names every missing or bad setting at once, without echoing secrets", () => {
    let message = "";
    try {
      loadBrokerConfig({ BROKER_TOKEN: "short-secret", REDIS_URL: "http://x", TLS_CERT_FILE: "/c.pem" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/PLATFORM_URL/);
    expect(message).toMatch(/INGEST_MQTT_PASSWORD/);
    expect(message).toMatch(/BROKER_TOKEN/);
    expect(message).toMatch(/REDIS_URL/);
    expect(message).toMatch(/TLS_CERT_FILE and TLS_KEY_FILE/);
    expect(message).not.toContain("short-secret");
  });
});
