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
});
