import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { senmlWeight, startTestPlatform, type TestPlatform, waitFor } from "../helpers/platform.ts";

/** Real aedes broker, real SQLite, real HTTP: a device reading changes the stock a keeper sees. */
describe("shelf reading to stock, end to end", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  const firstAid = (site: string) => t.stockLine(site, "FIRSTAID");

  it("turns a published weight into the sensed count and the status of the item at that site", async () => {
    const devices = (await t.http("/api/devices?siteCode=NX-K01&kind=shelf")).body;
    expect(devices).toHaveLength(1);
    const shelf = devices[0];
    expect(shelf).toMatchObject({
      siteCode: "NX-K01",
      kind: "shelf",
      itemType: "FIRSTAID",
      topic: "sites/NX-K01/shelf/NX-K01-SH1",
    });

    const before = await firstAid("NX-K01");
    expect(before).toMatchObject({ sensedQty: null, basis: "book" });

    // Three kits on the shelf: below the county minimum (6 of 10), so the keeper sees "critical".
    const client = t.fleet();
    const at = Math.floor(Date.now() / 1000);
    await client.publishAsync(
      shelf.topic,
      senmlWeight(shelf.id, shelf.tareKg + 3 * shelf.unitWeightKg + 0.04, at),
      { qos: 1 },
    );

    const after = await waitFor(async () => {
      const line = await firstAid("NX-K01");
      return line.sensedQty === 3 ? line : undefined;
    }, "sensed first-aid kits at NX-K01");
    expect(after).toMatchObject({
      sensedQty: 3,
      onHandQty: 3,
      basis: "sensed",
      bookQty: before.bookQty,
      status: "critical",
    });

    const readings = (await t.http(`/api/readings?device=${shelf.id}`)).body;
    expect(readings.points).toEqual([
      {
        time: new Date(at * 1000).toISOString(),
        measurement: "weight",
        unit: "kg",
        value: expect.closeTo(shelf.tareKg + 3.64, 6),
      },
    ]);

    // A later reading in grams replaces the count; another site's stock is untouched.
    await client.publishAsync(
      shelf.topic,
      senmlWeight(shelf.id, shelf.tareKg + 12 * shelf.unitWeightKg, at + 5, "g"),
      { qos: 1 },
    );
    await waitFor(async () => ((await firstAid("NX-K01")).sensedQty === 12 ? true : undefined), "12 kits");
    expect((await firstAid("NX-K02")).sensedQty).toBeNull();
  });

  it("has the message on disk by the time the PUBACK arrives", async () => {
    const client = t.fleet();
    const { sqlite } = t.platform.deps.database;
    const countJournal = () =>
      (sqlite.prepare("SELECT count(*) AS n FROM ingest_journal").get() as { n: number }).n;
    // The processor may already have stored the row; what counts is that the broker journaled it
    // before the PUBACK resolved publishAsync.
    const before = countJournal();
    await client.publishAsync(
      "sites/NX-K02/shelf/NX-K02-SH1",
      senmlWeight("NX-K02-SH1", 30, Math.floor(Date.now() / 1000)),
      {
        qos: 1,
      },
    );
    expect(countJournal()).toBe(before + 1);
    const row = sqlite
      .prepare("SELECT topic, payload FROM ingest_journal ORDER BY id DESC LIMIT 1")
      .get() as { topic: string; payload: Buffer };
    expect(row.topic).toBe("sites/NX-K02/shelf/NX-K02-SH1");
    expect(JSON.parse(row.payload.toString())[0].v).toBe(30);
  });

  it("keeps an older reading that arrives late from overwriting a newer count", async () => {
    const client = t.fleet();
    const topic = "sites/NX-K03/shelf/NX-K03-SH1";
    const at = Math.floor(Date.now() / 1000) - 200;
    await client.publishAsync(topic, senmlWeight("NX-K03-SH1", 12 + 5 * 1.2, at + 100), { qos: 1 });
    await client.publishAsync(topic, senmlWeight("NX-K03-SH1", 12 + 9 * 1.2, at), { qos: 1 });
    await t.drained();
    expect((await firstAid("NX-K03")).sensedQty).toBe(5);
  });
});
