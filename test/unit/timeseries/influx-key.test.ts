import { describe, expect, it } from "vitest";
import { subMillisecondNs } from "../../../server/timeseries/influxdb.ts";

/** The claims of the InfluxDB store's comment, checked over whole ranges rather than examples. */
describe("the sub-millisecond digits that keep InfluxDB points of one series apart", () => {
  it("differ for every reading of one message, and for each position across 10^6 consecutive rows", () => {
    const positions = new Set(Array.from({ length: 26_215 }, (_, s) => subMillisecondNs(123_456, s)));
    expect(positions.size).toBe(26_215);
    const rows = new Set(Array.from({ length: 1_000_000 }, (_, j) => subMillisecondNs(5_000_001 + j, 3)));
    expect(rows.size).toBe(1_000_000);
  });

  it("differ between any two readings less than 8,185 rows and 89 positions apart", () => {
    const seen = new Set<number>();
    for (let j = 0; j < 8185; j += 1)
      for (let s = 0; s < 89; s += 1) seen.add(subMillisecondNs(777_000 + j, s));
    expect(seen.size).toBe(8185 * 89);
  });

  it("stay within the millisecond, whatever the row id and position", () => {
    for (const [j, s] of [
      [1, 0],
      [999_999, 1],
      [2 ** 40, 26_000],
    ] as const) {
      const ns = subMillisecondNs(j, s);
      expect(ns).toBeGreaterThanOrEqual(0);
      expect(ns).toBeLessThan(1_000_000);
    }
  });
});
