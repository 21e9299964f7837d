import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { senmlWeight, startTestPlatform, type TestPlatform, waitFor } from "../helpers/platform.ts";

describe("malformed device messages", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ env: { MAX_PAYLOAD_BYTES: "4096" } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it("go to the dead letters with a reason while the valid reading beside them is stored", async () => {
    const client = await t.connect("NX-C01-SH1");
    const topic = "sites/NX-C01/shelf/NX-C01-SH1";
    const at = Math.floor(Date.now() / 1000);
    await client.publishAsync(topic, "{not json", { qos: 1 });
    await client.publishAsync(topic, senmlWeight("NX-C01-SH1", 12 + 40 * 1.2, at), { qos: 1 });
    await client.publishAsync(topic, '[{"n":"weight","u":"kg","v":"heavy"}]', { qos: 1 });
    await client.publishAsync(topic, Buffer.alloc(5000, 0xff), { qos: 1 });
    // The same connection is still usable: the broker acknowledged every message and carried on.
    expect(client.connected).toBe(true);

    const { total, items: letters } = (await t.http("/api/dead-letters")).body as {
      total: number;
      items: Array<{ topic: string; reason: string; payload: string }>;
    };
    expect(total).toBe(3);
    expect(letters.map((l) => l.reason).sort()).toEqual(
      [
        expect.stringMatching(/payload is not JSON/),
        "payload of 5000 bytes exceeds the 4096-byte limit",
        "record 0.v must be a finite number",
      ].sort(),
    );
    expect(letters.find((l) => l.reason.startsWith("payload is not JSON"))?.payload).toBe("{not json");

    const stock = await waitFor(async () => {
      const line = await t.stockLine("NX-C01", "FIRSTAID");
      return line.sensedQty === null ? undefined : line;
    }, "the valid reading");
    expect(stock.sensedQty).toBe(40);
    const health = (await t.http("/api/health")).body;
    expect(health.ingest).toMatchObject({ stored: 1, deadLetters: 3, pending: 0 });
  });

  it("refuses a publish outside the device's own topics: connection closed, nothing acknowledged or kept", async () => {
    const before = (await t.http("/api/health")).body.ingest;
    for (const topic of [
      "sites/NX-C02/shelf/NX-C01-SH1", // its own id under another site
      "sites/NX-C01/shelf/NX-C01-SH2", // another shelf of its site
      "sites/NX-C01/env/NX-C01-SH1", // its id, another kind
      "sites/NX-K02/shelf/NX-K02-SH1", // another site's device
      "warehouse/door",
      "$SYS/broker/fake",
    ]) {
      const client = await t.connect("NX-C01-SH1");
      const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
      let acked = false;
      client.publish(
        topic,
        senmlWeight("NX-C01-SH1", 13, Math.floor(Date.now() / 1000)),
        { qos: 1 },
        (err) => {
          if (!err) acked = true;
        },
      );
      await closed;
      expect(acked, topic).toBe(false);
    }
    await t.drained();
    const after = (await t.http("/api/health")).body.ingest;
    expect(after.stored).toBe(before.stored);
    expect(after.deadLetters).toBe(before.deadLetters);
  });

  it("refuses connections without valid device credentials", async () => {
    const attempts: Array<{ what: string; options: mqtt.IClientOptions }> = [
      { what: "anonymous", options: {} },
      { what: "wrong password", options: { username: "NX-C01-SH1", password: "not-the-secret" } },
      { what: "unknown device", options: { username: "NO-SUCH-DEVICE", password: "x" } },
      { what: "no password", options: { username: "NX-C01-SH1" } },
    ];
    for (const { what, options } of attempts) {
      const error = await mqtt
        .connectAsync(t.platform.mqttUrl, { ...options, reconnectPeriod: 0, connectTimeout: 5000 })
        .then(
          async (c) => {
            await c.endAsync(true);
            return null;
          },
          (err: Error & { code?: number }) => err,
        );
      expect(error, what).not.toBeNull();
      expect(error?.code, what).toBe(4);
    }
    // The right secret gets in, and may subscribe to its own command topic only.
    const device = await t.connect("NX-C01-SH1");
    const granted = await device.subscribeAsync("sites/NX-C01/cmd/NX-C01-SH1", { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    for (const topic of ["sites/#", "sites/NX-C01/cmd/NX-C01-SH2", "$SYS/#", "#"]) {
      // The broker answers with the failure return code 0x80; mqtt.js turns that into an error.
      await expect(device.subscribeAsync(topic, { qos: 1 }), topic).rejects.toThrow(/Subscribe error/);
    }
  });

  it("sets aside a message the projections cannot take, with the reason, and stores the ones after it", async () => {
    // A shelf misconfigured with a zero unit weight cannot be counted.
    const { sqlite } = t.platform.deps.database;
    sqlite.prepare("UPDATE shelves SET unit_weight_kg = 0 WHERE device_id = 'NX-K11-SH1'").run();
    t.platform.deps.registry.reload();
    const client = t.fleet();
    const at = Math.floor(Date.now() / 1000) - 5;
    await client.publishAsync("sites/NX-K11/shelf/NX-K11-SH1", senmlWeight("NX-K11-SH1", 20, at), { qos: 1 });
    await client.publishAsync("sites/NX-K12/shelf/NX-K12-SH1", senmlWeight("NX-K12-SH1", 12 + 4 * 1.2, at), {
      qos: 1,
    });
    await t.drained();
    const [letter] = (await t.http("/api/dead-letters?limit=1")).body.items;
    expect(letter).toMatchObject({
      topic: "sites/NX-K11/shelf/NX-K11-SH1",
      reason: "readings stored, but the projection failed: unit weight must be positive, got 0",
    });
    expect((await t.stockLine("NX-K12", "FIRSTAID")).sensedQty).toBe(4);
  });
});
