import { describe, expect, it } from "vitest";
import { shelfCount, shelfUnits } from "../../../server/domain/shelf.ts";

describe("shelf counts from weight", () => {
  it("subtracts the tare and divides by the unit weight", () => {
    expect(shelfUnits(12 + 60 * 1.2, 12, 1.2)).toBe(60);
  });

  it("rounds load-cell noise to the nearest whole unit", () => {
    expect(shelfUnits(12 + 10 * 2.5 + 0.9, 12, 2.5)).toBe(10);
    expect(shelfUnits(12 + 10 * 2.5 + 1.3, 12, 2.5)).toBe(11);
    expect(shelfUnits(12 + 10 * 2.5 - 1.2, 12, 2.5)).toBe(10);
  });

  it("counts an empty shelf reading just under the tare as zero, not negative", () => {
    expect(shelfUnits(11.7, 12, 1.2)).toBe(0);
    expect(shelfUnits(0, 12, 1.2)).toBe(0);
  });

  it("refuses a shelf configured without a positive unit weight", () => {
    expect(() => shelfUnits(50, 12, 0)).toThrow(/unit weight must be positive/);
  });
});

describe("shelf counts with hysteresis", () => {
  it("keeps the count while the weight wobbles around the midpoint", () => {
    // 10 units of 2 kg on a 12 kg tare; 10.6 units' worth is still 10, 10.8 is 11.
    expect(shelfCount(10, 12 + 10.6 * 2, 12, 2)).toBe(10);
    expect(shelfCount(10, 12 + 9.35 * 2, 12, 2)).toBe(10);
    expect(shelfCount(10, 12 + 10.8 * 2, 12, 2)).toBe(11);
    expect(shelfCount(10, 12 + 9.2 * 2, 12, 2)).toBe(9);
  });

  it("follows a real removal at once", () => {
    expect(shelfCount(10, 12 + 7 * 2, 12, 2)).toBe(7);
  });

  it("starts from the nearest count when there is no previous one", () => {
    expect(shelfCount(null, 12 + 10.6 * 2, 12, 2)).toBe(11);
  });
});
