import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDemoCredentials } from "../../server/security/demo-credentials.ts";
import { startDriver } from "../../simulators/driver.ts";
import { buildFleet } from "../../simulators/fleet.ts";
import { startTestPlatform, type TestPlatform, waitFor } from "../helpers/platform.ts";

/** The simulated hardware against the real broker: what the simulation did is what the platform shows. */
describe("simulated devices against the platform", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  it("every acknowledged message is journaled, and tags and shelves end where the simulation left them", async () => {
    const sites = ["NX-B01", "NX-B03"];
    const fleet = await buildFleet({
      apiUrl: t.platform.httpUrl,
      token: await t.login("admin"),
      sites,
      seed: 7,
      removalChance: 0.3,
      excursionChance: 0,
    });
    expect(fleet.readers.map((r) => r.format).sort()).toEqual(["zebra", "zebra"]);
    const tagsBefore = fleet.readers.reduce((n, r) => n + r.tags.length, 0);
    const driver = await startDriver(fleet, {
      mqttUrl: t.platform.mqttUrl,
      rate: 400,
      seed: 7,
      credentials: readDemoCredentials(t.dataDir),
    });
    await waitFor(
      async () => (fleet.readers.every((r) => r.eventNum > 0) ? true : undefined),
      "every reader stepped",
    );
    // Let each reader run a few inventory cycles so every remaining tag has its two reads.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stats = await driver.stop();
    await t.drained();

    expect(stats.failed).toBe(0);
    expect(stats.acked).toBe(stats.sent);
    const journal = (await t.http("/api/journal?limit=1")).body.counts;
    expect(journal.stored).toBe(stats.acked);
    expect(journal.dead).toBe(0);

    const tagsLeft = fleet.readers.reduce((n, r) => n + r.tags.length, 0);
    const carriedOut = tagsBefore - tagsLeft;
    const issues = t.platform.deps.database.sqlite
      .prepare("SELECT count(*) AS n FROM stock_ledger WHERE kind = 'issue' AND actor = 'rfid-portal'")
      .get() as { n: number };
    expect(issues.n).toBe(carriedOut);
    for (const reader of fleet.readers) {
      const radios = await t.stockLine(reader.siteCode, "RADIO");
      expect(radios.sensedQty, reader.siteCode).toBe(reader.tags.length);
    }
    for (const shelf of fleet.shelves) {
      expect((await t.stockLine(shelf.siteCode, "FIRSTAID")).sensedQty, shelf.deviceId).toBe(shelf.units);
    }
  });
});
