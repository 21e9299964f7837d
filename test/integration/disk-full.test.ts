import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { senmlWeight, startTestPlatform, type TestPlatform, waitFor } from "../helpers/platform.ts";

const DEVICE = "NX-K06-SH1";
const TOPIC = "sites/NX-K06/shelf/NX-K06-SH1";

describe("a data dir that cannot take more", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  it("refuses readings without acknowledging them while the disk is full, and takes them again after", async () => {
    const { sqlite } = t.platform.deps.database;
    const before = (await t.http("/api/health")).body.ingest.stored;
    // A full disk, as SQLite meets it: the database may not grow by another page.
    const pages = Number(sqlite.pragma("page_count", { simple: true }));
    const limit = Number(sqlite.pragma("max_page_count", { simple: true }));
    sqlite.pragma(`max_page_count = ${pages}`);

    const device = await t.connect(DEVICE);
    const closed = new Promise<void>((resolve) => device.once("close", () => resolve()));
    let acked = false;
    const at = Math.floor(Date.now() / 1000) - 30;
    // A payload large enough to need a new page whatever free space the last page has.
    const reading = senmlWeight(DEVICE, 12 + 5 * 1.2, at).replace(
      "[{",
      `[{"bu":"kg","x":"${"x".repeat(6000)}",`,
    );
    device.publish(TOPIC, reading, { qos: 1 }, (err) => {
      if (!err) acked = true;
    });
    await closed;
    expect(acked).toBe(false);
    const health = (await t.http("/api/health")).body;
    expect(health.status).toBe("degraded");
    expect(health.ingest.refusing).toMatch(/ingest journal write failed: .*full/i);
    expect(health.ingest.stored).toBe(before);

    // Space again: the device's next attempt is acknowledged and stored, once.
    sqlite.pragma(`max_page_count = ${limit}`);
    const again = await t.connect(DEVICE);
    await again.publishAsync(TOPIC, senmlWeight(DEVICE, 12 + 5 * 1.2, at), { qos: 1 });
    await t.drained();
    const after = await waitFor(async () => {
      const h = (await t.http("/api/health")).body;
      return h.ingest.stored === before + 1 ? h : undefined;
    }, "the reading stored");
    expect(after).toMatchObject({ status: "ok", ingest: { refusing: null } });
    expect((await t.http(`/api/readings?device=${DEVICE}`)).body.points).toHaveLength(1);
  });
});
