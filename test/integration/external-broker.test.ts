import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceKind } from "../../server/db/schema.ts";
import { readDemoCredentials } from "../../server/security/demo-credentials.ts";
import { mosquittoAcl } from "../../server/security/mosquitto-acl.ts";
import { type Daemon, installed, startMosquitto } from "../helpers/daemons.ts";
import { freePort } from "../helpers/influxd.ts";
import {
  senmlWeight,
  startTestPlatform,
  type TestPlatform,
  tempDataDir,
  waitFor,
} from "../helpers/platform.ts";

const INGEST = { username: "reserve-ingest", password: "ingest-secret-for-tests-0123" };
const DEVICE = "NX-K01-SH1";
const TOPIC = `sites/NX-K01/shelf/${DEVICE}`;
/** Reading times within the readings API's default window (the last 24 hours). */
const NOW_S = Math.floor(Date.now() / 1000) - 3 * 3600;

/**
 * MQTT_BROKER=external against Debian's Mosquitto: devices authenticate with Mosquitto (password
 * file, ACL generated from the registry), the ingest subscribes with a persistent session and
 * acknowledges after the journal commit, and Mosquitto keeps what devices send while the platform
 * is down. .ci/run installs mosquitto.
 */
describe.skipIf(!installed("mosquitto"))("the ingest on an external broker (Mosquitto)", () => {
  let t: TestPlatform;
  let mosquitto: Daemon & { dir: string };
  let port: number;
  const dataDir = tempDataDir();
  const env = () => ({
    MQTT_BROKER: "external",
    MQTT_URL: `mqtt://127.0.0.1:${port}`,
    INGEST_MQTT_USERNAME: INGEST.username,
    INGEST_MQTT_PASSWORD: INGEST.password,
  });
  const health = async () => (await t.http("/api/health")).body;
  const device = () =>
    mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      clientId: `${DEVICE}-test`,
      username: DEVICE,
      password: readDemoCredentials(dataDir)[DEVICE]?.password,
      reconnectPeriod: 0,
      protocolVersion: 4,
    });

  beforeAll(async () => {
    port = await freePort();
    // The platform first (the demo issues the device secrets), its ingest retrying until Mosquitto
    // is up with those secrets in its password file and the registry's topics in its ACL.
    t = await startTestPlatform({ dataDir, env: env() });
    const devices = t.platform.deps.database.sqlite
      .prepare("SELECT id, site_code AS siteCode, kind FROM devices WHERE enabled = 1")
      .all() as Array<{ id: string; siteCode: string; kind: DeviceKind }>;
    const secrets = readDemoCredentials(dataDir);
    const users: Record<string, string> = { [INGEST.username]: INGEST.password };
    for (const id of [DEVICE, "NX-K02-SH1"]) users[id] = secrets[id]?.password as string;
    mosquitto = await startMosquitto({ port, users, acl: mosquittoAcl(devices, INGEST.username) });
    await waitFor(
      async () => ((await health()).externalBroker?.connected ? true : undefined),
      "ingest connected",
    );
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await mosquitto?.stop();
  });

  it("stores what a device publishes to Mosquitto, and reports the connection in the health", async () => {
    const client = await device();
    await client.publishAsync(TOPIC, senmlWeight(DEVICE, 24.6, NOW_S), { qos: 1 });
    await client.endAsync();
    const points = await waitFor(async () => {
      const { body } = await t.http(`/api/readings?device=${DEVICE}`);
      return body.points.some((p: { value: number }) => p.value === 24.6) ? body.points : undefined;
    }, "the reading stored");
    expect(points.length).toBeGreaterThan(0);
    const h = await health();
    expect(h.status).toBe("ok");
    expect(h.mqtt).toBeNull();
    expect(h.externalBroker).toMatchObject({
      url: `mqtt://127.0.0.1:${port}`,
      connected: true,
      lastError: null,
    });
  });

  it("keeps devices to their own topics and refuses wrong secrets (Mosquitto's ACL and password file)", async () => {
    const refused = await mqtt
      .connectAsync(`mqtt://127.0.0.1:${port}`, {
        username: DEVICE,
        password: "not-the-secret",
        reconnectPeriod: 0,
        protocolVersion: 4,
      })
      .then(
        (c) => c.endAsync().then(() => "connected"),
        (error: Error) => error.message,
      );
    expect(refused).toMatch(/Not authorized|Bad username or password/i);

    // Mosquitto acknowledges a denied QoS 1 publish (MQTT 3.1.1 has no way to say no), passes it on
    // to nobody, and may drop the connection: the own-topic reading goes on a new one.
    const foreign = "sites/NX-K02/shelf/NX-K02-SH1";
    const intruder = await device();
    await intruder.publishAsync(foreign, senmlWeight("NX-K02-SH1", 1.5, NOW_S + 100), { qos: 1 });
    await intruder.endAsync(true);
    const client = await device();
    await client.publishAsync(TOPIC, senmlWeight(DEVICE, 25.1, NOW_S + 101), { qos: 1 });
    await client.endAsync();
    await waitFor(
      () => (t.journaled(TOPIC).some((p) => p.includes("25.1")) ? true : undefined),
      "the own-topic reading journaled",
    );
    expect(t.journaled(foreign)).toEqual([]);
  });

  it("gets every reading published while the platform was down once it is back (persistent session)", async () => {
    await t.stop();
    const client = await device();
    const base = NOW_S + 1000;
    const sent: string[] = [];
    for (let i = 0; i < 300; i += 1) {
      const payload = senmlWeight(DEVICE, 10 + i / 100, base + i);
      // Acknowledged by Mosquitto: from here on it is the broker's to keep.
      await client.publishAsync(TOPIC, payload, { qos: 1 });
      sent.push(payload);
    }
    await client.endAsync();

    t = await startTestPlatform({ dataDir, env: env() });
    const got = await waitFor(() => {
      const rows = t.journaled(TOPIC);
      return sent.every((s) => rows.includes(s)) ? rows : undefined;
    }, "all 300 queued readings delivered");
    // In order, as published.
    const positions = sent.map((s) => got.indexOf(s));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    await t.drained();
    const { body } = await t.http(
      `/api/readings?device=${DEVICE}&from=${new Date(base * 1000).toISOString()}`,
    );
    const values = new Set(body.points.map((p: { time: string }) => p.time));
    expect(values.size).toBeGreaterThanOrEqual(300);
  });

  it("reports a lost broker as degraded and reconnects when it returns", async () => {
    await mosquitto.stop();
    await waitFor(async () => ((await health()).status === "degraded" ? true : undefined), "degraded");
    expect((await health()).externalBroker.connected).toBe(false);
    mosquitto = await startMosquitto({
      port,
      dir: mosquitto.dir,
      users: {
        [INGEST.username]: INGEST.password,
        [DEVICE]: readDemoCredentials(dataDir)[DEVICE]?.password as string,
      },
      acl: mosquittoAcl([{ id: DEVICE, siteCode: "NX-K01", kind: "shelf" }], INGEST.username),
    });
    await waitFor(
      async () => ((await health()).status === "ok" ? true : undefined),
      "connected again",
      20_000,
    );
    const client = await device();
    await client.publishAsync(TOPIC, senmlWeight(DEVICE, 26.2, NOW_S + 5000), { qos: 1 });
    await client.endAsync();
    await waitFor(
      () => (t.journaled(TOPIC).some((p) => p.includes("26.2")) ? true : undefined),
      "a reading after the reconnect",
    );
  });
});
