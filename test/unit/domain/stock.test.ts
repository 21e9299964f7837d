import { describe, expect, it } from "vitest";
import { stockLine, stockStatus, summariseStock } from "../../../server/domain/stock.ts";

describe("stock status against the standard", () => {
  // required 100, minimum 60
  it.each([
    [0, "critical"],
    [59, "critical"],
    [60, "low"],
    [99, "low"],
    [100, "ok"],
    [150, "ok"],
    [151, "over"],
  ] as const)("%i on hand is %s", (qty, status) => {
    expect(stockStatus(qty, 100, 60)).toBe(status);
  });

  it("takes the over threshold from the policy", () => {
    expect(stockStatus(121, 100, 60, { overFactor: 1.2 })).toBe("over");
  });

  it("never calls stock over when the tier has no standard for the item", () => {
    expect(stockStatus(500, 0, 0)).toBe("ok");
  });

  it("judges sensed quantity when sensors measure the item, else the book", () => {
    const base = {
      itemTypeCode: "FIRSTAID",
      itemTypeName: "First-aid kit",
      unit: "kit",
      requiredQty: 60,
      minQty: 36,
    };
    expect(stockLine({ ...base, bookQty: 68, sensedQty: 30 })).toMatchObject({
      onHandQty: 30,
      basis: "sensed",
      status: "critical",
    });
    expect(stockLine({ ...base, bookQty: 68, sensedQty: null })).toMatchObject({
      onHandQty: 68,
      basis: "book",
      status: "ok",
    });
  });

  it("gives a site the worst status of its items and counts each", () => {
    const base = { itemTypeName: "x", unit: "piece", sensedQty: null, requiredQty: 10, minQty: 6 };
    const lines = [
      stockLine({ ...base, itemTypeCode: "A", bookQty: 10 }),
      stockLine({ ...base, itemTypeCode: "B", bookQty: 20 }),
      stockLine({ ...base, itemTypeCode: "C", bookQty: 7 }),
    ];
    expect(summariseStock(lines)).toEqual({ status: "low", counts: { ok: 1, over: 1, low: 1, critical: 0 } });
    expect(summariseStock([]).status).toBe("none");
  });

  it("trusts tags only for the tagged units when part of the type is tagged", () => {
    const base = {
      itemTypeCode: "VEST",
      itemTypeName: "Vest",
      unit: "piece",
      requiredQty: 200,
      minQty: 120,
      bookQty: 200,
    };
    // 10 vests tagged, 8 of them present: the 190 untagged stand as booked, 2 tagged are missing.
    expect(
      stockLine({
        ...base,
        sensedQty: 8,
        sensing: { shelves: false, taggedUnitsExpected: 10, taggedUnitsPresent: 8 },
      }),
    ).toMatchObject({
      basis: "reconciled",
      onHandQty: 198,
      status: "low",
    });
    // Every unit tagged: the tags are the count.
    expect(
      stockLine({
        ...base,
        sensedQty: 150,
        sensing: { shelves: false, taggedUnitsExpected: 200, taggedUnitsPresent: 150 },
      }),
    ).toMatchObject({ basis: "sensed", onHandQty: 150 });
    // A weight shelf weighs all of the type, whatever is tagged.
    expect(
      stockLine({
        ...base,
        sensedQty: 90,
        sensing: { shelves: true, taggedUnitsExpected: 0, taggedUnitsPresent: 0 },
      }),
    ).toMatchObject({
      basis: "sensed",
      onHandQty: 90,
    });
    // More tagged units present than registered here (transferred in): nothing is missing.
    expect(
      stockLine({
        ...base,
        sensedQty: 12,
        sensing: { shelves: false, taggedUnitsExpected: 10, taggedUnitsPresent: 12 },
      }).onHandQty,
    ).toBe(200);
  });
});
