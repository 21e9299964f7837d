import { Type } from "@sinclair/typebox";
import { DEPOT_TIERS, type SiteTier } from "../db/schema.ts";
import {
  areaCoverage,
  DEFAULT_COVERAGE_PARAMS,
  type DemandPoint,
  type Depot,
  pointCoverage,
  reachKm,
  resilience,
} from "../domain/coverage.ts";
import { loadHighs } from "../domain/highs.ts";
import { siteNewDepots } from "../domain/siting.ts";
import { InvalidInputError } from "../errors.ts";
import { readRegionOutline } from "../services/region.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses } from "./schemas.ts";

/** Default demand weights (officers served) when the caller posts no points: demo figures. */
const DEFAULT_WEIGHT: Partial<Record<SiteTier, number>> = { county: 120, station: 40 };

const Params = {
  itemType: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: "area coverage for this type; all types when absent",
    }),
  ),
  radiusKm: Type.Number({ exclusiveMinimum: 0, maximum: 2000, default: DEFAULT_COVERAGE_PARAMS.radiusKm }),
  hours: Type.Number({ exclusiveMinimum: 0, maximum: 72, default: DEFAULT_COVERAGE_PARAMS.hours }),
  speedKmh: Type.Number({ exclusiveMinimum: 0, maximum: 300, default: DEFAULT_COVERAGE_PARAMS.speedKmh }),
  circuity: Type.Number({ minimum: 1, maximum: 5, default: DEFAULT_COVERAGE_PARAMS.circuity }),
  threshold: Type.Union([Type.Literal("min"), Type.Literal("any")], {
    default: "min",
    description: "a depot covers a type when it holds at least its minimum standard (min), or any unit (any)",
  }),
};

/** The 200 km / 2 h rescue circle: point and area coverage, N-1 resilience, and where new depots help. */
const coverageRoutes: ApiPlugin = async (app, { deps }) => {
  const depots = (threshold: "min" | "any"): Array<Depot & { tier: string }> =>
    deps.reference
      .listSites()
      .filter((s) => DEPOT_TIERS.includes(s.tier))
      .map((s) => {
        const items = deps.stock.forSite(s.code).items;
        return {
          code: s.code,
          tier: s.tier,
          lat: s.lat,
          lon: s.lon,
          holdings: Object.fromEntries(items.map((i) => [i.itemTypeCode, i.availableQty])),
          thresholds: Object.fromEntries(
            items.map((i) => [i.itemTypeCode, threshold === "min" ? Math.max(1, i.minQty) : 1]),
          ),
        };
      });
  const defaultPoints = (): DemandPoint[] =>
    deps.reference
      .listSites()
      .filter((s) => DEFAULT_WEIGHT[s.tier] !== undefined)
      .map((s) => ({
        id: s.code,
        name: s.name,
        lat: s.lat,
        lon: s.lon,
        weight: DEFAULT_WEIGHT[s.tier] as number,
      }));
  const itemTypes = () => deps.reference.listItemTypes().map((t) => t.code);

  const compute = async (query: {
    itemType?: string;
    radiusKm: number;
    hours: number;
    speedKmh: number;
    circuity: number;
    threshold: "min" | "any";
    points?: DemandPoint[];
  }) => {
    const types = itemTypes();
    if (query.itemType && !types.includes(query.itemType)) {
      throw new InvalidInputError(`itemType "${query.itemType}" is not in the catalogue`);
    }
    const params = {
      radiusKm: query.radiusKm,
      hours: query.hours,
      speedKmh: query.speedKmh,
      circuity: query.circuity,
    };
    const all = depots(query.threshold);
    const points = query.points ?? defaultPoints();
    const coverage = pointCoverage(all, points, types, params);
    const outline = await readRegionOutline(deps.config.regionGeojson);
    const holders = all.filter((d) =>
      query.itemType
        ? (d.holdings[query.itemType] ?? 0) >= (d.thresholds?.[query.itemType] ?? 1)
        : types.every((t) => (d.holdings[t] ?? 0) >= (d.thresholds?.[t] ?? 1)),
    );
    const area = outline ? areaCoverage(outline, holders, reachKm(params)) : null;
    return {
      params: {
        ...params,
        reachKm: reachKm(params),
        threshold: query.threshold,
        itemType: query.itemType ?? null,
      },
      depots: all.map((d) => ({
        code: d.code,
        tier: d.tier,
        lat: d.lat,
        lon: d.lon,
        holdsAll: types.every((t) => (d.holdings[t] ?? 0) >= (d.thresholds?.[t] ?? 1)),
      })),
      points: coverage.points,
      weightShareAll: coverage.weightShareAll,
      perItemType: coverage.perItemType,
      area: area
        ? {
            areaKm2: area.areaKm2,
            coveredKm2: area.coveredKm2,
            coveredShare: area.coveredShare,
            uncovered: area.uncovered,
            circles: area.circles,
            depotsCounted: holders.map((d) => d.code),
          }
        : null,
      resilience: resilience(all, points, types, params),
    };
  };

  app.get(
    "/coverage",
    {
      schema: {
        tags: ["coverage"],
        summary: "Rescue-circle coverage of the demand points and the region, per item type, with N-1",
        description:
          "Reach = min(radiusKm, hours x speedKmh / circuity), geodesic on WGS84. Demand points default to county seats (weight 120) and station rooms (weight 40). A point is covered for a type when a depot (central, branch, county) within reach holds it at or above the threshold. Area: the share of the region outline inside the union of reach circles of the depots holding the type (all types when none is given), and the uncovered parts as GeoJSON.",
        querystring: Type.Object(Params),
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (request) => compute(request.query),
  );

  app.post(
    "/coverage",
    {
      schema: {
        tags: ["coverage"],
        summary: "Coverage of demand points you post (each with a weight: personnel or population)",
        querystring: Type.Object(Params),
        body: Type.Object(
          {
            points: Type.Array(
              Type.Object({
                id: Type.String({ minLength: 1, maxLength: 100 }),
                name: Type.Optional(Type.String({ maxLength: 200 })),
                lat: Type.Number({ minimum: -90, maximum: 90 }),
                lon: Type.Number({ minimum: -180, maximum: 180 }),
                weight: Type.Number({ minimum: 0 }),
              }),
              { minItems: 1, maxItems: 100000 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (request) => compute({ ...request.query, points: request.body.points }),
  );

  const SitingQuery = Type.Object({
    k: Type.Integer({ minimum: 1, maximum: 50, default: 1 }),
    radiusKm: Params.radiusKm,
    hours: Params.hours,
    speedKmh: Params.speedKmh,
    circuity: Params.circuity,
  });
  const Point = Type.Object({
    id: Type.String({ minLength: 1, maxLength: 100 }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
  });
  const site = async (
    query: { k: number; radiusKm: number; hours: number; speedKmh: number; circuity: number },
    candidates?: Array<{ id: string; lat: number; lon: number }>,
    points?: DemandPoint[],
  ) => {
    const { k, ...params } = query;
    const types = itemTypes();
    const existing = depots("min").filter((d) =>
      types.every((t) => (d.holdings[t] ?? 0) >= (d.thresholds?.[t] ?? 1)),
    );
    const stations = deps.reference
      .listSites()
      .filter((s) => s.tier === "station")
      .map((s) => ({ id: s.code, lat: s.lat, lon: s.lon }));
    const result = await siteNewDepots({
      candidates: candidates ?? stations,
      existing,
      points: points ?? defaultPoints(),
      k,
      reachKm: reachKm(params),
      highs: await loadHighs(),
    });
    return {
      params: { ...params, k, reachKm: reachKm(params) },
      existingDepots: existing.map((d) => d.code),
      ...result,
    };
  };

  app.get(
    "/coverage/siting",
    {
      schema: {
        tags: ["coverage"],
        summary:
          "Where k new depots would cover the most uncovered demand (maximal covering location, HiGHS)",
        description:
          "Candidates: the station rooms (a station upgraded to a depot); demand: the default points. Existing depots holding every item type at their minimum are fixed. Solved to optimality as a MIP.",
        querystring: SitingQuery,
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (request) => site(request.query),
  );

  app.post(
    "/coverage/siting",
    {
      schema: {
        tags: ["coverage"],
        summary: "Siting among candidate sites you post, optionally for demand points you post",
        querystring: SitingQuery,
        body: Type.Object(
          {
            candidates: Type.Array(Point, { minItems: 1, maxItems: 5000 }),
            points: Type.Optional(
              Type.Array(Type.Object({ ...Point.properties, weight: Type.Number({ minimum: 0 }) }), {
                minItems: 1,
                maxItems: 100000,
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (request) => site(request.query, request.body.candidates, request.body.points),
  );
};

export default coverageRoutes;
