import path from "node:path";
import { type Static, Type } from "@sinclair/typebox";
import { assertTimeZone, DEFAULT_TIME_ZONE } from "./domain/calendar.ts";
import { type ExcursionRule, MAX_EXCURSION_MIN_READINGS } from "./domain/excursion.ts";
import { DEFAULT_PRESENCE_POLICY, type PresencePolicy } from "./domain/presence.ts";
import {
  DEFAULT_READING_LIMITS,
  formatValueRange,
  parseValueRange,
  type ReadingLimits,
} from "./domain/reading-limits.ts";
import { readEnvSettings, readTlsFiles } from "./env-settings.ts";
import type { InfluxRetention } from "./timeseries/influx-retention.ts";

/**
 * Every setting the platform reads, in one schema. Environment variables are strings, so values are
 * converted first and every problem is reported at once, at boot, instead of failing later.
 */
/** "min..max", e.g. "-60..100"; parsed and checked (min below max) in loadConfig. */
const Range = (fallback: string, description: string) => Type.String({ default: fallback, description });

const Flag = (fallback: "0" | "1", description: string) =>
  Type.Union([Type.Literal("0"), Type.Literal("1"), Type.Literal("true"), Type.Literal("false")], {
    default: fallback,
    description,
  });

export const ConfigSchema = Type.Object({
  PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 8080,
    description: "HTTP port (0 = any free port)",
  }),
  HOST: Type.String({ default: "0.0.0.0", description: "HTTP bind address" }),
  MQTT_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 1883, description: "MQTT TCP port" }),
  MQTT_HOST: Type.String({ default: "0.0.0.0", description: "MQTT bind address" }),
  MQTT_BROKER: Type.Union([Type.Literal("embedded"), Type.Literal("external")], {
    default: "embedded",
    description:
      "embedded: the platform runs the MQTT broker; external: the ingest subscribes to MQTT_URL (Mosquitto, EMQX, a broker cluster) with a persistent session",
  }),
  MQTT_URL: Type.Optional(
    Type.String({
      pattern: "^mqtts?://[^,\\s]+(,\\s*mqtts?://[^,\\s]+)*$",
      description:
        "the external broker, e.g. mqtt://broker:1883; several, comma-separated, are tried in turn (cluster members)",
    }),
  ),
  INGEST_MQTT_CLIENT_ID: Type.String({
    default: "reserve-ingest",
    pattern: "^[A-Za-z0-9_-]{1,64}$",
    description:
      "the ingest's client id on the external broker; its session (and queued readings) is kept under it",
  }),
  INGEST_MQTT_USERNAME: Type.Optional(Type.String({ minLength: 1 })),
  INGEST_MQTT_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  BROKER_TOKEN: Type.Optional(
    Type.String({
      minLength: 16,
      description:
        "shared secret of the cluster brokers (npm run broker): enables POST /api/broker/authenticate, where they check device credentials",
    }),
  ),
  TLS_CERT_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description: "PEM certificate (chain): HTTPS on PORT and MQTT over TLS on MQTTS_PORT",
    }),
  ),
  TLS_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: "PEM private key of TLS_CERT_FILE" })),
  MQTTS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8883, description: "MQTT over TLS" }),
  DATA_DIR: Type.String({ default: "./data", minLength: 1, description: "where the SQLite files live" }),
  DEMO: Flag("1", "load the demo reserve network into an empty database"),
  SIMULATE: Flag(
    "1",
    "with the demo network, run a light simulated device load so the map and dashboards move",
  ),
  LOG_LEVEL: Type.Union(
    ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((level) => Type.Literal(level)),
    { default: "info" },
  ),
  JOURNAL_SYNC: Type.Union([Type.Literal("normal"), Type.Literal("full")], {
    default: "normal",
    description:
      "SQLite synchronous mode for the ingest journal: normal survives a process crash, full also a power loss",
  }),
  JOURNAL_RETENTION_HOURS: Type.Integer({
    minimum: 0,
    default: 168,
    description:
      "hours a stored or dead-lettered journal row is kept for replay and audit; 0 keeps them forever",
  }),
  TIMESERIES: Type.Union([Type.Literal("sqlite"), Type.Literal("influxdb")], {
    default: "sqlite",
    description: "where readings are stored: the embedded SQLite store or InfluxDB (1.x HTTP API)",
  }),
  INFLUX_URL: Type.String({ default: "http://127.0.0.1:8086", description: "InfluxDB base URL" }),
  INFLUX_DATABASE: Type.String({ default: "reserve", minLength: 1, pattern: "^[A-Za-z0-9_-]+$" }),
  INFLUX_USERNAME: Type.Optional(Type.String()),
  INFLUX_PASSWORD: Type.Optional(Type.String()),
  INFLUX_RETENTION_DAYS: Type.Integer({
    minimum: 0,
    maximum: 36500,
    default: 0,
    description:
      'days raw readings are kept in InfluxDB (policy "raw", made the default); 0: the database\'s default policy, forever',
  }),
  INFLUX_HOURLY_RETENTION_DAYS: Type.Integer({
    minimum: 0,
    maximum: 36500,
    default: 0,
    description:
      'days hourly aggregates (mean, min, max, count) are kept (policy "hourly", continuous query "hourly"); 0: none',
  }),
  TIMESERIES_STALL_S: Type.Number({
    minimum: 0.1,
    maximum: 3600,
    default: 3,
    description:
      "a time-series write outstanding longer than this makes /api/health degraded (a hung InfluxDB), before the request times out",
  }),
  EXCURSION_MIN_READINGS: Type.Integer({
    minimum: 1,
    maximum: MAX_EXCURSION_MIN_READINGS,
    default: 3,
    description:
      "consecutive readings outside an item type's storage conditions that make an excursion (item types may set their own)",
  }),
  EXCURSION_MIN_DURATION_S: Type.Integer({
    minimum: 0,
    maximum: 7 * 86400,
    default: 600,
    description:
      "or seconds from the first to the latest such reading, whichever comes first (item types may set their own)",
  }),
  PRESENCE_RSSI_FLOOR_DBM: Type.Number({
    minimum: -120,
    maximum: 0,
    default: -75,
    description: "RFID reads weaker than this are ignored",
  }),
  PRESENCE_MIN_READS: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 2,
    description: "reads in a zone before a tag is present",
  }),
  PRESENCE_MOVE_MARGIN_DB: Type.Number({
    minimum: 0,
    maximum: 60,
    default: 6,
    description: "dB a new zone must beat the old by",
  }),
  PRESENCE_DEPART_AFTER_S: Type.Integer({
    minimum: 1,
    maximum: 30 * 86400,
    default: 600,
    description: "unseen this long, a tag has departed",
  }),
  PORTAL_WINDOW_S: Type.Number({
    minimum: 0.1,
    maximum: 3600,
    default: 15,
    description: "the two sides of a portal pass within this",
  }),
  TIME_ZONE: Type.String({
    default: DEFAULT_TIME_ZONE,
    minLength: 1,
    description:
      "IANA time zone of the depots' calendar: expiry, rotation and receipt days and every 'today' are days on this wall clock",
  }),
  ALERT_INTERVAL_MS: Type.Integer({
    minimum: 100,
    maximum: 3600000,
    default: 30000,
    description: "how often alerts are re-evaluated",
  }),
  INGEST_BATCH: Type.Integer({ minimum: 1, maximum: 100000, default: 2000 }),
  INGEST_INTERVAL_MS: Type.Integer({ minimum: 1, maximum: 60000, default: 50 }),
  MAX_PAYLOAD_BYTES: Type.Integer({ minimum: 64, maximum: 16 * 1024 * 1024, default: 256 * 1024 }),
  MAX_CLOCK_SKEW_S: Type.Integer({
    minimum: 0,
    maximum: 86_400,
    default: DEFAULT_READING_LIMITS.maxClockSkewMs / 1000,
    description:
      "a reading dated more than this after its message arrived goes to the dead letters (the device clock is ahead)",
  }),
  MAX_READING_AGE_S: Type.Integer({
    minimum: 60,
    maximum: 366 * 86_400,
    default: DEFAULT_READING_LIMITS.maxReadingAgeMs / 1000,
    description:
      "a reading dated more than this before its message arrived goes to the dead letters; younger late readings (a device's offline buffer) are stored",
  }),
  ENV_TEMP_RANGE_C: Range(
    formatValueRange(DEFAULT_READING_LIMITS.temperatureC),
    "plausible storeroom temperatures, min..max °C (SenML and flat form); outside: dead letter",
  ),
  ENV_HUMIDITY_RANGE_PCT: Range(
    formatValueRange(DEFAULT_READING_LIMITS.humidityPct),
    "plausible relative humidity, min..max % within 0..100; outside: dead letter",
  ),
  SHELF_MAX_WEIGHT_KG: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1_000_000,
    default: DEFAULT_READING_LIMITS.defaultShelfCapacityKg,
    description:
      "capacity of a shelf without its own (shelves.capacity_kg); weights beyond -2 %..102 % of the capacity go to the dead letters",
  }),
  MQTT_DRAIN_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 600_000,
    default: 10_000,
    description: "a client that has not read what the broker sends it for this long is disconnected",
  }),
  DEVICE_MAX_MSGS_PER_S: Type.Number({
    minimum: 0,
    maximum: 1_000_000,
    default: 100,
    description:
      "messages a second one device may send (twice that in a burst); beyond, its PUBACKs are delayed; 0: no limit",
  }),
  MQTT_MAX_CONNECTIONS: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: 10_000,
    description: "MQTT connections beyond this are refused",
  }),
  SESSION_TTL_MINUTES: Type.Integer({
    minimum: 1,
    maximum: 60 * 24 * 30,
    default: 480,
    description: "minutes a console/API login session lasts",
  }),
  REGION_GEOJSON: Type.Optional(Type.String({ minLength: 1, description: "path of the region outline" })),
  TILE_URL: Type.Optional(
    Type.String({ minLength: 1, description: "optional online tile layer URL template" }),
  ),
  TILE_ATTRIBUTION: Type.String({ default: "" }),
});

type RawConfig = Static<typeof ConfigSchema>;

export interface Config {
  port: number;
  host: string;
  mqttPort: number;
  mqttHost: string;
  /** When set, no broker runs here: the ingest is a client of this broker. */
  externalBroker: { url: string; clientId: string; username?: string; password?: string } | null;
  /** The cluster brokers' token for device authentication through the API; null: refused. */
  brokerToken: string | null;
  /** Certificate and key (PEM) when TLS is configured: HTTPS, and MQTT over TLS on `mqttsPort`. */
  tls: { cert: Buffer; key: Buffer; mqttsPort: number } | null;
  dataDir: string;
  demo: boolean;
  simulate: boolean;
  logLevel: RawConfig["LOG_LEVEL"];
  journalSync: RawConfig["JOURNAL_SYNC"];
  journalRetentionHours: number;
  timeseries:
    | { kind: "sqlite" }
    | {
        kind: "influxdb";
        url: string;
        database: string;
        username: string | undefined;
        password: string | undefined;
        retention: InfluxRetention;
      };
  /** A time-series write outstanding longer than this (ms) is reported as a stall. */
  timeseriesStallMs: number;
  presence: PresencePolicy;
  /** The IANA zone whose calendar days are the depots' days (calendar.ts's dayOf). */
  timeZone: string;
  /** When breaches become excursions, for item types that leave it unset. */
  excursion: ExcursionRule;
  alertIntervalMs: number;
  ingestBatch: number;
  ingestIntervalMs: number;
  maxPayloadBytes: number;
  /** What a reading may plausibly say: clock window, value ranges, default shelf capacity. */
  readingLimits: ReadingLimits;
  mqttMaxConnections: number;
  mqttDrainTimeoutMs: number;
  deviceMaxMsgsPerS: number;
  sessionTtlMinutes: number;
  regionGeojson: string | undefined;
  tileLayer: { url: string; attribution: string } | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/**
 * Settings that are each valid but wrong together: caught here, at boot, rather than as a crash or
 * a silently ignored value later.
 */
function combinationProblems(raw: RawConfig, env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const given = (key: keyof RawConfig) => env[key] !== undefined && env[key] !== "";
  if (raw.MQTT_BROKER === "external") {
    if (!raw.MQTT_URL) problems.push("MQTT_URL: needed with MQTT_BROKER=external (e.g. mqtt://broker:1883)");
    // [MQTT-3.1.2-22]: a CONNECT may carry a password only with a user name.
    if (raw.INGEST_MQTT_PASSWORD && !raw.INGEST_MQTT_USERNAME) {
      problems.push(
        "INGEST_MQTT_PASSWORD: needs INGEST_MQTT_USERNAME (MQTT sends no password without a user name)",
      );
    }
  } else {
    const ignored = (
      ["MQTT_URL", "INGEST_MQTT_USERNAME", "INGEST_MQTT_PASSWORD", "INGEST_MQTT_CLIENT_ID"] as const
    ).filter(given);
    if (ignored.length > 0) {
      problems.push(
        `${ignored.join(", ")}: only used with MQTT_BROKER=external (the ingest as a client of another broker); set MQTT_BROKER=external or leave ${ignored.length > 1 ? "them" : "it"} unset`,
      );
    }
  }
  if (raw.TIMESERIES !== "influxdb") {
    const ignored = (
      [
        "INFLUX_URL",
        "INFLUX_DATABASE",
        "INFLUX_USERNAME",
        "INFLUX_PASSWORD",
        "INFLUX_RETENTION_DAYS",
        "INFLUX_HOURLY_RETENTION_DAYS",
      ] as const
    ).filter(given);
    if (ignored.length > 0) {
      problems.push(
        `${ignored.join(", ")}: only used with TIMESERIES=influxdb; set TIMESERIES=influxdb or leave ${ignored.length > 1 ? "them" : "it"} unset`,
      );
    }
  }
  if (raw.TIMESERIES === "influxdb" && Boolean(raw.INFLUX_USERNAME) !== Boolean(raw.INFLUX_PASSWORD)) {
    problems.push("INFLUX_USERNAME and INFLUX_PASSWORD: give both or neither");
  }
  if (given("TILE_ATTRIBUTION") && !raw.TILE_URL) {
    problems.push("TILE_ATTRIBUTION: only used with TILE_URL");
  }
  return problems;
}

const defaultRegion = new URL("./db/demo/region-outline.geojson", import.meta.url).pathname;

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const { raw, problems } = readEnvSettings(ConfigSchema, env);
  const pair = readTlsFiles(raw.TLS_CERT_FILE, raw.TLS_KEY_FILE, problems);
  const tls: Config["tls"] = pair ? { ...pair, mqttsPort: raw.MQTTS_PORT } : null;
  problems.push(...combinationProblems(raw, env));
  if (raw.TIME_ZONE) {
    try {
      assertTimeZone(raw.TIME_ZONE);
    } catch (error) {
      problems.push(`TIME_ZONE: ${(error as Error).message}`);
    }
  }
  const temperatureC = parseValueRange(raw.ENV_TEMP_RANGE_C);
  if (!temperatureC) {
    problems.push(
      `ENV_TEMP_RANGE_C: must be min..max with min below max, e.g. -60..100 (got ${JSON.stringify(raw.ENV_TEMP_RANGE_C)})`,
    );
  }
  const humidityPct = parseValueRange(raw.ENV_HUMIDITY_RANGE_PCT);
  if (!humidityPct || humidityPct.min < 0 || humidityPct.max > 100) {
    problems.push(
      `ENV_HUMIDITY_RANGE_PCT: must be min..max with min below max, within 0..100 (got ${JSON.stringify(raw.ENV_HUMIDITY_RANGE_PCT)})`,
    );
  }
  if (problems.length > 0 || !temperatureC || !humidityPct) throw new ConfigError(problems);
  const demo = raw.DEMO === "1" || raw.DEMO === "true";
  return {
    port: raw.PORT,
    host: raw.HOST,
    mqttPort: raw.MQTT_PORT,
    mqttHost: raw.MQTT_HOST,
    externalBroker:
      raw.MQTT_BROKER === "external" && raw.MQTT_URL
        ? {
            url: raw.MQTT_URL,
            clientId: raw.INGEST_MQTT_CLIENT_ID,
            ...(raw.INGEST_MQTT_USERNAME ? { username: raw.INGEST_MQTT_USERNAME } : {}),
            ...(raw.INGEST_MQTT_PASSWORD ? { password: raw.INGEST_MQTT_PASSWORD } : {}),
          }
        : null,
    brokerToken: raw.BROKER_TOKEN ?? null,
    tls,
    dataDir: path.resolve(raw.DATA_DIR),
    demo,
    simulate: raw.SIMULATE === "1" || raw.SIMULATE === "true",
    logLevel: raw.LOG_LEVEL,
    journalSync: raw.JOURNAL_SYNC,
    journalRetentionHours: raw.JOURNAL_RETENTION_HOURS,
    timeseries:
      raw.TIMESERIES === "influxdb"
        ? {
            kind: "influxdb",
            url: raw.INFLUX_URL,
            database: raw.INFLUX_DATABASE,
            username: raw.INFLUX_USERNAME,
            password: raw.INFLUX_PASSWORD,
            retention: { rawDays: raw.INFLUX_RETENTION_DAYS, hourlyDays: raw.INFLUX_HOURLY_RETENTION_DAYS },
          }
        : { kind: "sqlite" },
    timeseriesStallMs: raw.TIMESERIES_STALL_S * 1000,
    excursion: { minReadings: raw.EXCURSION_MIN_READINGS, minDurationS: raw.EXCURSION_MIN_DURATION_S },
    presence: {
      ...DEFAULT_PRESENCE_POLICY,
      rssiFloorDbm: raw.PRESENCE_RSSI_FLOOR_DBM,
      minReads: raw.PRESENCE_MIN_READS,
      moveMarginDb: raw.PRESENCE_MOVE_MARGIN_DB,
      departAfterMs: raw.PRESENCE_DEPART_AFTER_S * 1000,
      portalWindowMs: raw.PORTAL_WINDOW_S * 1000,
    },
    timeZone: raw.TIME_ZONE,
    alertIntervalMs: raw.ALERT_INTERVAL_MS,
    ingestBatch: raw.INGEST_BATCH,
    ingestIntervalMs: raw.INGEST_INTERVAL_MS,
    maxPayloadBytes: raw.MAX_PAYLOAD_BYTES,
    readingLimits: {
      maxClockSkewMs: raw.MAX_CLOCK_SKEW_S * 1000,
      maxReadingAgeMs: raw.MAX_READING_AGE_S * 1000,
      temperatureC,
      humidityPct,
      defaultShelfCapacityKg: raw.SHELF_MAX_WEIGHT_KG,
    },
    mqttMaxConnections: raw.MQTT_MAX_CONNECTIONS,
    mqttDrainTimeoutMs: raw.MQTT_DRAIN_TIMEOUT_MS,
    deviceMaxMsgsPerS: raw.DEVICE_MAX_MSGS_PER_S,
    sessionTtlMinutes: raw.SESSION_TTL_MINUTES,
    regionGeojson: raw.REGION_GEOJSON ?? (demo ? defaultRegion : undefined),
    tileLayer: raw.TILE_URL ? { url: raw.TILE_URL, attribution: raw.TILE_ATTRIBUTION } : null,
    ...overrides,
  };
}
