import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { senmlWeight, startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/**
 * Readings that decode but cannot be true (a clock in 2200, a negative or astronomic weight, kelvin
 * on a Celsius sensor, another device's name, a pack too big or too deep), published over the real
 * broker: each goes to the dead letters with its reason and moves no figure.
 */
describe("implausible readings", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  const now = () => Math.floor(Date.now() / 1000);
  /** The dead letters' reasons for one topic, oldest first. */
  const reasonsFor = async (topic: string): Promise<string[]> => {
    const { items } = (await t.http("/api/dead-letters?limit=1000")).body as {
      items: Array<{ topic: string; reason: string }>;
    };
    return items
      .filter((l) => l.topic === topic)
      .map((l) => l.reason)
      .reverse();
  };
  const kitsOnShelf = (kits: number) => 12 + kits * 1.2;

  it("dead-letters a shelf reading dated 2200, and the shelf keeps following later real readings", async () => {
    const client = await t.connect("NX-S01-SH1");
    const topic = "sites/NX-S01/shelf/NX-S01-SH1";
    const year2200 = Date.UTC(2200, 0, 1) / 1000;
    await client.publishAsync(topic, senmlWeight("NX-S01-SH1", kitsOnShelf(3), year2200), { qos: 1 });
    await client.publishAsync(topic, senmlWeight("NX-S01-SH1", kitsOnShelf(6), now() - 20), { qos: 1 });
    await t.drained();
    expect((await t.stockLine("NX-S01", "FIRSTAID")).sensedQty).toBe(6);
    await client.publishAsync(topic, senmlWeight("NX-S01-SH1", kitsOnShelf(4), now() - 10), { qos: 1 });
    await t.drained();
    expect((await t.stockLine("NX-S01", "FIRSTAID")).sensedQty).toBe(4);

    const [reason, ...others] = await reasonsFor(topic);
    expect(others).toEqual([]);
    expect(reason).toMatch(
      /^reading time 2200-01-01T00:00:00\.000Z is \d+ s after the message arrived \(.+\); the device clock is wrong: at most 300 s ahead is accepted \(MAX_CLOCK_SKEW_S\)$/,
    );
  });

  it("does not move the stock on −50 kg or 1e308 kg", async () => {
    const client = await t.connect("NX-S02-SH1");
    const topic = "sites/NX-S02/shelf/NX-S02-SH1";
    await client.publishAsync(topic, senmlWeight("NX-S02-SH1", kitsOnShelf(5), now() - 30), { qos: 1 });
    await client.publishAsync(topic, senmlWeight("NX-S02-SH1", -50, now() - 20), { qos: 1 });
    await client.publishAsync(topic, senmlWeight("NX-S02-SH1", 1e308, now() - 10), { qos: 1 });
    await t.drained();

    const line = await t.stockLine("NX-S02", "FIRSTAID");
    expect(line.sensedQty).toBe(5);
    expect(line.status).not.toBe("critical");
    expect((await t.http("/api/shelf-movements?siteCode=NX-S02")).body).toEqual([]);
    const weights = (await t.http("/api/readings?device=NX-S02-SH1&measurement=weight")).body.points;
    expect(weights.map((p: { value: number }) => p.value)).toEqual([kitsOnShelf(5)]);
    // The demo shelf's load cells are rated 300 kg.
    expect(await reasonsFor(topic)).toEqual([
      "record 0: weight -50 kg is outside -6..306 kg, the plausible range of a shelf of 300 kg capacity",
      "record 0: weight 1e+308 kg is outside -6..306 kg, the plausible range of a shelf of 300 kg capacity",
    ]);
  });

  it("opens no excursion on 295 K, 1e308 Cel, −20 %RH or a value without a unit", async () => {
    const client = await t.connect("NX-C01-ENV1");
    const topic = "sites/NX-C01/env/NX-C01-ENV1";
    const pack = (record: object) =>
      JSON.stringify([{ bn: "urn:dev:env:NX-C01-ENV1:", bt: now() - 60, ...record }]);
    await client.publishAsync(topic, pack({ n: "temp", u: "K", v: 295 }), { qos: 1 });
    await client.publishAsync(topic, pack({ n: "temp", u: "Cel", v: 1e308 }), { qos: 1 });
    await client.publishAsync(topic, pack({ n: "hum", u: "%RH", v: -20 }), { qos: 1 });
    await client.publishAsync(topic, pack({ n: "temp", v: 40 }), { qos: 1 });
    // A real reading beside them, inside every stored item type's limits, is stored.
    await client.publishAsync(topic, pack({ n: "temp", u: "Cel", v: 19 }), { qos: 1 });
    await t.drained();

    expect((await t.http("/api/excursions?siteCode=NX-C01")).body).toEqual([]);
    const points = (await t.http("/api/readings?device=NX-C01-ENV1")).body.points;
    expect(
      points.map((p: { measurement: string; value: number; unit: string }) => [
        p.measurement,
        p.value,
        p.unit,
      ]),
    ).toEqual([["temp", 19, "Cel"]]);
    expect(await reasonsFor(topic)).toEqual([
      'record 0: unit "K" is not accepted on env; send Cel, %RH or %EL',
      "record 0: temp 1e+308 is outside -60..100 Cel",
      "record 0: hum -20 is outside 0..100 %RH",
      "record 0 has no unit; env takes Cel, %RH or %EL",
    ]);
  });

  it("refuses a SenML pack whose base name names another device", async () => {
    const client = await t.connect("NX-S03-SH1");
    const topic = "sites/NX-S03/shelf/NX-S03-SH1";
    await client.publishAsync(topic, senmlWeight("NX-S04-SH1", kitsOnShelf(2), now() - 10), { qos: 1 });
    await t.drained();
    expect((await t.stockLine("NX-S03", "FIRSTAID")).sensedQty).toBeNull();
    expect((await t.stockLine("NX-S04", "FIRSTAID")).sensedQty).toBeNull();
    expect(await reasonsFor(topic)).toEqual([
      'record 0: name "urn:dev:shelf:NX-S04-SH1:weight" names device "NX-S04-SH1", not the sender "NX-S03-SH1"',
    ]);
  });

  it("refuses a pack of 1,001 records and a 100,000-deep array with their reasons, and stays up", async () => {
    const shelf = await t.connect("NX-S05-SH1");
    const shelfTopic = "sites/NX-S05/shelf/NX-S05-SH1";
    const at = now() - 2000;
    const pack = (records: number) =>
      JSON.stringify(
        Array.from({ length: records }, (_, i) => ({
          ...(i === 0 ? { bn: "urn:dev:shelf:NX-S05-SH1:", bt: at } : {}),
          n: "weight",
          u: "kg",
          v: kitsOnShelf(5),
          t: i,
        })),
      );
    await shelf.publishAsync(shelfTopic, pack(1000), { qos: 1 });
    await shelf.publishAsync(shelfTopic, pack(1001), { qos: 1 });
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    const reader = await t.connect("NX-C01-RD1");
    const readerTopic = "sites/NX-C01/rfid/NX-C01-RD1";
    await reader.publishAsync(readerTopic, deep, { qos: 1 });
    const sensor = await t.connect("NX-S05-ENV1");
    const sensorTopic = "sites/NX-S05/env/NX-S05-ENV1";
    await sensor.publishAsync(sensorTopic, `{"temperature":${deep}}`, { qos: 1 });

    // Still up: the same connections publish again and are acknowledged, and the readings stored.
    await shelf.publishAsync(shelfTopic, senmlWeight("NX-S05-SH1", kitsOnShelf(7), now() - 5), { qos: 1 });
    await sensor.publishAsync(sensorTopic, JSON.stringify({ temperature: 18.5, time: now() - 5 }), {
      qos: 1,
    });
    await t.drained();
    expect([shelf.connected, reader.connected, sensor.connected]).toEqual([true, true, true]);
    expect((await t.http("/api/health")).body).toMatchObject({ status: "ok", ingest: { pending: 0 } });
    // The pack of 1,000 and the later reading are stored; the pack of 1,001 is not.
    const weights = (await t.http("/api/readings?device=NX-S05-SH1&measurement=weight")).body.points;
    expect(weights).toHaveLength(1001);
    expect((await t.stockLine("NX-S05", "FIRSTAID")).sensedQty).toBe(7);
    const temps = (await t.http("/api/readings?device=NX-S05-ENV1&measurement=temp")).body.points;
    expect(temps.map((p: { value: number }) => p.value)).toEqual([18.5]);

    expect(await reasonsFor(shelfTopic)).toEqual([
      "SenML pack has 1001 records; at most 1000 are accepted in one message",
    ]);
    expect(await reasonsFor(readerTopic)).toEqual(["payload nests deeper than 32 levels"]);
    expect(await reasonsFor(sensorTopic)).toEqual(["payload nests deeper than 32 levels"]);
  });
});
