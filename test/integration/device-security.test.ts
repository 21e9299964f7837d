import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS_FILE, readDemoCredentials } from "../../server/security/demo-credentials.ts";
import { senmlWeight, startTestPlatform, type TestPlatform, tempDataDir } from "../helpers/platform.ts";

const run = promisify(execFile);
const DEVICE = "NX-K03-SH1";
const TOPIC = "sites/NX-K03/shelf/NX-K03-SH1";

/** The CONNACK code a connection attempt ends with (0 when it got in). */
async function connectCode(url: string, username: string, password: string): Promise<number> {
  return mqtt.connectAsync(url, { username, password, reconnectPeriod: 0, connectTimeout: 5000 }).then(
    async (client) => {
      await client.endAsync(true);
      return 0;
    },
    (err: { code?: number }) => err.code ?? -1,
  );
}

const closedPromise = (client: MqttClient) =>
  new Promise<void>((resolve) => client.once("close", () => resolve()));

describe("device credentials and rights", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ env: { MQTT_MAX_CONNECTIONS: "20" } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it("writes the demo devices' secrets to DATA_DIR/demo-credentials.json, readable by the owner only", async () => {
    const file = path.join(t.dataDir, DEMO_CREDENTIALS_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const secrets = readDemoCredentials(t.dataDir);
    const devices = (await t.http("/api/devices")).body as Array<{ id: string; hasCredentials: boolean }>;
    expect(Object.keys(secrets).sort()).toEqual(devices.map((d) => d.id).sort());
    expect(devices.every((d) => d.hasCredentials)).toBe(true);
    // Only a scrypt hash is in the database, never the secret.
    const row = t.platform.deps.database.sqlite
      .prepare("SELECT secret_hash AS hash FROM devices WHERE id = ?")
      .get(DEVICE) as { hash: string };
    expect(row.hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$/);
    expect(row.hash).not.toContain(secrets[DEVICE]?.password);
    expect(await connectCode(t.platform.mqttUrl, DEVICE, secrets[DEVICE]?.password as string)).toBe(0);
  });

  it("issues a new secret once through the API; the old one stops working and its connection is closed", async () => {
    const old = await t.connect(DEVICE);
    const closed = closedPromise(old);
    const issued = await t.send("POST", `/api/devices/${DEVICE}/credentials`);
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({
      deviceId: DEVICE,
      username: DEVICE,
      publishTopic: TOPIC,
      statusTopic: "sites/NX-K03/status/NX-K03-SH1",
      commandTopic: "sites/NX-K03/cmd/NX-K03-SH1",
    });
    expect(issued.body.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await closed;
    const oldSecret = readDemoCredentials(t.dataDir)[DEVICE]?.password as string;
    expect(await connectCode(t.platform.mqttUrl, DEVICE, oldSecret)).toBe(4);
    expect(await connectCode(t.platform.mqttUrl, DEVICE, issued.body.password)).toBe(0);
    // Nobody can read it back.
    const listed = (await t.http("/api/devices?siteCode=NX-K03")).body;
    expect(JSON.stringify(listed)).not.toContain(issued.body.password);
    expect((await t.send("POST", "/api/devices/NO-SUCH/credentials")).status).toBe(404);
  });

  it("cuts a disabled device off at once and keeps it out until it is enabled again", async () => {
    const issued = (await t.send("POST", `/api/devices/${DEVICE}/credentials`)).body;
    const device = await mqtt.connectAsync(t.platform.mqttUrl, {
      username: DEVICE,
      password: issued.password,
      reconnectPeriod: 0,
    });
    const at = Math.floor(Date.now() / 1000) - 100;
    await device.publishAsync(TOPIC, senmlWeight(DEVICE, 20, at), { qos: 1 });
    const closed = closedPromise(device);
    const disabled = await t.send("PATCH", `/api/devices/${DEVICE}`, { enabled: false });
    expect(disabled.body).toMatchObject({ id: DEVICE, enabled: false, disconnected: 1 });
    await closed;
    expect(await connectCode(t.platform.mqttUrl, DEVICE, issued.password)).toBe(4);
    await t.drained();
    const stored = (await t.http(`/api/readings?device=${DEVICE}`)).body.points.length;
    expect(stored).toBe(1);

    expect((await t.send("PATCH", `/api/devices/${DEVICE}`, { enabled: true })).body.enabled).toBe(true);
    expect(await connectCode(t.platform.mqttUrl, DEVICE, issued.password)).toBe(0);
    expect((await t.send("PATCH", `/api/devices/${DEVICE}`, {})).status).toBe(400);
    expect((await t.send("PATCH", `/api/devices/${DEVICE}`, { enabled: "no" })).status).toBe(400);
  });

  it("refuses connections beyond MQTT_MAX_CONNECTIONS", async () => {
    const secrets = readDemoCredentials(t.dataDir);
    const ids = Object.keys(secrets)
      .filter((id) => id !== DEVICE)
      .slice(0, 25);
    const before = t.broker.connectedClients();
    const outcomes = [];
    const open: MqttClient[] = [];
    for (const id of ids) {
      try {
        open.push(
          await mqtt.connectAsync(t.platform.mqttUrl, {
            username: id,
            password: secrets[id]?.password,
            reconnectPeriod: 0,
          }),
        );
        outcomes.push(0);
      } catch (err) {
        outcomes.push((err as { code?: number }).code);
      }
    }
    await Promise.all(open.map((c) => c.endAsync(true)));
    // Exactly up to the limit got in; every one after was told the server is unavailable (3).
    const admitted = 20 - before;
    expect(outcomes).toEqual([...Array(admitted).fill(0), ...Array(ids.length - admitted).fill(3)]);
  });
});

describe("the device-secret command line", () => {
  it("issues a secret an operator hands to a device, which then gets in", async () => {
    const dataDir = tempDataDir();
    const cli = (script: string, args: string[]) =>
      run(process.execPath, ["--import", "tsx", script, ...args], {
        env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "silent" },
      });
    await cli("server/db/seed-cli.ts", []);
    const { stdout } = await cli("server/security/device-secret-cli.ts", ["NX-K04-SH1"]);
    const printed = JSON.parse(stdout.trim());
    expect(printed).toMatchObject({
      deviceId: "NX-K04-SH1",
      username: "NX-K04-SH1",
      topic: "sites/NX-K04/shelf/NX-K04-SH1",
    });
    await expect(cli("server/security/device-secret-cli.ts", ["NO-SUCH"])).rejects.toThrow(/not registered/);

    const t = await startTestPlatform({ dataDir });
    try {
      expect(await connectCode(t.platform.mqttUrl, "NX-K04-SH1", printed.password)).toBe(0);
      // The demo start gave the other devices secrets but kept the one the operator issued.
      expect(readDemoCredentials(dataDir)["NX-K04-SH1"]).toBeUndefined();
      // The command-line issue is in the audit log, with the device's site.
      const log = (await t.http("/api/audit-log?siteCode=NX-K04")).body as Array<Record<string, unknown>>;
      expect(log).toContainEqual(
        expect.objectContaining({
          method: "CLI",
          route: "npm run device-secret",
          siteCode: "NX-K04",
          statusCode: 200,
        }),
      );
    } finally {
      await t.stop();
    }
  }, 60000);
});

describe("a production start", () => {
  it("writes no credentials file and issues no secrets", async () => {
    const t = await startTestPlatform({ env: { DEMO: "0" } });
    try {
      expect(fs.existsSync(path.join(t.dataDir, DEMO_CREDENTIALS_FILE))).toBe(false);
      expect(
        t.platform.deps.database.sqlite
          .prepare("SELECT count(*) AS n FROM devices WHERE secret_hash IS NOT NULL")
          .get(),
      ).toEqual({ n: 0 });
    } finally {
      await t.stop();
    }
  });
});

describe("a device sending faster than DEVICE_MAX_MSGS_PER_S", () => {
  it("is slowed down, loses nothing, and does not hold up other devices", async () => {
    const t = await startTestPlatform({ env: { DEVICE_MAX_MSGS_PER_S: "20" } });
    try {
      const fast = await t.connect("NX-K05-SH1");
      const other = await t.connect("NX-K07-SH1");
      const base = Math.floor(Date.now() / 1000) - 1000;
      const started = Date.now();
      let fastDoneAt = 0;
      // 60 messages at once: 40 (the burst) go at once, the other 20 at 20 a second.
      const fastAll = Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          fast.publishAsync(
            "sites/NX-K05/shelf/NX-K05-SH1",
            senmlWeight("NX-K05-SH1", 12 + i * 0.01, base + i),
            {
              qos: 1,
            },
          ),
        ),
      ).then(() => {
        fastDoneAt = Date.now();
      });
      await other.publishAsync("sites/NX-K07/shelf/NX-K07-SH1", senmlWeight("NX-K07-SH1", 20, base), {
        qos: 1,
      });
      const otherDoneAt = Date.now();
      await fastAll;
      expect(otherDoneAt).toBeLessThan(fastDoneAt);
      expect(fastDoneAt - started).toBeGreaterThanOrEqual(900);
      await t.drained();
      expect((await t.http("/api/readings?device=NX-K05-SH1")).body.points).toHaveLength(60);
    } finally {
      await t.stop();
    }
  });
});
