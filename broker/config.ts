import os from "node:os";
import { type Static, Type } from "@sinclair/typebox";
import { readEnvSettings, readTlsFiles } from "../server/env-settings.ts";

/** Settings of a cluster broker (`npm run broker`), from the environment, checked at boot. */
export const BrokerConfigSchema = Type.Object({
  MQTT_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
  MQTT_HOST: Type.String({ default: "0.0.0.0" }),
  TLS_CERT_FILE: Type.Optional(Type.String({ minLength: 1 })),
  TLS_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  MQTTS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8883 }),
  REDIS_URL: Type.Optional(
    Type.String({
      pattern: "^rediss?://",
      description: "shared by every broker of the cluster: subscriptions, retained and QoS state, routing",
    }),
  ),
  BROKER_MAX_SESSION_DELIVERY: Type.Integer({
    minimum: 1000,
    default: 1_000_000,
    description: "queued messages a reconnecting persistent session (the ingest) gets at once",
  }),
  BROKER_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  PLATFORM_URL: Type.String({ pattern: "^https?://", description: "where device credentials are checked" }),
  BROKER_TOKEN: Type.String({ minLength: 16, description: "the platform's BROKER_TOKEN" }),
  INGEST_MQTT_USERNAME: Type.String({ default: "reserve-ingest", minLength: 1 }),
  INGEST_MQTT_PASSWORD: Type.String({ minLength: 16, description: "the platform ingest's password here" }),
  MQTT_MAX_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000 }),
  MQTT_DRAIN_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
  DEVICE_MAX_MSGS_PER_S: Type.Number({ minimum: 0, maximum: 1_000_000, default: 100 }),
  LOG_LEVEL: Type.Union(
    ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((level) => Type.Literal(level)),
    { default: "info" },
  ),
});

export type RawBrokerConfig = Static<typeof BrokerConfigSchema>;

export interface BrokerConfig extends Omit<RawBrokerConfig, "TLS_CERT_FILE" | "TLS_KEY_FILE" | "BROKER_ID"> {
  BROKER_ID: string;
  tls: { cert: Buffer; key: Buffer } | null;
}

export function loadBrokerConfig(env: NodeJS.ProcessEnv = process.env): BrokerConfig {
  const { raw, problems } = readEnvSettings(BrokerConfigSchema, env);
  const tls = readTlsFiles(raw.TLS_CERT_FILE, raw.TLS_KEY_FILE, problems);
  if (problems.length > 0) throw new Error(`invalid broker configuration:\n  ${problems.join("\n  ")}`);
  const { TLS_CERT_FILE: _cert, TLS_KEY_FILE: _key, ...rest } = raw;
  return { ...rest, BROKER_ID: raw.BROKER_ID ?? `${os.hostname()}-${process.pid}`, tls };
}
