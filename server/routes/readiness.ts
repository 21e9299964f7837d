import { Type } from "@sinclair/typebox";
import { OWN_TIERS } from "../db/schema.ts";
import { readiness, sumAvailable, withinRadius } from "../domain/readiness.ts";
import { rollup } from "../domain/rollup.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses } from "./schemas.ts";

const ReadinessSchema = Type.Object({
  people: Type.Integer({ description: "people the stock can equip with the full kit now" }),
  limitingItemTypes: Type.Array(Type.String()),
  target: Type.Integer(),
  meetsTarget: Type.Boolean(),
  shortfallForTarget: Type.Array(Type.Object({ itemTypeCode: Type.String(), missing: Type.Integer() })),
  perItem: Type.Array(
    Type.Object({
      itemTypeCode: Type.String(),
      available: Type.Number(),
      qtyPerPerson: Type.Number(),
      people: Type.Integer(),
    }),
  ),
});

/** Readiness (how many people can be equipped) and roll-ups of stock by tier, city and region. */
const readinessRoutes: ApiPlugin = async (app, { deps }) => {
  const kit = () =>
    deps.reference.listItemTypes().map((t) => ({ itemTypeCode: t.code, qtyPerPerson: t.kitQtyPerPerson }));
  const availableAt = (siteCode: string) =>
    Object.fromEntries(deps.stock.forSite(siteCode).items.map((i) => [i.itemTypeCode, i.availableQty]));
  const ownSites = () => deps.reference.listSites().filter((s) => OWN_TIERS.includes(s.tier));

  app.get(
    "/readiness",
    {
      schema: {
        tags: ["readiness"],
        summary:
          "How many people can be equipped now: per site, within a radius of a point, and the whole region",
        description:
          "From the per-person mobilisation kit and available stock (on hand less reserved) of the police's own tiers (central, branch, county, station). Distances are geodesic on WGS84.",
        querystring: Type.Object({
          lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
          lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
          radiusKm: Type.Number({ exclusiveMinimum: 0, maximum: 5000, default: 200 }),
          target: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 2000 }),
        }),
        response: {
          200: Type.Object({
            target: Type.Integer(),
            region: ReadinessSchema,
            nearby: Type.Union([
              Type.Null(),
              Type.Object({
                lat: Type.Number(),
                lon: Type.Number(),
                radiusKm: Type.Number(),
                sites: Type.Array(Type.Object({ siteCode: Type.String(), distanceKm: Type.Number() })),
                readiness: ReadinessSchema,
              }),
            ]),
            sites: Type.Array(
              Type.Object({
                siteCode: Type.String(),
                tier: Type.String(),
                people: Type.Integer(),
                limitingItemTypes: Type.Array(Type.String()),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { lat, lon, radiusKm, target } = request.query;
      if ((lat === undefined) !== (lon === undefined)) {
        return reply.code(400).send({
          statusCode: 400,
          error: "Bad Request",
          message: "querystring/lat and querystring/lon go together",
        });
      }
      const k = kit();
      const sites = ownSites();
      const available = new Map(sites.map((s) => [s.code, availableAt(s.code)]));
      const perSite = sites.map((s) => {
        const r = readiness(k, available.get(s.code) ?? {}, target);
        return { siteCode: s.code, tier: s.tier, people: r.people, limitingItemTypes: r.limitingItemTypes };
      });
      const region = readiness(k, sumAvailable([...available.values()]), target);
      let nearby = null;
      if (lat !== undefined && lon !== undefined) {
        const inside = withinRadius(sites, { lat, lon }, radiusKm);
        nearby = {
          lat,
          lon,
          radiusKm,
          sites: inside.map((s) => ({
            siteCode: s.code,
            distanceKm: Math.round(s.distanceKm * 1000) / 1000,
          })),
          readiness: readiness(k, sumAvailable(inside.map((s) => available.get(s.code) ?? {})), target),
        };
      }
      return { target, region, nearby, sites: perSite };
    },
  );

  app.get(
    "/stock/rollup",
    {
      schema: {
        tags: ["stock"],
        summary: "Stock summed by tier, by city, or for the whole region",
        description:
          "A group's line is judged on its sums; sitesByStatus shows sites that are low inside a group that is ok in total.",
        querystring: Type.Object({
          by: Type.Union([Type.Literal("tier"), Type.Literal("city"), Type.Literal("region")], {
            default: "tier",
          }),
        }),
        response: { 200: Type.Array(Type.Any()), ...errorResponses },
      },
    },
    async (request) => {
      const sites = deps.reference.listSites().filter((s) => OWN_TIERS.includes(s.tier));
      const lines = sites.map((s) => ({
        siteCode: s.code,
        tier: s.tier,
        city: s.city,
        lines: deps.stock.forSite(s.code).items,
      }));
      const by = request.query.by;
      return rollup((s) => (by === "tier" ? s.tier : by === "city" ? s.city : "region"), lines);
    },
  );
};

export default readinessRoutes;
