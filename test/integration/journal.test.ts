import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { senmlWeight, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

describe("ingest journal retention", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ env: { JOURNAL_RETENTION_HOURS: "24" } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it("deletes processed rows past the retention, keeps recent ones and the dead letters' copies", async () => {
    const client = t.fleet();
    const at = Math.floor(Date.now() / 1000) - 10;
    await client.publishAsync("sites/NX-K07/shelf/NX-K07-SH1", senmlWeight("NX-K07-SH1", 20, at), { qos: 1 });
    await client.publishAsync("sites/NX-K07/shelf/NX-K07-SH1", senmlWeight("NX-K07-SH1", 21, at + 1), {
      qos: 1,
    });
    await client.publishAsync("sites/NX-K07/shelf/NX-K07-SH1", "garbage", { qos: 1 });
    await t.drained();

    const { sqlite } = t.platform.deps.database;
    const ids = (
      sqlite.prepare("SELECT id FROM ingest_journal ORDER BY id").all() as Array<{ id: number }>
    ).map((r) => r.id);
    expect(ids).toHaveLength(3);
    const twoDaysAgo = Date.now() - 48 * 3600 * 1000;
    // The first reading and the dead letter were processed two days ago; the second just now.
    sqlite
      .prepare("UPDATE ingest_journal SET processed_at = ? WHERE id IN (?, ?)")
      .run(twoDaysAgo, ids[0], ids[2]);

    expect((await t.http("/api/health")).body.ingest).toMatchObject({
      stored: 2,
      deadLetters: 1,
      pending: 0,
    });
    expect(t.platform.deps.processor.prune(Date.now())).toBe(2);
    expect(sqlite.prepare("SELECT id FROM ingest_journal").all()).toEqual([{ id: ids[1] }]);
    // The journal's counts follow the rows it still holds.
    expect((await t.http("/api/health")).body.ingest).toMatchObject({
      stored: 1,
      deadLetters: 0,
      pending: 0,
    });
    const letters = (await t.http("/api/dead-letters")).body.items;
    expect(letters.map((l: { payload: string }) => l.payload)).toEqual(["garbage"]);
    // The readings themselves live in the time-series store and stay.
    expect((await t.http("/api/readings?device=NX-K07-SH1")).body.points).toHaveLength(2);
  });
});
