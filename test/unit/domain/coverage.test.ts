import { area, polygon } from "@turf/turf";
import geodesic from "geographiclib-geodesic";
import { describe, expect, it } from "vitest";
import {
  areaCoverage,
  type CoverageParams,
  DEFAULT_COVERAGE_PARAMS,
  type DemandPoint,
  type Depot,
  indexSites,
  pointCoverage,
  reachKm,
  resilience,
} from "../../../server/domain/coverage.ts";
import { distanceKm } from "../../../server/domain/geo.ts";
import { seededRandom as random } from "../../../server/domain/random.ts";

/**
 * Distances for choosing the fixture, computed independently of the code under test: haversine on
 * the mean Earth radius. It differs from the WGS84 geodesic by up to about 0.5 % (0.5 km at 100 km),
 * so every point is placed more than 3 km clear of the reach, where the two cannot disagree.
 */
const MEAN_EARTH_RADIUS_KM = 6371.0088;
function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * MEAN_EARTH_RADIUS_KM * Math.asin(Math.sqrt(h));
}

/** 100 km: the radius binds, since 2 h x 80 km/h / 1.3 = 123 km. */
const PARAMS: CoverageParams = { radiusKm: 100, hours: 2, speedKmh: 80, circuity: 1.3 };
const REACH = 100;

const YC = { lat: 38.487, lon: 106.231 };
const WGS84 = geodesic.Geodesic.WGS84;
// Along a meridian the geodesic is the meridian itself: Direct puts these exactly 100 km and
// 100.010 km north of Yinchuan. (Haversine would put the first one 100.16 km away, outside.)
const edge = WGS84.Direct(YC.lat, YC.lon, 0, REACH * 1000);
const beyond = WGS84.Direct(YC.lat, YC.lon, 0, REACH * 1000 + 10);

const DEPOTS: Depot[] = [
  // Water below its threshold: covers helmets only.
  { code: "YC", ...YC, holdings: { helmet: 50, water: 10 }, thresholds: { water: 20 } },
  // Helmets below their threshold: covers water only.
  { code: "GY", lat: 36.016, lon: 106.242, holdings: { helmet: 5, water: 100 }, thresholds: { helmet: 10 } },
  // Water exactly at its threshold covers; no helmets.
  { code: "ZW", lat: 37.5, lon: 105.196, holdings: { water: 30, helmet: 0 }, thresholds: { water: 30 } },
  { code: "HL", lat: 38.554, lon: 106.35, holdings: { water: 25 } },
  { code: "LZ", lat: 36.061, lon: 103.834, holdings: { helmet: 3 } },
];

const POINTS: DemandPoint[] = [
  { id: "yongning", lat: 38.277, lon: 106.253, weight: 120 },
  { id: "huinong", lat: 39.24, lon: 106.776, weight: 80 },
  { id: "tongxin", lat: 36.982, lon: 105.914, weight: 100 },
  { id: "haiyuan", lat: 36.565, lon: 105.647, weight: 60 },
  { id: "wuzhong", lat: 37.998, lon: 106.199, weight: 150 },
  { id: "qingtongxia", lat: 38.021, lon: 106.075, weight: 90 },
  { id: "xining", lat: 36.617, lon: 101.778, weight: 40 },
  { id: "edge", lat: edge.lat2 ?? Number.NaN, lon: edge.lon2 ?? Number.NaN, weight: 10 },
  { id: "beyond", lat: beyond.lat2 ?? Number.NaN, lon: beyond.lon2 ?? Number.NaN, weight: 5 },
];
const TOTAL = 655;

/** Which depots are in reach of each point, by haversine, with the margin checked. */
const IN_REACH: Record<string, string[]> = {
  yongning: ["YC", "HL"],
  huinong: ["YC", "HL"],
  tongxin: ["ZW"],
  haiyuan: ["GY"],
  wuzhong: ["YC", "HL"],
  qingtongxia: ["YC", "ZW", "HL"],
  xining: [],
};

describe("reachKm", () => {
  it("is the smaller of the radius and the distance driven in the time, straightened by the circuity", () => {
    expect(reachKm(DEFAULT_COVERAGE_PARAMS)).toBe((2 * 80) / 1.3);
    expect(reachKm(DEFAULT_COVERAGE_PARAMS)).toBeCloseTo(123.077, 3);
    expect(reachKm({ radiusKm: 200, hours: 3, speedKmh: 90, circuity: 1.2 })).toBe(200);
    expect(reachKm({ radiusKm: 200, hours: 2, speedKmh: 100, circuity: 1 })).toBe(200);
    expect(reachKm({ radiusKm: 200, hours: 1.5, speedKmh: 60, circuity: 1.5 })).toBe(60);
    expect(reachKm(PARAMS)).toBe(REACH);
  });

  it("fills missing parameters from the defaults and rejects impossible ones", () => {
    expect(reachKm({ speedKmh: 130 })).toBe(200);
    expect(() => reachKm({ circuity: 0.9 })).toThrow(RangeError);
    expect(() => reachKm({ hours: -1 })).toThrow(RangeError);
    expect(() => reachKm({ radiusKm: Number.NaN })).toThrow(RangeError);
  });
});

describe("pointCoverage on a small Ningxia network", () => {
  it("places every fixture point several km clear of the reach (haversine, independent of the code)", () => {
    for (const point of POINTS.filter((p) => IN_REACH[p.id] !== undefined)) {
      for (const depot of DEPOTS) {
        const d = haversineKm(point, depot);
        expect(Math.abs(d - REACH), `${point.id}-${depot.code}`).toBeGreaterThan(3);
        expect(d < REACH, `${point.id}-${depot.code}`).toBe(IN_REACH[point.id]?.includes(depot.code));
      }
    }
    // The meridian points are clear of every depot but Yinchuan, which they sit on the edge of.
    for (const id of ["edge", "beyond"]) {
      const point = POINTS.find((p) => p.id === id);
      if (point === undefined) throw new Error(id);
      expect(haversineKm(point, DEPOTS[3] as Depot)).toBeLessThan(95); // HL, 93.3 km
      for (const depot of DEPOTS.filter((d) => d.code !== "YC" && d.code !== "HL")) {
        expect(haversineKm(point, depot)).toBeGreaterThan(REACH + 50);
      }
    }
  });

  const result = pointCoverage(DEPOTS, POINTS, ["helmet", "water"], PARAMS);
  const byId = new Map(result.points.map((p) => [p.pointId, p]));

  it("covers a type only from a depot in reach holding it at or above its threshold", () => {
    expect(result.reachKm).toBe(REACH);
    expect(result.params).toEqual(PARAMS);
    expect(result.itemTypes).toEqual(["helmet", "water"]);
    const covered = Object.fromEntries(result.points.map((p) => [p.pointId, p.coveredTypes]));
    expect(covered).toEqual({
      yongning: ["helmet", "water"],
      huinong: ["helmet", "water"],
      // Guyuan is 111 km away; Zhongwei holds water only.
      tongxin: ["water"],
      // Guyuan holds 5 helmets against a threshold of 10.
      haiyuan: ["water"],
      // Zhongwei is 104 km away; Helan's water covers.
      wuzhong: ["helmet", "water"],
      qingtongxia: ["helmet", "water"],
      xining: [],
      // Exactly 100 km counts as within 100 km.
      edge: ["helmet", "water"],
      // Ten metres further does not.
      beyond: ["water"],
    });
    expect(byId.get("xining")?.uncoveredTypes).toEqual(["helmet", "water"]);
    expect(byId.get("beyond")?.uncoveredTypes).toEqual(["helmet"]);
    expect(result.points.filter((p) => p.coveredAll).map((p) => p.pointId)).toEqual([
      "yongning",
      "huinong",
      "wuzhong",
      "qingtongxia",
      "edge",
    ]);
  });

  it("adds up the weights and shares, overall and per item type", () => {
    expect(result.totalWeight).toBe(TOTAL);
    expect(result.weightCoveredAll).toBe(450);
    expect(result.weightShareAll).toBe(450 / TOTAL);
    expect(result.perItemType).toEqual([
      {
        itemTypeCode: "helmet",
        weightCovered: 450,
        weightShare: 450 / TOTAL,
        pointsUncovered: ["tongxin", "haiyuan", "xining", "beyond"],
      },
      { itemTypeCode: "water", weightCovered: 615, weightShare: 615 / TOTAL, pointsUncovered: ["xining"] },
    ]);
  });

  it("names the nearest depot of all, in reach or not, with its geodesic distance", () => {
    const yongning = byId.get("yongning")?.nearestDepot;
    expect(yongning?.code).toBe("YC");
    const hYongning = haversineKm(POINTS[0] as DemandPoint, YC);
    expect(Math.abs((yongning?.distanceKm ?? 0) - hYongning)).toBeLessThan(0.006 * hYongning);
    // Nothing within reach of Xining: the nearest is Lanzhou, about 194 km away.
    const xining = byId.get("xining")?.nearestDepot;
    expect(xining?.code).toBe("LZ");
    const hXining = haversineKm(POINTS[6] as DemandPoint, DEPOTS[4] as Depot);
    expect(Math.abs((xining?.distanceKm ?? 0) - hXining)).toBeLessThan(0.006 * hXining);
    expect(byId.get("edge")?.nearestDepot?.code).toBe("HL");
  });

  it("reports no depot as null and asks nothing of an empty list of item types", () => {
    const none = pointCoverage([], POINTS.slice(0, 2), ["helmet"], PARAMS);
    expect(none.points.map((p) => p.nearestDepot)).toEqual([null, null]);
    expect(none.weightShareAll).toBe(0);
    const noTypes = pointCoverage(DEPOTS, POINTS.slice(0, 2), [], PARAMS);
    expect(noTypes.points.map((p) => p.coveredAll)).toEqual([false, false]);
    expect(noTypes.weightShareAll).toBe(0);
    const noPoints = pointCoverage(DEPOTS, [], ["helmet"], PARAMS);
    expect(noPoints.totalWeight).toBe(0);
    expect(noPoints.weightShareAll).toBe(0);
  });

  it("rejects duplicate codes and ids, negative weights and impossible positions", () => {
    expect(() => pointCoverage([...DEPOTS, DEPOTS[0] as Depot], POINTS, ["helmet"], PARAMS)).toThrow(/YC/);
    expect(() => pointCoverage(DEPOTS, [...POINTS, POINTS[0] as DemandPoint], ["helmet"], PARAMS)).toThrow(
      /yongning/,
    );
    expect(() => pointCoverage(DEPOTS, [{ id: "x", lat: 38, lon: 106, weight: -1 }], [], PARAMS)).toThrow(
      RangeError,
    );
    expect(() => pointCoverage(DEPOTS, [{ id: "x", lat: 91, lon: 106, weight: 1 }], [], PARAMS)).toThrow(
      RangeError,
    );
  });
});

describe("thresholds", () => {
  const point: DemandPoint = { id: "p", lat: 38.3, lon: 106.2, weight: 1 };
  const coveredBy = (depot: Omit<Depot, "code" | "lat" | "lon">): string[] =>
    pointCoverage([{ code: "D", ...YC, ...depot }], [point], ["t"], PARAMS).points[0]?.coveredTypes ?? [];

  it("needs at least one unit when no threshold is set", () => {
    expect(coveredBy({ holdings: { t: 1 } })).toEqual(["t"]);
    expect(coveredBy({ holdings: { t: 0 } })).toEqual([]);
    expect(coveredBy({ holdings: {} })).toEqual([]);
  });

  it("covers at the threshold and not below it", () => {
    expect(coveredBy({ holdings: { t: 40 }, thresholds: { t: 40 } })).toEqual(["t"]);
    expect(coveredBy({ holdings: { t: 39 }, thresholds: { t: 40 } })).toEqual([]);
  });

  it("never lets an empty depot cover, even with a threshold of 0", () => {
    expect(coveredBy({ holdings: { t: 0 }, thresholds: { t: 0 } })).toEqual([]);
    expect(coveredBy({ holdings: { t: Number.NaN } })).toEqual([]);
  });

  it("reads own properties only", () => {
    const cover = (code: string) =>
      pointCoverage([{ code: "D", ...YC, holdings: {} }], [point], [code], PARAMS).points[0]?.coveredTypes;
    expect(cover("constructor")).toEqual([]);
    expect(cover("toString")).toEqual([]);
  });
});

describe("resilience (N-1)", () => {
  const losses = resilience(DEPOTS, POINTS, ["helmet", "water"], PARAMS);

  it("lists exactly the points that lose a type, and the types", () => {
    expect(losses.map((l) => [l.depotCode, l.pointsLosingCoverage])).toEqual([
      [
        "YC",
        [
          { pointId: "yongning", lostTypes: ["helmet"] },
          { pointId: "huinong", lostTypes: ["helmet"] },
          { pointId: "wuzhong", lostTypes: ["helmet"] },
          { pointId: "qingtongxia", lostTypes: ["helmet"] },
          { pointId: "edge", lostTypes: ["helmet"] },
        ],
      ],
      ["GY", [{ pointId: "haiyuan", lostTypes: ["water"] }]],
      // Qingtongxia keeps water from Helan.
      ["ZW", [{ pointId: "tongxin", lostTypes: ["water"] }]],
      [
        "HL",
        [
          { pointId: "yongning", lostTypes: ["water"] },
          { pointId: "huinong", lostTypes: ["water"] },
          { pointId: "wuzhong", lostTypes: ["water"] },
          { pointId: "edge", lostTypes: ["water"] },
          { pointId: "beyond", lostTypes: ["water"] },
        ],
      ],
      ["LZ", []],
    ]);
  });

  it("gives the coverage left without each depot, as a recomputation without it does", () => {
    expect(losses.map((l) => l.weightCoveredAll)).toEqual([0, 450, 450, 90, 450]);
    DEPOTS.forEach((depot, d) => {
      const without = pointCoverage(
        DEPOTS.filter((_, i) => i !== d),
        POINTS,
        ["helmet", "water"],
        PARAMS,
      );
      expect(losses[d]?.weightShareAll, depot.code).toBe(without.weightShareAll);
      expect(losses[d]?.weightCoveredAll, depot.code).toBe(without.weightCoveredAll);
    });
  });
});

function randomNetwork(
  seed: number,
  depots: number,
  points: number,
  box: { south: number; north: number; west: number; east: number },
  types: readonly string[],
): { depots: Depot[]; points: DemandPoint[] } {
  const next = random(seed);
  const lat = () => box.south + next() * (box.north - box.south);
  const lon = () => box.west + next() * (box.east - box.west);
  return {
    depots: Array.from({ length: depots }, (_, i) => ({
      code: `D${i}`,
      lat: lat(),
      lon: lon(),
      // A "rare" type is held by about one depot in fifty, so some points search their whole reach.
      holdings: Object.fromEntries(
        types.map((t) => [t, next() < (t.startsWith("rare") ? 0.98 : 0.4) ? 0 : Math.floor(next() * 20)]),
      ),
      thresholds: Object.fromEntries(types.map((t) => [t, 1 + Math.floor(next() * 8)])),
    })),
    points: Array.from({ length: points }, (_, i) => ({
      id: `P${i}`,
      lat: lat(),
      lon: lon(),
      weight: Math.floor(next() * 100),
    })),
  };
}

/** The definition, checked the slow way: every depot against every point with the geodesic. */
function bruteForce(
  depots: readonly Depot[],
  points: readonly DemandPoint[],
  types: string[],
  reach: number,
) {
  return points.map((point) => {
    const distances = depots.map((d) => distanceKm(point, d));
    let nearest = 0;
    distances.forEach((d, i) => {
      if (d < (distances[nearest] ?? 0)) nearest = i;
    });
    return {
      coveredTypes: types.filter((t) =>
        depots.some((d, i) => {
          const held = d.holdings[t] ?? 0;
          return (distances[i] ?? 0) <= reach && held > 0 && held >= (d.thresholds?.[t] ?? 1);
        }),
      ),
      nearest: { code: depots[nearest]?.code, distanceKm: distances[nearest] },
    };
  });
}

describe("the spatial index gives the answers of a check of every depot", () => {
  const types = ["a", "b", "rare"];

  for (const [name, box, reach, depotCount, pointCount] of [
    ["Ningxia, dense", { south: 35.2, north: 39.4, west: 104.2, east: 107.7 }, 60, 120, 800],
    ["across the antimeridian near the pole", { south: 80, north: 90, west: -180, east: 180 }, 300, 120, 800],
    [
      "across the antimeridian near the equator",
      { south: -3, north: 3, west: 177, east: 183 },
      150,
      120,
      800,
    ],
    // Hundreds of depots within reach of each point: the candidate buffers grow.
    ["a crowded cluster", { south: 37, north: 39, west: 105, east: 107 }, 90, 700, 150],
  ] as const) {
    it(name, () => {
      const { depots, points } = randomNetwork(7, depotCount, pointCount, box, types);
      const result = pointCoverage(depots, points, types, { radiusKm: reach, circuity: 1, speedKmh: 1000 });
      expect(result.reachKm).toBe(reach);
      const expected = bruteForce(depots, points, types, reach);
      result.points.forEach((p, i) => {
        expect(p.coveredTypes, p.pointId).toEqual(expected[i]?.coveredTypes);
        expect(p.nearestDepot, p.pointId).toEqual(expected[i]?.nearest);
      });
    });
  }

  it("a crowded cluster seen from afar: the nearest depot among hundreds found at once", () => {
    const { depots } = randomNetwork(
      5,
      700,
      0,
      { south: 37.5, north: 38.5, west: 105.5, east: 106.5 },
      types,
    );
    const far = randomNetwork(6, 0, 200, { south: 33, north: 43, west: 101, east: 111 }, types).points;
    const result = pointCoverage(depots, far, types, { radiusKm: 60 });
    const expected = bruteForce(depots, far, types, 60);
    result.points.forEach((p, i) => {
      expect(p.coveredTypes, p.pointId).toEqual(expected[i]?.coveredTypes);
      expect(p.nearestDepot, p.pointId).toEqual(expected[i]?.nearest);
    });
  });

  it("indexSites finds every site within a radius, with its geodesic distance", () => {
    const { depots, points } = randomNetwork(11, 200, 50, { south: 35, north: 40, west: 104, east: 108 }, []);
    const index = indexSites(depots);
    for (const point of points) {
      const expected = depots
        .map((d, i) => ({ index: i, distanceKm: distanceKm(point, d) }))
        .filter((d) => d.distanceKm <= 80);
      expect(index.within(point, 80)).toEqual(expected);
      expect(index.anyWithin(point, 80)).toBe(expected.length > 0);
    }
  });
});

describe("a network of 1,000 depots and 10,000 points", () => {
  it("is computed (timings belong in the benchmarks, not here)", () => {
    const types = ["helmet", "vest", "radio", "water", "tent"];
    const { depots, points } = randomNetwork(
      2024,
      1000,
      10000,
      { south: 35.2, north: 39.4, west: 104.2, east: 107.7 },
      types,
    );
    const result = pointCoverage(depots, points, types);
    expect(result.points).toHaveLength(10000);
    expect(result.points.every((p) => p.nearestDepot !== null)).toBe(true);
    expect(result.weightShareAll).toBeGreaterThan(0);
    expect(result.weightShareAll).toBeLessThanOrEqual(1);
  });
});

describe("areaCoverage", () => {
  // 1° x 1° around 38 N 106 E: about 87.6 km x 111 km.
  const square = polygon([
    [
      [105.5, 37.5],
      [106.5, 37.5],
      [106.5, 38.5],
      [105.5, 38.5],
      [105.5, 37.5],
    ],
  ]);
  const centre = { lat: 38, lon: 106 };

  it("covers the whole square from its centre when the radius exceeds the half-diagonal", () => {
    const result = areaCoverage(square, [centre], 100);
    expect(result.areaKm2).toBeCloseTo(area(square) / 1e6, 9);
    expect(result.areaKm2).toBeGreaterThan(9500);
    expect(result.areaKm2).toBeLessThan(10000);
    expect(result.coveredShare).toBe(1);
    expect(result.coveredKm2).toBe(result.areaKm2);
    expect(result.uncovered).toBeNull();
    expect(result.circles.features).toHaveLength(1);
  });

  it("covers about πr² with a small circle inside the square", () => {
    const r = 20;
    const result = areaCoverage(square, [centre], r);
    const expected = (Math.PI * r * r) / result.areaKm2;
    expect(Math.abs(result.coveredShare - expected) / expected).toBeLessThan(0.02);
    expect(result.uncovered?.geometry.type).toBe("MultiPolygon");
    // The uncovered part and the covered part make up the square.
    const uncoveredKm2 = area(result.uncovered ?? square) / 1e6;
    expect(uncoveredKm2 + result.coveredKm2).toBeCloseTo(result.areaKm2, 6);
  });

  it("counts overlapping circles once, and nothing from circles far away or of radius 0", () => {
    const r = 20;
    const one = areaCoverage(square, [centre], r);
    const twice = areaCoverage(square, [centre, centre, { lat: 30, lon: 100 }], r);
    expect(twice.coveredKm2).toBeCloseTo(one.coveredKm2, 6);
    expect(twice.circles.features).toHaveLength(3);
    const none = areaCoverage(square, [centre], 0);
    expect(none.coveredShare).toBe(0);
    expect(none.uncovered).not.toBeNull();
    expect(areaCoverage(square, [], 100).coveredShare).toBe(0);
  });

  it("adds up two circles that do not overlap", () => {
    const r = 15;
    const west = { lat: 38, lon: 105.75 };
    const east = { lat: 38, lon: 106.25 };
    const both = areaCoverage(square, [west, east], r);
    const single = areaCoverage(square, [west], r);
    expect(both.coveredKm2).toBeCloseTo(2 * single.coveredKm2, 0);
  });
});
