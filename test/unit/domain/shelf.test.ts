import { describe, expect, it } from "vitest";
import { shelfUnits } from "../../../server/domain/shelf.ts";

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
