import { describe, expect, it } from "vitest";
import { distanceKm } from "../../../server/domain/geo.ts";
import { type KitLine, readiness, sumAvailable, withinRadius } from "../../../server/domain/readiness.ts";

const KIT: KitLine[] = [
  { itemTypeCode: "HELMET", qtyPerPerson: 1 },
  { itemTypeCode: "TENT", qtyPerPerson: 0.1 },
  { itemTypeCode: "FIRSTAID", qtyPerPerson: 0.02 },
  { itemTypeCode: "RADIO", qtyPerPerson: 0.25 },
];

describe("people a stock can equip", () => {
  it("takes exact fractional shares: 10 tents at 0.1, 2 kits at 0.02, 25 radios at 0.25 are 100 each", () => {
    const r = readiness(KIT, { HELMET: 150, TENT: 10, FIRSTAID: 2, RADIO: 25 });
    expect(r.people).toBe(100);
    expect(r.limitingItemTypes).toEqual(["TENT", "FIRSTAID", "RADIO"]);
    expect(r.perItem).toEqual([
      { itemTypeCode: "HELMET", available: 150, qtyPerPerson: 1, people: 150 },
      { itemTypeCode: "TENT", available: 10, qtyPerPerson: 0.1, people: 100 },
      { itemTypeCode: "FIRSTAID", available: 2, qtyPerPerson: 0.02, people: 100 },
      { itemTypeCode: "RADIO", available: 25, qtyPerPerson: 0.25, people: 100 },
    ]);
  });

  it("does not lose a person to floating point: 7 at 0.07 per person is 100, not 99", () => {
    expect(7 / 0.07).toBeLessThan(100); // the trap
    expect(readiness([{ itemTypeCode: "X", qtyPerPerson: 0.07 }], { X: 7 }).people).toBe(100);
  });

  it("equips whole people only: 19 at 0.3 per person is 63, 9 at 0.25 is 36", () => {
    expect(readiness([{ itemTypeCode: "TENT", qtyPerPerson: 0.3 }], { TENT: 19 }).people).toBe(63);
    expect(readiness([{ itemTypeCode: "RADIO", qtyPerPerson: 0.25 }], { RADIO: 9 }).people).toBe(36);
    expect(readiness([{ itemTypeCode: "RADIO", qtyPerPerson: 0.25 }], { RADIO: 8.99 }).people).toBe(35);
  });

  it("equips nobody when an item of the kit is missing from the stock", () => {
    const r = readiness(KIT, { HELMET: 5000, TENT: 500, RADIO: 1000 });
    expect(r.people).toBe(0);
    expect(r.limitingItemTypes).toEqual(["FIRSTAID"]);
    expect(r.perItem.find((l) => l.itemTypeCode === "FIRSTAID")).toEqual({
      itemTypeCode: "FIRSTAID",
      available: 0,
      qtyPerPerson: 0.02,
      people: 0,
    });
    expect(r.shortfallForTarget).toEqual([{ itemTypeCode: "FIRSTAID", missing: 40 }]);
  });

  it("equips nobody from an empty kit rather than claiming unlimited readiness", () => {
    expect(readiness([], { HELMET: 5000 })).toEqual({
      people: 0,
      limitingItemTypes: [],
      perItem: [],
      target: 2000,
      meetsTarget: false,
      shortfallForTarget: [],
    });
    // A kit whose lines all ask for nothing is no kit either.
    expect(readiness([{ itemTypeCode: "HELMET", qtyPerPerson: 0 }], { HELMET: 5000 }).people).toBe(0);
  });

  it("meets the 2,000 target exactly at 2,000 and misses it at 1,999", () => {
    const exact = { HELMET: 2000, TENT: 200, FIRSTAID: 40, RADIO: 500 };
    const met = readiness(KIT, exact);
    expect(met).toMatchObject({ people: 2000, target: 2000, meetsTarget: true, shortfallForTarget: [] });
    expect(met.limitingItemTypes).toEqual(["HELMET", "TENT", "FIRSTAID", "RADIO"]);

    const missed = readiness(KIT, { ...exact, HELMET: 1999 });
    expect(missed).toMatchObject({ people: 1999, meetsTarget: false, limitingItemTypes: ["HELMET"] });
    expect(missed.shortfallForTarget).toEqual([{ itemTypeCode: "HELMET", missing: 1 }]);
  });

  it("rounds the shortfall up to whole items, without float noise adding one", () => {
    // 2,001 people need 200.1 tents: 201; 40.02 kits: 41; 500.25 radios: 501.
    const r = readiness(KIT, { HELMET: 2001, TENT: 200, FIRSTAID: 40, RADIO: 500 }, 2001);
    expect(r.shortfallForTarget).toEqual([
      { itemTypeCode: "TENT", missing: 1 },
      { itemTypeCode: "FIRSTAID", missing: 1 },
      { itemTypeCode: "RADIO", missing: 1 },
    ]);
    // 100 people x 0.07 is 7.000000000000001 in floating point; 7 items are enough.
    expect(readiness([{ itemTypeCode: "X", qtyPerPerson: 0.07 }], { X: 6 }, 100).shortfallForTarget).toEqual([
      { itemTypeCode: "X", missing: 1 },
    ]);
  });

  it("merges two lines of the same item type: they draw on the same stock", () => {
    const r = readiness(
      [
        { itemTypeCode: "WATER", qtyPerPerson: 0.5 },
        { itemTypeCode: "WATER", qtyPerPerson: 0.5 },
      ],
      { WATER: 30 },
    );
    expect(r.people).toBe(30);
    expect(r.perItem).toEqual([{ itemTypeCode: "WATER", available: 30, qtyPerPerson: 1, people: 30 }]);
  });
});

describe("sites within a radius", () => {
  const yinchuan = { lat: 38.487, lon: 106.231 };
  const sites = [
    { code: "GUYUAN", lat: 36.016, lon: 106.242 },
    { code: "ZHONGWEI", lat: 37.5, lon: 105.196 },
    { code: "WUZHONG", lat: 37.998, lon: 106.199 },
    { code: "SHIZUISHAN", lat: 39.013, lon: 106.384 },
  ];

  it("keeps those within the radius, nearest first, with their distance", () => {
    const found = withinRadius(sites, yinchuan, 200);
    expect(found.map((s) => s.code)).toEqual(["WUZHONG", "SHIZUISHAN", "ZHONGWEI"]);
    expect(found[0]?.distanceKm).toBeCloseTo(54.352, 3);
    expect(found[0]).toMatchObject({ code: "WUZHONG", lat: 37.998, lon: 106.199 });
  });

  it("includes a site at exactly the radius and drops it a metre inside", () => {
    const edge = distanceKm(yinchuan, sites[1] as (typeof sites)[number]);
    expect(withinRadius(sites, yinchuan, edge).map((s) => s.code)).toContain("ZHONGWEI");
    expect(withinRadius(sites, yinchuan, edge - 0.001).map((s) => s.code)).not.toContain("ZHONGWEI");
  });

  it("keeps input order between sites at the same distance", () => {
    const twins = [
      { code: "B", lat: 38, lon: 106 },
      { code: "A", lat: 38, lon: 106 },
    ];
    expect(withinRadius(twins, yinchuan, 200).map((s) => s.code)).toEqual(["B", "A"]);
  });
});

describe("summing stocks", () => {
  it("adds per item type across stocks", () => {
    expect(sumAvailable([{ TENT: 10, WATER: 5 }, { TENT: 2.5 }, {}])).toEqual({ TENT: 12.5, WATER: 5 });
    expect(sumAvailable([])).toEqual({});
  });

  it("treats codes like constructor as plain item types", () => {
    expect(sumAvailable([{ constructor: 1 }, { constructor: 2 }])).toEqual({ constructor: 3 });
    expect(readiness([{ itemTypeCode: "constructor", qtyPerPerson: 1 }], {}).people).toBe(0);
  });
});
