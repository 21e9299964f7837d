import { describe, expect, it } from "vitest";
import { rollup, type SiteStockLines } from "../../../server/domain/rollup.ts";
import { type StockInput, stockLine } from "../../../server/domain/stock.ts";

function line(
  itemTypeCode: string,
  qty: number,
  requiredQty: number,
  minQty: number,
  extra: Partial<StockInput> = {},
) {
  return stockLine({
    itemTypeCode,
    itemTypeName: itemTypeCode,
    unit: "piece",
    bookQty: qty,
    sensedQty: null,
    requiredQty,
    minQty,
    ...extra,
  });
}

// Helmets: Yinchuan centre holds a surplus, the Yinchuan county depot is low, Guyuan is fine.
const SITES: SiteStockLines[] = [
  {
    siteCode: "NX-C-N",
    tier: "central",
    city: "Yinchuan",
    lines: [line("HELMET", 140, 100, 60), line("TENT", 20, 20, 10)],
  },
  { siteCode: "NX-K-YN", tier: "county", city: "Yinchuan", lines: [line("HELMET", 50, 60, 30)] },
  { siteCode: "NX-C-S", tier: "central", city: "Guyuan", lines: [line("HELMET", 100, 100, 60)] },
  { siteCode: "NX-X-LZ", tier: "external", city: null, lines: [line("HELMET", 5000, 0, 0)] },
  { siteCode: "NX-P-EMPTY", tier: "station", city: "Guyuan", lines: [] },
];

describe("stock roll-ups", () => {
  it("groups by city, skipping sites with no key, sorted by key", () => {
    const byCity = rollup((s) => s.city, SITES);
    expect(byCity.map((r) => [r.key, r.sites])).toEqual([
      ["Guyuan", 2],
      ["Yinchuan", 2],
    ]);
  });

  it("sums a group's lines and judges the sums: ok in total while a site in it is low", () => {
    const [yinchuan] = rollup((s) => (s.city === "Yinchuan" ? s.city : null), SITES);
    expect(yinchuan).toEqual({
      key: "Yinchuan",
      sites: 2,
      status: "ok",
      counts: { ok: 2, low: 0, critical: 0, over: 0 },
      items: [
        {
          itemTypeCode: "HELMET",
          onHandQty: 190,
          bookQty: 190,
          reservedQty: 0,
          availableQty: 190,
          requiredQty: 160,
          minQty: 90,
          status: "ok",
          sites: 2,
          sitesByStatus: { ok: 1, low: 1, critical: 0, over: 0 },
        },
        {
          itemTypeCode: "TENT",
          onHandQty: 20,
          bookQty: 20,
          reservedQty: 0,
          availableQty: 20,
          requiredQty: 20,
          minQty: 10,
          status: "ok",
          sites: 1,
          sitesByStatus: { ok: 1, low: 0, critical: 0, over: 0 },
        },
      ],
    });
  });

  it("groups by tier, a group's status the worst of its lines", () => {
    const low: SiteStockLines = {
      siteCode: "NX-C-X",
      tier: "central",
      city: null,
      lines: [line("TENT", 5, 20, 10)],
    };
    const byTier = rollup((s) => s.tier, [...SITES, low]);
    expect(byTier.map((r) => [r.key, r.status, r.sites])).toEqual([
      ["central", "low", 3],
      ["county", "low", 1],
      ["external", "ok", 1],
      ["station", "none", 1],
    ]);
    const central = byTier[0];
    expect(central?.counts).toEqual({ ok: 1, low: 1, critical: 0, over: 0 });
    // HELMET 240 of 200 required, TENT 25 of 40 (min 20): low.
    expect(central?.items.map((i) => [i.itemTypeCode, i.onHandQty, i.requiredQty, i.status])).toEqual([
      ["HELMET", 240, 200, "ok"],
      ["TENT", 25, 40, "low"],
    ]);
  });

  it("rolls the whole region into one group", () => {
    const region = rollup(() => "region", SITES);
    expect(region).toHaveLength(1);
    expect(region[0]).toMatchObject({ key: "region", sites: 5, status: "over" });
    // Lanzhou's 5,000 helmets with no standard there make the regional total over the standard.
    expect(region[0]?.items[0]).toMatchObject({
      itemTypeCode: "HELMET",
      onHandQty: 5290,
      requiredQty: 260,
      minQty: 150,
      status: "over",
      sites: 4,
      sitesByStatus: { ok: 3, low: 1, critical: 0, over: 0 },
    });
  });

  it("judges available stock: reservations count against the group as they do against a site", () => {
    const reserved: SiteStockLines = {
      siteCode: "NX-C-N",
      tier: "central",
      city: "Yinchuan",
      lines: [line("HELMET", 140, 100, 60, { reservedQty: 90 })],
    };
    const [group] = rollup(() => "g", [reserved, SITES[2] as SiteStockLines]);
    expect(group?.items[0]).toMatchObject({
      onHandQty: 240,
      reservedQty: 90,
      availableQty: 150,
      requiredQty: 200,
      status: "low",
      sitesByStatus: { ok: 1, low: 0, critical: 1, over: 0 },
    });
  });

  it("returns nothing for no sites", () => {
    expect(rollup(() => "region", [])).toEqual([]);
  });
});
