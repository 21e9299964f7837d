import geodesic from "geographiclib-geodesic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

describe("rescue-circle coverage and siting for the command centre", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  it("states its parameters and covers the county seats and station rooms of the demo", async () => {
    const { status, body } = await t.http("/api/coverage?radiusKm=200&hours=2&speedKmh=80&circuity=1.3");
    expect(status).toBe(200);
    expect(body.params).toMatchObject({
      radiusKm: 200,
      hours: 2,
      speedKmh: 80,
      circuity: 1.3,
      threshold: "min",
    });
    expect(body.params.reachKm).toBeCloseTo(123.0769, 3);
    expect(body.points).toHaveLength(22 + 24);
    expect(body.perItemType).toHaveLength(17);
    expect(body.area.areaKm2).toBeGreaterThan(40000);
    expect(body.area.coveredShare).toBeGreaterThan(0);
    expect(body.area.coveredShare).toBeLessThanOrEqual(1);
    expect(body.resilience.map((r: { depotCode: string }) => r.depotCode)).toContain("NX-C01");
  });

  it("counts a posted point within reach of a depot as covered, measured on the ellipsoid, and a far one as not", async () => {
    // 100 km due north of the north central depot along a meridian, where the geodesic is exact.
    const direct = geodesic.Geodesic.WGS84.Direct(38.487, 106.231, 0, 100_000);
    const edge = { lat2: direct.lat2 as number, lon2: direct.lon2 as number };
    const response = await t.send("POST", "/api/coverage?radiusKm=100&hours=10&threshold=any", {
      points: [
        { id: "edge", lat: edge.lat2, lon: edge.lon2, weight: 3 },
        { id: "qinghai-lake", lat: 36.9, lon: 100.1, weight: 1 },
      ],
    });
    expect(response.status).toBe(200);
    const body = response.body as {
      params: { reachKm: number };
      weightShareAll: number;
      points: Array<{
        pointId: string;
        coveredTypes: string[];
        uncoveredTypes: string[];
        nearestDepot: { code: string; distanceKm: number };
      }>;
    };
    expect(body.params.reachKm).toBe(100);
    const byId = Object.fromEntries(body.points.map((p) => [p.pointId, p]));
    // Checked independently: the nearest depot's distance, on the ellipsoid, is within the reach.
    const nearest = byId.edge?.nearestDepot;
    const sites = (await t.http("/api/sites")).body as Array<{ code: string; lat: number; lon: number }>;
    const depot = sites.find((s) => s.code === nearest?.code) as { lat: number; lon: number };
    const s12 = geodesic.Geodesic.WGS84.Inverse(edge.lat2, edge.lon2, depot.lat, depot.lon).s12 as number;
    expect(nearest?.distanceKm).toBeCloseTo(s12 / 1000, 6);
    expect(nearest?.distanceKm).toBeLessThanOrEqual(100);
    expect(byId.edge?.coveredTypes.length).toBe(17);
    expect(byId["qinghai-lake"]?.coveredTypes).toEqual([]);
    expect(body.weightShareAll).toBeCloseTo(0.75, 9);
  });

  it("suggests where new depots would cover the most uncovered demand, solved to optimality", async () => {
    const { body } = await t.http("/api/coverage/siting?k=2");
    expect(body.solver.status).toBe("Optimal");
    expect(body.chosen.length).toBeLessThanOrEqual(2);
    expect(body.weightCoveredAfter).toBe(body.weightCoveredBefore + body.weightNewlyCovered);
    expect(body.weightCoveredAfter).toBeLessThanOrEqual(body.totalWeight);
    expect((await t.http("/api/coverage?itemType=NOPE")).body.message).toBe(
      'itemType "NOPE" is not in the catalogue',
    );
    expect((await t.http("/api/coverage?radiusKm=-5")).status).toBe(400);
  });

  it("sites among posted candidates for posted demand, choosing the one that covers the most weight", async () => {
    // Far west, beyond every depot: two demand points near a candidate at Lanzhou, one near Xining.
    const response = await t.send("POST", "/api/coverage/siting?k=1&radiusKm=50&hours=10", {
      candidates: [
        { id: "lanzhou", lat: 36.061, lon: 103.834 },
        { id: "xining", lat: 36.617, lon: 101.778 },
      ],
      points: [
        { id: "a", lat: 36.1, lon: 103.9, weight: 30 },
        { id: "b", lat: 36.0, lon: 103.7, weight: 30 },
        { id: "c", lat: 36.6, lon: 101.8, weight: 50 },
      ],
    });
    const body = response.body as {
      chosen: Array<{ id: string }>;
      weightNewlyCovered: number;
      solver: { status: string };
    };
    expect(response.status).toBe(200);
    expect(body.solver.status).toBe("Optimal");
    expect(body.chosen.map((c) => c.id)).toEqual(["lanzhou"]);
    expect(body.weightNewlyCovered).toBe(60);
  });
});
