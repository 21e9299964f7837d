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
    const client = await t.connect("shelf-with-bad-firmware");
    const topic = "sites/NX-C01/shelf/NX-C01-SH1";
    const at = Math.floor(Date.now() / 1000);
    await client.publishAsync(topic, "{not json", { qos: 1 });
    await client.publishAsync(topic, senmlWeight("NX-C01-SH1", 12 + 40 * 1.2, at), { qos: 1 });
    await client.publishAsync(topic, '[{"n":"weight","u":"kg","v":"heavy"}]', { qos: 1 });
    await client.publishAsync("sites/NX-C01/shelf/NO-SUCH-DEVICE", senmlWeight("X", 1, at), { qos: 1 });
    await client.publishAsync("sites/NX-C02/shelf/NX-C01-SH1", senmlWeight("NX-C01-SH1", 1, at), { qos: 1 });
    await client.publishAsync("warehouse/door", "open", { qos: 1 });
    await client.publishAsync(topic, Buffer.alloc(5000, 0xff), { qos: 1 });
    // The same connection is still usable: the broker acknowledged every message and carried on.
    expect(client.connected).toBe(true);

    const { total, items: letters } = (await t.http("/api/dead-letters")).body as {
      total: number;
      items: Array<{ topic: string; reason: string; payload: string }>;
    };
    expect(total).toBe(6);
    const reasons = letters.map((l) => l.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/payload is not JSON/),
        "record 0.v must be a finite number",
        'device "NO-SUCH-DEVICE" is not registered',
        'device "NX-C01-SH1" belongs to site NX-C01, not NX-C02',
        'topic "warehouse/door" is not sites/{siteCode}/{kind}/{deviceId}',
        "payload of 5000 bytes exceeds the 4096-byte limit",
      ]),
    );
    expect(letters).toHaveLength(6);
    expect(letters.find((l) => l.reason.startsWith("payload is not JSON"))?.payload).toBe("{not json");

    const stock = await waitFor(async () => {
      const line = await t.stockLine("NX-C01", "FIRSTAID");
      return line.sensedQty === null ? undefined : line;
    }, "the valid reading");
    expect(stock.sensedQty).toBe(40);
    const health = (await t.http("/api/health")).body;
    expect(health.ingest).toMatchObject({ stored: 1, deadLetters: 6, pending: 0 });
  });

  it("refuses $SYS topics by closing the connection without an acknowledgement", async () => {
    const client = await t.connect();
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.publish("$SYS/broker/fake", "x", { qos: 1 });
    await closed;
    const letters = (await t.http("/api/dead-letters")).body.items as Array<{ topic: string }>;
    expect(letters.some((l) => l.topic.startsWith("$SYS"))).toBe(false);
  });

  it("sets aside a message the projections cannot take, with the reason, and stores the ones after it", async () => {
    // A shelf misconfigured with a zero unit weight cannot be counted.
    const { sqlite } = t.platform.deps.database;
    sqlite.prepare("UPDATE shelves SET unit_weight_kg = 0 WHERE device_id = 'NX-K11-SH1'").run();
    t.platform.deps.registry.reload();
    const client = await t.connect();
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
