import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { senmlWeight, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

describe("draining a backlog", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ env: { INGEST_BATCH: "10" } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it("gives the event loop a turn between batches, so acknowledgements and the API are not held up", async () => {
    // A counter the event loop advances on every turn it gets.
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    tick();
    const turnAtBatch: number[] = [];
    const off = t.platform.deps.events.on("ingest.stored", () => turnAtBatch.push(turns));
    try {
      const client = t.fleet();
      const at = Math.floor(Date.now() / 1000) - 1000;
      await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          client.publishAsync(
            "sites/NX-K10/shelf/NX-K10-SH1",
            senmlWeight("NX-K10-SH1", 12 + (i % 5), at + i),
            {
              qos: 1,
            },
          ),
        ),
      );
      await t.drained();
    } finally {
      off();
      ticking = false;
    }
    expect(turnAtBatch.length).toBeGreaterThanOrEqual(12);
    // No two batches were stored in the same turn of the event loop.
    for (let i = 1; i < turnAtBatch.length; i += 1) {
      expect(turnAtBatch[i]).toBeGreaterThan(turnAtBatch[i - 1] as number);
    }
    expect((await t.http("/api/health")).body.ingest).toMatchObject({ pending: 0, stored: 120 });
  });
});
