import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { senmlWeight, startTestPlatform, type TestPlatform, tempDataDir } from "../helpers/platform.ts";

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const envPack = (deviceId: string, temp: number, at: number) =>
  JSON.stringify([
    { bn: `urn:dev:env:${deviceId}:`, bt: at, n: "temp", u: "Cel", v: temp },
    { n: "hum", u: "%RH", v: 50 },
  ]);

/**
 * Projections follow reading time, not arrival order, and an excursion needs more than one reading
 * outside the limits. Readings carry device times here so their order can be chosen; the platform
 * is real (aedes, journal, processor, SQLite).
 */
describe("readings projected in reading-time order, excursions debounced", () => {
  const dataDir = tempDataDir();
  let t: TestPlatform;
  let medkitSite: string;
  beforeAll(async () => {
    t = await startTestPlatform({ dataDir });
    // A site other than the sensors test's that stores medicine kits (2-25 °C).
    medkitSite = (
      t.platform.deps.database.sqlite
        .prepare(
          `SELECT site_code AS code FROM stock_ledger WHERE item_type_code = 'MEDKIT' AND site_code LIKE 'NX-%'
           GROUP BY site_code HAVING sum(quantity) > 0 ORDER BY site_code DESC LIMIT 1`,
        )
        .get() as { code: string }
    ).code;
  });
  afterAll(async () => {
    await t.stop();
  });

  const medkitExcursions = async (siteCode: string) =>
    ((await t.http(`/api/excursions?siteCode=${siteCode}`)).body as Array<{ itemTypeCode: string }>).filter(
      (e) => e.itemTypeCode === "MEDKIT",
    ) as any[];

  it("applies a device's messages of one batch oldest first: every movement in order, the count of the newest", async () => {
    const device = "NX-K12-SH1";
    const topic = `sites/NX-K12/shelf/${device}`;
    const shelf = t.platform.deps.database.sqlite
      .prepare(
        "SELECT tare_kg AS tare, unit_weight_kg AS unit, item_type_code AS item FROM shelves WHERE device_id = ?",
      )
      .get(device) as { tare: number; unit: number; item: string };
    const kg = (units: number) => shelf.tare + units * shelf.unit;
    const t0 = Math.floor(Date.now() / 1000) - 1000;
    const fleet = t.fleet();
    await fleet.publishAsync(topic, senmlWeight(device, kg(10), t0));
    await t.drained();

    // Held back so that the three arrive in one batch, the newest first (as after a broker outage).
    await t.platform.deps.processor.stop();
    try {
      for (const [units, at] of [
        [5, t0 + 30],
        [8, t0 + 10],
        [7, t0 + 20],
      ] as const) {
        await fleet.publishAsync(topic, senmlWeight(device, kg(units), at));
      }
      expect(await t.platform.deps.processor.drain()).toBe(3);
    } finally {
      t.platform.deps.processor.start();
    }

    const movements = (await t.http("/api/shelf-movements?siteCode=NX-K12")).body;
    expect(movements.map((m: any) => [m.fromUnits, m.toUnits, m.occurredAt])).toEqual([
      [7, 5, iso(t0 + 30)],
      [8, 7, iso(t0 + 20)],
      [10, 8, iso(t0 + 10)],
    ]);
    expect((await t.stockLine("NX-K12", shelf.item)).sensedQty).toBe(5);
  });

  it("never ends an excursion before it starts: a late reading back inside closes nothing", async () => {
    const device = `${medkitSite}-ENV1`;
    const topic = `sites/${medkitSite}/env/${device}`;
    const t0 = Math.floor(Date.now() / 1000) - 3000;
    const fleet = t.fleet();
    for (const [temp, at] of [
      [27, t0 + 600],
      [28, t0 + 660],
      [27.5, t0 + 720],
    ] as const) {
      await fleet.publishAsync(topic, envPack(device, temp, at));
    }
    await t.drained();
    expect(await medkitExcursions(medkitSite)).toEqual([
      expect.objectContaining({ startedAt: iso(t0 + 600), endedAt: null, peakValue: 28 }),
    ]);
    // It waited somewhere and comes after the newer ones, in a batch of its own: it changes nothing.
    await fleet.publishAsync(topic, envPack(device, 21, t0 + 300));
    // Also late, but inside the excursion's span and hotter: the peak goes up.
    await fleet.publishAsync(topic, envPack(device, 30, t0 + 700));
    await t.drained();
    expect(await medkitExcursions(medkitSite)).toEqual([
      expect.objectContaining({ startedAt: iso(t0 + 600), endedAt: null, peakValue: 30 }),
    ]);
    await fleet.publishAsync(topic, envPack(device, 22, t0 + 780));
    await t.drained();
    expect(await medkitExcursions(medkitSite)).toEqual([
      expect.objectContaining({ startedAt: iso(t0 + 600), endedAt: iso(t0 + 780), peakValue: 30 }),
    ]);
  });

  it("keeps a pending breach across a restart, and lets an item type open on one reading", async () => {
    const device = `${medkitSite}-ENV1`;
    const topic = `sites/${medkitSite}/env/${device}`;
    const t0 = Math.floor(Date.now() / 1000) - 2000;
    await t.fleet().publishAsync(topic, envPack(device, 26, t0));
    await t.fleet().publishAsync(topic, envPack(device, 26.5, t0 + 60));
    await t.drained();
    expect(await medkitExcursions(medkitSite)).toHaveLength(1); // the one of the test above
    await t.stop();
    t = await startTestPlatform({ dataDir });
    await t.fleet().publishAsync(topic, envPack(device, 27, t0 + 120));
    await t.drained();
    const [latest] = await medkitExcursions(medkitSite);
    expect(latest).toMatchObject({
      startedAt: iso(t0),
      endedAt: null,
      evidence: {
        readings: [
          { time: iso(t0), value: 26 },
          { time: iso(t0 + 60), value: 26.5 },
          { time: iso(t0 + 120), value: 27 },
        ],
        peak: { time: iso(t0 + 120), value: 27 },
      },
    });
    await t.fleet().publishAsync(topic, envPack(device, 20, t0 + 180));

    // Per item type: medicine kits open on their first reading outside.
    const patched = await t.send("PATCH", "/api/catalogue/item-types/MEDKIT", { excursionMinReadings: 1 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ excursionMinReadings: 1, excursionMinDurationS: null });
    const refused = await t.send("PATCH", "/api/catalogue/item-types/MEDKIT", {
      excursionMinReadings: 0,
      excursionMinDurationS: -1,
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/excursionMinReadings/);
    await t.fleet().publishAsync(topic, envPack(device, 26, t0 + 240));
    await t.drained();
    expect((await medkitExcursions(medkitSite))[0]).toMatchObject({
      startedAt: iso(t0 + 240),
      endedAt: null,
    });
    await t.send("PATCH", "/api/catalogue/item-types/MEDKIT", { excursionMinReadings: null });
  });
});
