import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../server/db/database.ts";
import { loadDemoNetwork } from "../../server/db/seed.ts";
import { addDays, DEFAULT_TIME_ZONE, dayOf } from "../../server/domain/calendar.ts";
import { startTestPlatform, type TestPlatform, tempDataDir } from "../helpers/platform.ts";

type Site = {
  code: string;
  tier: string;
  parentCode: string | null;
  city: string | null;
  demo: boolean;
  suppliesCategories: string[];
};

describe("the demo reserve network loaded on first start", () => {
  let t: TestPlatform;
  let sites: Site[];
  beforeAll(async () => {
    t = await startTestPlatform();
    sites = (await t.http("/api/sites")).body;
  });
  afterAll(async () => {
    await t.stop();
  });

  const ofTier = (tier: string) => sites.filter((s) => s.tier === tier);

  it("has Ningxia's tiers: 2 central, 4 branch, 22 county depots, a station room per county", () => {
    expect(ofTier("central")).toHaveLength(2);
    expect(ofTier("branch")).toHaveLength(4);
    const counties = ofTier("county");
    expect(counties).toHaveLength(22);
    for (const county of counties) {
      expect(
        ofTier("station").some((s) => s.parentCode === county.code),
        `station under ${county.code}`,
      ).toBe(true);
    }
    expect(sites.every((s) => s.demo)).toBe(true);
  });

  it("has food, medicine and fuel agreement reserves and the external regional depot", () => {
    const agreement = ofTier("agreement").map((s) => s.suppliesCategories);
    expect(agreement).toHaveLength(3);
    expect(agreement).toEqual(expect.arrayContaining([["FIELD"], ["MEDICAL"], ["POWER"]]));
    expect(ofTier("external").map((s) => s.city)).toContain("Lanzhou");
  });

  it("has 5 categories and 17 item types with the per-person kit", async () => {
    const { categories } = (await t.http("/api/catalogue")).body;
    expect(categories).toHaveLength(5);
    const types = categories.flatMap((c: { itemTypes: unknown[] }) => c.itemTypes);
    expect(types).toHaveLength(17);
    const medkit = types.find((x: { code: string }) => x.code === "MEDKIT");
    expect(medkit).toMatchObject({
      storageMinTempC: 2,
      storageMaxTempC: 25,
      storageMaxRhPct: 65,
      lifecycle: "expiring",
    });
    expect(types.filter((x: { kitQtyPerPerson: number }) => x.kitQtyPerPerson > 0)).toHaveLength(17);
  });

  it("registers a weight shelf and an environment sensor at every site", async () => {
    const devices = (await t.http("/api/devices")).body as Array<{ siteCode: string; kind: string }>;
    for (const site of sites) {
      const kinds = devices.filter((d) => d.siteCode === site.code).map((d) => d.kind);
      expect(kinds, site.code).toEqual(expect.arrayContaining(["shelf", "env"]));
    }
  });

  it("opens with batches of which some are near expiry and a few expired, and stock of every status", async () => {
    const today = dayOf(Date.now(), DEFAULT_TIME_ZONE);
    const soon = addDays(today, 90);
    const { sqlite } = t.platform.deps.database;
    const count = (sql: string, ...args: unknown[]) => (sqlite.prepare(sql).get(...args) as { n: number }).n;
    const expiring = count("SELECT count(*) AS n FROM batches WHERE expiry_date IS NOT NULL");
    const expired = count("SELECT count(*) AS n FROM batches WHERE expiry_date < ?", today);
    const nearExpiry = count(
      "SELECT count(*) AS n FROM batches WHERE expiry_date BETWEEN ? AND ?",
      today,
      soon,
    );
    expect(expired).toBeGreaterThan(0);
    expect(expired / expiring).toBeLessThan(0.15);
    expect(nearExpiry).toBeGreaterThan(0);
    // The book is the ledger: every batch came in as a receipt.
    expect(count("SELECT count(*) AS n FROM stock_ledger WHERE kind = 'receipt'")).toBe(
      count("SELECT count(*) AS n FROM batches"),
    );

    const statuses = new Set<string>();
    for (const site of ofTier("county")) {
      for (const item of (await t.http(`/api/sites/${site.code}/stock`)).body.items)
        statuses.add(item.status);
    }
    expect([...statuses].sort()).toEqual(["critical", "low", "ok", "over"]);
  });

  it("says it is demo data", async () => {
    expect((await t.http("/api/health")).body.demo).toBe(true);
    expect((await t.http("/api/map-config")).body.demo).toBe(true);
    const region = (await t.http("/api/region")).body;
    expect(region.properties.approximate).toBe(true);
  });
});

describe("DEMO=0", () => {
  it("starts with an empty network", async () => {
    const t = await startTestPlatform({ env: { DEMO: "0" } });
    try {
      expect((await t.http("/api/sites")).body).toEqual([]);
      expect((await t.http("/api/region")).status).toBe(404);
    } finally {
      await t.stop();
    }
  });
});

describe("loading the demo", () => {
  it("gives the same network for the same day", () => {
    const now = new Date("2026-11-23T08:00:00Z");
    const snapshot = (dir: string) => {
      const database = openDatabase(dir);
      try {
        loadDemoNetwork(database, { now });
        return database.sqlite
          .prepare("SELECT site_code, item_type_code, expiry_date, received_qty FROM batches ORDER BY id")
          .all();
      } finally {
        database.close();
      }
    };
    expect(snapshot(tempDataDir())).toEqual(snapshot(tempDataDir()));
  });
});
