import { describe, expect, it } from "vitest";
import { distanceKm } from "../../../server/domain/geo.ts";

const YINCHUAN = { lat: 38.487, lon: 106.231 };
const GUYUAN = { lat: 36.016, lon: 106.242 };

describe("geodesic distance on WGS84", () => {
  it("gives Yinchuan to Guyuan as 274.239 km, to the metre", () => {
    expect(Math.abs(distanceKm(YINCHUAN, GUYUAN) - 274.239)).toBeLessThan(0.001);
  });

  it("matches GeographicLib's published JFK-LHR example to the millimetre", () => {
    // Karney's documentation: Inverse(40.6, -73.8, 51.6, -0.5) gives s12 = 5551759.400 m.
    const d = distanceKm({ lat: 40.6, lon: -73.8 }, { lat: 51.6, lon: -0.5 });
    expect(Math.abs(d - 5551.7594)).toBeLessThan(0.000001);
  });

  it("measures the ellipsoid, not a sphere: one degree along the equator is a x pi/180", () => {
    // The WGS84 equatorial radius is 6378137 m; a 6371 km sphere would give 111.195 km.
    const d = distanceKm({ lat: 0, lon: 0 }, { lat: 0, lon: 1 });
    expect(Math.abs(d - (6378.137 * Math.PI) / 180)).toBeLessThan(0.000001);
  });

  it("is symmetric and zero from a point to itself", () => {
    expect(distanceKm(GUYUAN, YINCHUAN)).toBeCloseTo(distanceKm(YINCHUAN, GUYUAN), 9);
    expect(distanceKm(YINCHUAN, YINCHUAN)).toBe(0);
  });
});
