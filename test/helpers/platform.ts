import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { parseDeviceTopic } from "../../broker/topics.ts";
import { type Config, loadConfig } from "../../server/config.ts";
import { encodeSgtin96 } from "../../server/ingest/decoders/epc.ts";
import { type Platform, startPlatform } from "../../server/platform.ts";
import { readDemoCredentials } from "../../server/security/demo-credentials.ts";
import type { TimeSeriesStore } from "../../server/timeseries/store.ts";

export function tempDataDir(prefix = "reserve-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Settings for a platform on free ports, loopback only, in its own data dir. */
export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: dataDir,
    PORT: "0",
    MQTT_PORT: "0",
    HOST: "127.0.0.1",
    MQTT_HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    INGEST_INTERVAL_MS: "20",
    ...env,
  });
}

export interface DeviceFleet {
  publishAsync(topic: string, payload: string | Buffer, options?: { qos?: 0 | 1 }): Promise<unknown>;
}

export interface ApiClient {
  /** A GET; the answer parsed when it is JSON. */
  http(pathname: string): Promise<{ status: number; body: any }>;
  /** A request with a JSON body (or none); the answer parsed when it is JSON. */
  send(method: string, pathname: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** The headers that authenticate this client (for raw fetch calls). */
  headers(): Promise<Record<string, string>>;
}

export interface TestPlatform extends ApiClient {
  platform: Platform;
  /** The embedded broker (every test platform has one unless started with an external broker). */
  broker: NonNullable<Platform["broker"]>;
  dataDir: string;
  /**
   * The API as one user (a session opened directly, without the login route's scrypt cost). The
   * default client (t.http, t.send) is the admin "admin", created when the database has none.
   */
  as(username: string): ApiClient;
  /** A session token of the user. */
  login(username: string): Promise<string>;
  /** The EPCs of the SGTIN ranges registered to a site, optionally of one item type. */
  siteTags(siteCode: string, itemTypeCode?: string): Promise<string[]>;
  /** One item type's line of GET /api/sites/{site}/stock. */
  stockLine(siteCode: string, itemTypeCode: string): Promise<any>;
  /** Resolves once the ingest journal has nothing pending. */
  drained(): Promise<void>;
  /** The payloads the journal holds for a topic, in arrival order: every message the ingest took in. */
  journaled(topic: string): string[];
  /** How many points the time-series store holds for a device (optionally one measurement). */
  pointsInStore(deviceId: string, measurement?: string): Promise<number>;
  /** An MQTT connection authenticated as one device (its demo secret, or a freshly issued one). */
  connect(deviceId: string, options?: { clientId?: string }): Promise<MqttClient>;
  /** The device's password: from demo-credentials.json, or issued now. */
  secretOf(deviceId: string): Promise<string>;
  /**
   * Publishes as a fleet of devices would: each message goes over a connection authenticated as
   * the device its topic names (opened on first use).
   */
  fleet(): DeviceFleet;
  stop(): Promise<void>;
}

/** Starts the real platform (aedes, SQLite, Fastify) in this process. */
export async function startTestPlatform(
  options: { dataDir?: string; env?: Record<string, string> } = {},
): Promise<TestPlatform> {
  const dataDir = options.dataDir ?? tempDataDir();
  const platform = await startPlatform(testConfig(dataDir, options.env));
  const clients: MqttClient[] = [];
  const secrets = new Map<string, string>();
  const tokens = new Map<string, string>();
  const login = async (username: string) => {
    let token = tokens.get(username);
    if (!token) {
      const users = platform.deps.users;
      if (username === "admin" && !users.get("admin")) await users.add("admin", "admin", []);
      token = users.openSession(username).token;
      tokens.set(username, token);
    }
    return token;
  };
  const client = (username: string): ApiClient => {
    const headers = async (): Promise<Record<string, string>> => ({
      authorization: `Bearer ${await login(username)}`,
    });
    return {
      headers,
      async send(method, pathname, body) {
        const response = await fetch(`${platform.httpUrl}${pathname}`, {
          method,
          headers: {
            ...(await headers()),
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : null };
      },
      async http(pathname) {
        const response = await fetch(`${platform.httpUrl}${pathname}`, { headers: await headers() });
        const text = await response.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        return { status: response.status, body };
      },
    };
  };
  const admin = client("admin");
  const self: TestPlatform = {
    platform,
    get broker() {
      if (!platform.broker) throw new Error("this test platform uses an external broker");
      return platform.broker;
    },
    dataDir,
    as: client,
    login,
    headers: admin.headers,
    send: admin.send,
    http: admin.http,
    async stockLine(siteCode, itemTypeCode) {
      const { body } = await self.http(`/api/sites/${siteCode}/stock`);
      return body.items.find((i: { itemTypeCode: string }) => i.itemTypeCode === itemTypeCode);
    },
    async siteTags(siteCode, itemTypeCode) {
      const { ranges } = (await self.http(`/api/tags?siteCode=${siteCode}`)).body as {
        ranges: Array<{
          itemTypeCode: string;
          gtin14: string;
          companyPrefixDigits: number;
          serialFrom: number;
          serialTo: number;
        }>;
      };
      return ranges
        .filter((r) => !itemTypeCode || r.itemTypeCode === itemTypeCode)
        .flatMap((r) =>
          Array.from({ length: r.serialTo - r.serialFrom + 1 }, (_, i) =>
            encodeSgtin96(r.gtin14, r.companyPrefixDigits, r.serialFrom + i),
          ),
        );
    },
    journaled(topic) {
      return (
        platform.deps.database.sqlite
          .prepare("SELECT payload FROM ingest_journal WHERE topic = ? ORDER BY id")
          .all(topic) as Array<{ payload: Buffer }>
      ).map((r) => r.payload.toString());
    },
    pointsInStore(deviceId, measurement) {
      return pointsInStore(platform.deps.timeseries, deviceId, measurement);
    },
    async drained() {
      await waitFor(
        async () => ((await self.http("/api/health")).body.ingest.pending === 0 ? true : undefined),
        "drain",
      );
    },
    async secretOf(deviceId) {
      let secret = secrets.get(deviceId) ?? readDemoCredentials(dataDir)[deviceId]?.password;
      if (!secret) secret = (await platform.deps.credentials.issue(deviceId)).password;
      secrets.set(deviceId, secret);
      return secret;
    },
    async connect(deviceId, options = {}) {
      const client = await mqtt.connectAsync(platform.mqttUrl, {
        clientId: options.clientId ?? `${deviceId}-${Math.random().toString(16).slice(2)}`,
        username: deviceId,
        password: await self.secretOf(deviceId),
        reconnectPeriod: 0,
      });
      clients.push(client);
      return client;
    },
    fleet() {
      const connections = new Map<string, Promise<MqttClient>>();
      return {
        async publishAsync(topic, payload, options = {}) {
          const parsed = parseDeviceTopic(topic);
          if (!parsed.ok) throw new Error(`fleet: ${parsed.reason}`);
          const id = parsed.topic.deviceId;
          let client = connections.get(id);
          if (!client) {
            client = self.connect(id);
            connections.set(id, client);
          }
          return (await client).publishAsync(topic, payload, { qos: options.qos ?? 1 });
        },
      };
    },
    async stop() {
      await Promise.all(clients.map((c) => c.endAsync(true)));
      await platform.close();
    },
  };
  return self;
}

/**
 * How many points a time-series store (SQLite or InfluxDB) holds for a device, over all time,
 * read through the store's own query: what GET /api/readings could ever show of it.
 */
export async function pointsInStore(
  store: TimeSeriesStore,
  deviceId: string,
  measurement?: string,
): Promise<number> {
  const points = await store.query({
    deviceId,
    measurement,
    from: 0,
    to: 9_223_372_036_853,
    limit: 100_000_000,
  });
  return points.length;
}

/** Polls until check() returns a value other than undefined, or fails with what was last seen. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 10000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function senmlWeight(
  deviceId: string,
  weightKg: number,
  timeSeconds: number,
  unit: "kg" | "g" = "kg",
): string {
  return JSON.stringify([
    {
      bn: `urn:dev:shelf:${deviceId}:`,
      bt: timeSeconds,
      n: "weight",
      u: unit,
      v: unit === "g" ? weightKg * 1000 : weightKg,
    },
  ]);
}
