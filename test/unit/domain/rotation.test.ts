import { describe, expect, it } from "vitest";
import {
  type BatchInfo,
  batchLifecycle,
  DEFAULT_ROTATION_POLICY,
  fefoOrder,
  pickFefo,
  type RotationDestination,
  type RotationPolicy,
  rotationPlan,
} from "../../../server/domain/rotation.ts";

// Life 365 days: share 0.25 -> floor(91.25) = 91 days before expiry; days rule 60; cycle 30.
const WATER: RotationPolicy = {
  lifecycle: "expiring",
  shelfLifeDays: 365,
  serviceLifeDays: null,
  inspectionIntervalDays: null,
  maintenanceIntervalDays: null,
  rotationTriggerShare: 0.25,
  rotationTriggerDays: 60,
  rotationCycleDays: 30,
  rotationProportion: 0.25,
};

// 10-year service life, inspected yearly, maintained half-yearly.
const GENERATOR: RotationPolicy = {
  lifecycle: "durable",
  shelfLifeDays: null,
  serviceLifeDays: 3650,
  inspectionIntervalDays: 365,
  maintenanceIntervalDays: 180,
  rotationTriggerShare: null,
  rotationTriggerDays: null,
  rotationCycleDays: null,
  rotationProportion: null,
};

function batch(over: Partial<BatchInfo> & Pick<BatchInfo, "batchId">): BatchInfo {
  return {
    siteCode: "DEPOT-A",
    itemTypeCode: "WATER",
    productionDate: "2024-01-01",
    expiryDate: "2024-12-31",
    receivedAt: "2024-01-15",
    quantity: 10,
    ...over,
  };
}

function station(siteCode: string, dailyUseQtyPerCycle: number, distanceKm = 10): RotationDestination {
  return { siteCode, tier: "station", dailyUseQtyPerCycle, distanceKm };
}

describe("batch lifecycle: expiring stock", () => {
  // production 2024-01-01, expiry 2024-12-31: deadline 2024-10-01 (91 days before), overdue after 2024-10-31
  it.each([
    ["2024-09-30", "ok", 92],
    ["2024-10-01", "due", 91],
    ["2024-10-31", "due", 61],
    ["2024-11-01", "overdue", 60],
    ["2024-12-30", "overdue", 1],
    ["2024-12-31", "expired", 0],
    ["2025-01-02", "expired", -2],
  ] as const)("on %s it is %s with %i days to expiry", (today, status, days) => {
    const life = batchLifecycle(batch({ batchId: 1 }), WATER, today);
    expect(life).toEqual({
      batchId: 1,
      expiryDate: "2024-12-31",
      rotationDeadline: "2024-10-01",
      endOfLife: "2024-12-31",
      status,
      daysToExpiry: days,
      nextInspection: null,
      nextMaintenance: null,
    });
  });

  it("takes the earlier of the share and days triggers", () => {
    // Days rule 120 beats the share's 91 days: deadline 2024-09-02.
    const byDays = batchLifecycle(
      batch({ batchId: 1 }),
      { ...WATER, rotationTriggerDays: 120 },
      "2024-09-01",
    );
    expect(byDays).toMatchObject({ rotationDeadline: "2024-09-02", status: "ok" });
    expect(
      batchLifecycle(batch({ batchId: 1 }), { ...WATER, rotationTriggerDays: 120 }, "2024-09-02").status,
    ).toBe("due");
    // Share 0.1 -> 36 days, days rule 60 wins: deadline 2024-11-01.
    const byShareLosing = batchLifecycle(
      batch({ batchId: 1 }),
      { ...WATER, rotationTriggerShare: 0.1 },
      "2024-10-31",
    );
    expect(byShareLosing).toMatchObject({ rotationDeadline: "2024-11-01", status: "ok" });
  });

  it("floors the share threshold in whole days, immune to binary fractions", () => {
    // 0.29 x 100 is 28.999999999999996 in floating point; the threshold is 29 days.
    const life = batchLifecycle(
      batch({ batchId: 1, productionDate: "2024-01-01", expiryDate: "2024-04-10" }),
      { ...WATER, rotationTriggerShare: 0.29, rotationTriggerDays: null },
      "2024-03-12",
    );
    expect(life).toMatchObject({ rotationDeadline: "2024-03-12", status: "due", daysToExpiry: 29 });
  });

  it("uses the default share and cycle when the type leaves them null", () => {
    const policy = {
      ...WATER,
      rotationTriggerShare: null,
      rotationTriggerDays: null,
      rotationCycleDays: null,
    };
    expect(DEFAULT_ROTATION_POLICY).toEqual({
      rotationTriggerShare: 0.25,
      rotationCycleDays: 90,
      rotationProportion: 0.25,
      scrapNoticeDays: 90,
    });
    // 91 days before expiry; overdue after deadline + 90 = 2024-12-30.
    expect(batchLifecycle(batch({ batchId: 1 }), policy, "2024-12-30")).toMatchObject({
      rotationDeadline: "2024-10-01",
      status: "due",
    });
  });

  it("computes a missing expiry from production + shelf life", () => {
    const life = batchLifecycle(batch({ batchId: 2, expiryDate: null }), WATER, "2024-10-01");
    expect(life).toMatchObject({
      expiryDate: "2024-12-31",
      rotationDeadline: "2024-10-01",
      endOfLife: "2024-12-31",
      status: "due",
      daysToExpiry: 91,
    });
  });

  it("has no dates and stays ok with neither an expiry nor a shelf life", () => {
    const life = batchLifecycle(
      batch({ batchId: 3, expiryDate: null }),
      { ...WATER, shelfLifeDays: null },
      "2030-01-01",
    );
    expect(life).toMatchObject({
      expiryDate: null,
      rotationDeadline: null,
      endOfLife: null,
      status: "ok",
      daysToExpiry: null,
    });
  });

  it("never puts the deadline before production", () => {
    // A 30-day life with a 60-day trigger is due the day it is made; overdue after one cycle.
    const short = batch({ batchId: 4, productionDate: "2024-06-01", expiryDate: "2024-07-01" });
    expect(batchLifecycle(short, WATER, "2024-06-01")).toMatchObject({
      rotationDeadline: "2024-06-01",
      status: "due",
    });
    expect(batchLifecycle(short, WATER, "2024-06-30").status).toBe("due");
  });

  it("counts in calendar days whatever time a timestamp carries", () => {
    const life = batchLifecycle(
      batch({ batchId: 5, receivedAt: "2024-01-15T23:59:59Z" }),
      WATER,
      "2024-10-01",
    );
    expect(life.status).toBe("due");
    expect(() => batchLifecycle(batch({ batchId: 5 }), WATER, "2024-02-30")).toThrow(RangeError);
  });

  it("works out inspection and maintenance for any type with the interval", () => {
    const life = batchLifecycle(
      batch({ batchId: 6 }),
      { ...WATER, inspectionIntervalDays: 90 },
      "2024-03-01",
    );
    expect(life).toMatchObject({ nextInspection: "2024-04-14", nextMaintenance: null });
  });
});

describe("batch lifecycle: durable equipment", () => {
  // production 2015-01-01 + 3650 days = 2024-12-29; due from 90 days before (2024-09-30).
  const gen = batch({
    batchId: 7,
    itemTypeCode: "GENERATOR",
    productionDate: "2015-01-01",
    expiryDate: null,
    receivedAt: "2015-03-01",
    quantity: 2,
  });

  it.each([
    ["2024-09-29", "ok", 91],
    ["2024-09-30", "due", 90],
    ["2024-12-28", "due", 1],
    ["2024-12-29", "expired", 0],
    ["2025-01-01", "expired", -3],
  ] as const)("on %s it is %s with %i days left", (today, status, days) => {
    const life = batchLifecycle(gen, GENERATOR, today);
    expect(life).toMatchObject({
      expiryDate: null,
      rotationDeadline: null,
      endOfLife: "2024-12-29",
      status,
      daysToExpiry: days,
    });
  });

  it("takes the scrap notice from the policy", () => {
    expect(batchLifecycle(gen, { ...GENERATOR, scrapNoticeDays: 30 }, "2024-11-28").status).toBe("ok");
    expect(batchLifecycle(gen, { ...GENERATOR, scrapNoticeDays: 30 }, "2024-11-29").status).toBe("due");
  });

  it("schedules inspection and maintenance from receipt, or from the last one done", () => {
    // 2015-03-01 + 365 lands on the leap day; + 180 on 2015-08-28.
    expect(batchLifecycle(gen, GENERATOR, "2015-06-01")).toMatchObject({
      nextInspection: "2016-02-29",
      nextMaintenance: "2015-08-28",
    });
    expect(
      batchLifecycle(gen, GENERATOR, "2024-07-01", {
        lastInspection: "2024-06-15",
        lastMaintenance: "2024-05-01",
      }),
    ).toMatchObject({ nextInspection: "2025-06-15", nextMaintenance: "2024-10-28" });
    expect(batchLifecycle(gen, GENERATOR, "2024-07-01", { lastInspection: null })).toMatchObject({
      nextInspection: "2016-02-29",
    });
  });

  it("has no scrap deadline without a service life", () => {
    const life = batchLifecycle(gen, { ...GENERATOR, serviceLifeDays: null }, "2040-01-01");
    expect(life).toMatchObject({ endOfLife: null, status: "ok", daysToExpiry: null });
  });
});

describe("first expiry, first out", () => {
  it("orders by expiry, then production, then batch id, undated last", () => {
    const batches = [
      { batchId: 5, expiryDate: null, productionDate: "2020-01-01" },
      { batchId: 4, expiryDate: "2025-06-01", productionDate: "2024-02-01" },
      { batchId: 3, expiryDate: "2025-06-01", productionDate: "2024-01-01" },
      { batchId: 2, expiryDate: "2025-06-01", productionDate: "2024-01-01" },
      { batchId: 1, expiryDate: "2025-07-01", productionDate: "2023-01-01" },
      { batchId: 6, expiryDate: "2025-01-01", productionDate: "2024-05-01" },
    ];
    expect(fefoOrder(batches).map((b) => b.batchId)).toEqual([6, 2, 3, 4, 1, 5]);
    // A new array: the input is left as it was.
    expect(batches.map((b) => b.batchId)).toEqual([5, 4, 3, 2, 1, 6]);
  });

  it("orders durable equipment (no expiry) by production, then batch id", () => {
    const batches = [
      { batchId: 3, expiryDate: null, productionDate: "2018-01-01" },
      { batchId: 2, expiryDate: null, productionDate: "2016-01-01" },
      { batchId: 1, expiryDate: null, productionDate: "2018-01-01" },
    ];
    expect(fefoOrder(batches).map((b) => b.batchId)).toEqual([2, 1, 3]);
  });
});

describe("picking FEFO", () => {
  const batches = [
    batch({ batchId: 1, productionDate: "2024-03-01", expiryDate: "2025-03-01", quantity: 10 }),
    batch({ batchId: 2, productionDate: "2023-06-01", expiryDate: "2024-06-01", quantity: 5 }), // expired
    batch({ batchId: 3, productionDate: "2024-01-01", expiryDate: null, quantity: 3 }), // 2024-12-31 by shelf life
    batch({ batchId: 4, productionDate: "2024-01-01", expiryDate: "2024-11-30", quantity: 0 }), // empty
  ];

  it("skips empty and expired batches and reports the shortfall", () => {
    expect(pickFefo(batches, 20, "2024-07-01", WATER)).toEqual({
      picks: [
        { batchId: 3, quantity: 3 },
        { batchId: 1, quantity: 10 },
      ],
      shortfall: 7,
    });
  });

  it("stops inside a batch when the quantity is covered", () => {
    expect(pickFefo(batches, 5, "2024-07-01", WATER)).toEqual({
      picks: [
        { batchId: 3, quantity: 3 },
        { batchId: 1, quantity: 2 },
      ],
      shortfall: 0,
    });
  });

  it("takes expired stock first only when allowed", () => {
    expect(pickFefo(batches, 6, "2024-07-01", WATER, { allowExpired: true })).toEqual({
      picks: [
        { batchId: 2, quantity: 5 },
        { batchId: 3, quantity: 1 },
      ],
      shortfall: 0,
    });
  });

  it("picks nothing for nothing", () => {
    expect(pickFefo(batches, 0, "2024-07-01", WATER)).toEqual({ picks: [], shortfall: 0 });
    expect(() => pickFefo(batches, 1.5, "2024-07-01", WATER)).toThrow(RangeError);
  });

  it("does not issue durable equipment past its service life", () => {
    const gear = [
      batch({
        batchId: 1,
        itemTypeCode: "GENERATOR",
        productionDate: "2014-01-01",
        expiryDate: null,
        quantity: 2,
      }),
      batch({
        batchId: 2,
        itemTypeCode: "GENERATOR",
        productionDate: "2020-01-01",
        expiryDate: null,
        quantity: 2,
      }),
    ];
    expect(pickFefo(gear, 3, "2024-07-01", GENERATOR)).toEqual({
      picks: [{ batchId: 2, quantity: 2 }],
      shortfall: 1,
    });
  });
});

describe("rotation plan", () => {
  const TODAY = "2024-11-15";

  it("disposes of expired, sends due stock to stations splitting a batch, replaces the surplus", () => {
    const batches = [
      // expired 2024-11-01
      batch({ batchId: 1, productionDate: "2023-11-01", expiryDate: "2024-11-01", quantity: 2 }),
      // deadline 2024-10-01, overdue after 2024-10-31
      batch({ batchId: 2, productionDate: "2024-01-01", expiryDate: "2024-12-31", quantity: 3 }),
      // deadline 2024-11-01: due
      batch({ batchId: 3, productionDate: "2024-02-01", expiryDate: "2025-01-31", quantity: 10 }),
      // ok
      batch({ batchId: 4, productionDate: "2024-06-01", expiryDate: "2025-06-01", quantity: 25 }),
    ];
    const plan = rotationPlan({
      today: TODAY,
      itemTypeCode: "WATER",
      policy: WATER,
      batches,
      requiredBySite: { "DEPOT-A": 40 },
      destinationsFor: () => [
        station("DEPOT-A", 100, 0), // the source itself: never
        station("ST-1", 4),
        station("ST-2", 0), // does not consume water
        station("ST-3", 2),
      ],
    });
    // 40 on hand: ceil(0.25 x 40) = 10 units; 2 expired + 3 overdue must go, then 5 of the due batch.
    expect(plan.lines.map((l) => [l.batchId, l.quantity, l.action, l.destinationSiteCode, l.status])).toEqual(
      [
        [1, 2, "dispose", null, "expired"],
        [2, 3, "transfer-to-station", "ST-1", "overdue"],
        [3, 1, "transfer-to-station", "ST-1", "due"],
        [3, 2, "transfer-to-station", "ST-3", "due"],
        [3, 2, "replace", null, "due"],
      ],
    );
    expect(plan.lines[0]).toEqual({
      batchId: 1,
      siteCode: "DEPOT-A",
      itemTypeCode: "WATER",
      quantity: 2,
      action: "dispose",
      destinationSiteCode: null,
      reason: "expired on 2024-11-01",
      status: "expired",
    });
    expect(plan.lines[4]?.reason).toBe(
      "due for rotation since 2024-11-01; no station can use it up in time: back to the supplier for replacement",
    );
    // 40 required - (40 on hand - 10 leaving) = 10.
    expect(plan.procurement).toEqual([
      {
        siteCode: "DEPOT-A",
        itemTypeCode: "WATER",
        quantity: 10,
        reason: "restore the standard of 40: 40 on hand, 10 leaving in this round",
      },
    ]);
  });

  it("rounds a proportion that does not divide evenly up: 0.25 of 10 is 3", () => {
    const plan = rotationPlan({
      today: TODAY,
      itemTypeCode: "WATER",
      policy: WATER,
      batches: [batch({ batchId: 3, productionDate: "2024-02-01", expiryDate: "2025-01-31", quantity: 10 })],
      requiredBySite: { "DEPOT-A": 10 },
      destinationsFor: () => [],
    });
    expect(plan.lines.map((l) => [l.batchId, l.quantity, l.action])).toEqual([[3, 3, "replace"]]);
    expect(plan.procurement.map((p) => p.quantity)).toEqual([3]);
  });

  it("does not round 0.1 of 30 up to 4 through floating point", () => {
    const plan = rotationPlan({
      today: TODAY,
      itemTypeCode: "WATER",
      policy: { ...WATER, rotationProportion: 0.1 },
      batches: [batch({ batchId: 3, productionDate: "2024-02-01", expiryDate: "2025-01-31", quantity: 30 })],
      requiredBySite: {},
      destinationsFor: () => [],
    });
    expect(plan.lines.map((l) => l.quantity)).toEqual([3]);
  });

  it("sends every expired and overdue unit whatever the proportion, and no more than is due", () => {
    const plan = rotationPlan({
      today: TODAY,
      itemTypeCode: "WATER",
      policy: WATER,
      batches: [
        batch({ batchId: 1, productionDate: "2023-11-01", expiryDate: "2024-11-01", quantity: 6 }),
        batch({ batchId: 2, productionDate: "2024-01-01", expiryDate: "2024-12-31", quantity: 1 }),
        batch({ batchId: 4, productionDate: "2024-06-01", expiryDate: "2025-06-01", quantity: 3 }),
      ],
      requiredBySite: { "DEPOT-A": 10 },
      destinationsFor: () => [station("ST-1", 50)],
    });
    // ceil(0.25 x 10) = 3, but 7 must go; the ok batch stays.
    expect(plan.lines.map((l) => [l.batchId, l.quantity, l.action])).toEqual([
      [1, 6, "dispose"],
      [2, 1, "transfer-to-station"],
    ]);
    const capped = rotationPlan({
      today: TODAY,
      itemTypeCode: "WATER",
      policy: { ...WATER, rotationProportion: 1 },
      batches: [
        batch({ batchId: 3, productionDate: "2024-02-01", expiryDate: "2025-01-31", quantity: 1 }),
        batch({ batchId: 4, productionDate: "2024-06-01", expiryDate: "2025-06-01", quantity: 39 }),
      ],
      requiredBySite: {},
      destinationsFor: () => [],
    });
    expect(capped.lines.map((l) => [l.batchId, l.quantity])).toEqual([[3, 1]]);
  });

  it("shares a station's daily use between depots, most urgent stock first", () => {
    const plan = rotationPlan({
      today: TODAY,
      itemTypeCode: "WATER",
      policy: { ...WATER, rotationProportion: 1 },
      batches: [
        batch({
          batchId: 10,
          siteCode: "DEPOT-A",
          productionDate: "2024-02-01",
          expiryDate: "2025-01-31",
          quantity: 4,
        }),
        batch({
          batchId: 20,
          siteCode: "DEPOT-B",
          productionDate: "2024-01-01",
          expiryDate: "2024-12-31",
          quantity: 4,
        }),
      ],
      requiredBySite: {},
      destinationsFor: () => [station("ST-1", 5)],
    });
    // B's overdue batch expires first and takes 4 of ST-1's 5; A's gets the last one.
    expect(
      plan.lines.map((l) => [l.siteCode, l.batchId, l.quantity, l.action, l.destinationSiteCode]),
    ).toEqual([
      ["DEPOT-A", 10, 1, "transfer-to-station", "ST-1"],
      ["DEPOT-A", 10, 3, "replace", null],
      ["DEPOT-B", 20, 4, "transfer-to-station", "ST-1"],
    ]);
  });

  it("asks no procurement for a zero standard, and the full standard for a site with nothing", () => {
    const plan = rotationPlan({
      today: TODAY,
      itemTypeCode: "WATER",
      policy: WATER,
      batches: [
        batch({
          batchId: 1,
          siteCode: "DEPOT-B",
          productionDate: "2023-11-01",
          expiryDate: "2024-11-01",
          quantity: 4,
        }),
      ],
      requiredBySite: { "DEPOT-B": 0, "ST-9": 5 },
      destinationsFor: () => [],
    });
    expect(plan.lines.map((l) => [l.siteCode, l.quantity, l.action])).toEqual([["DEPOT-B", 4, "dispose"]]);
    expect(plan.procurement).toEqual([
      {
        siteCode: "ST-9",
        itemTypeCode: "WATER",
        quantity: 5,
        reason: "restore the standard of 5: 0 on hand, 0 leaving in this round",
      },
    ]);
  });

  it("plans nothing when nothing is due", () => {
    const plan = rotationPlan({
      today: "2024-06-01",
      itemTypeCode: "WATER",
      policy: WATER,
      batches: [batch({ batchId: 1 })],
      requiredBySite: { "DEPOT-A": 10 },
      destinationsFor: () => [station("ST-1", 5)],
    });
    expect(plan).toEqual({ lines: [], procurement: [] });
  });

  it("refuses batches of another item type", () => {
    expect(() =>
      rotationPlan({
        today: TODAY,
        itemTypeCode: "RATION",
        policy: WATER,
        batches: [batch({ batchId: 1 })],
        requiredBySite: {},
        destinationsFor: () => [],
      }),
    ).toThrow(RangeError);
  });

  it("scraps durable equipment at the end of its service life and never rotates it", () => {
    const gear = (batchId: number, productionDate: string, quantity: number) =>
      batch({ batchId, itemTypeCode: "GENERATOR", productionDate, expiryDate: null, quantity });
    const plan = rotationPlan({
      today: "2024-12-29",
      itemTypeCode: "GENERATOR",
      policy: GENERATOR,
      batches: [
        gear(1, "2015-01-01", 2),
        gear(2, "2015-01-02", 1),
        gear(3, "2014-06-01", 0),
        gear(4, "2020-01-01", 5),
      ],
      requiredBySite: { "DEPOT-A": 8 },
      destinationsFor: () => [station("ST-1", 5)],
    });
    // Batch 1 ends its life today; batch 2 tomorrow (due, not scrapped); batch 3 is empty.
    expect(plan.lines).toEqual([
      {
        batchId: 1,
        siteCode: "DEPOT-A",
        itemTypeCode: "GENERATOR",
        quantity: 2,
        action: "dispose",
        destinationSiteCode: null,
        reason: "end of service life",
        status: "expired",
      },
    ]);
    // 8 - (8 - 2) = 2.
    expect(plan.procurement.map((p) => [p.siteCode, p.quantity])).toEqual([["DEPOT-A", 2]]);
  });
});
