import { Type } from "@sinclair/typebox";
import { scopeOf } from "../security/policy.ts";
import { whereWith } from "../services/site-scope.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses, isoTime, isoTimeOrNull, Nullable, SiteCode } from "./schemas.ts";

const EvidencePoint = Type.Object({ time: Type.String({ format: "date-time" }), value: Type.Number() });

/** Evidence as stored (times in ms) to evidence as answered (ISO times). */
function evidenceOf(json: string | null) {
  if (json === null) return null;
  const stored = JSON.parse(json) as {
    readings: Array<{ time: number; value: number }>;
    peak: { time: number; value: number };
  };
  const point = (p: { time: number; value: number }) => ({ time: isoTime(p.time), value: p.value });
  return { readings: stored.readings.map(point), peak: point(stored.peak) };
}

/** What the shelves and environment sensors noticed: shelf movements and storage excursions. */
const sensingRoutes: ApiPlugin = async (app, { deps }) => {
  app.get(
    "/excursions",
    {
      schema: {
        tags: ["sensing"],
        summary: "Times a storeroom was outside an item type's storage conditions, newest first",
        querystring: Type.Object({
          siteCode: Type.Optional(SiteCode),
          open: Type.Optional(Type.Boolean({ description: "true: only excursions still going on" })),
          limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
        }),
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              siteCode: Type.String(),
              deviceId: Type.String(),
              itemTypeCode: Type.String(),
              measurement: Type.Union([Type.Literal("temp"), Type.Literal("hum")]),
              bound: Type.Union([Type.Literal("max"), Type.Literal("min")]),
              limitValue: Type.Number(),
              peakValue: Type.Number(),
              startedAt: Type.String({ format: "date-time" }),
              endedAt: Nullable(Type.String({ format: "date-time" })),
              batchIds: Type.Array(Type.Integer(), { description: "batches of the item type at the site" }),
              evidence: Nullable(
                Type.Object(
                  {
                    readings: Type.Array(EvidencePoint),
                    peak: EvidencePoint,
                  },
                  {
                    description:
                      "the consecutive readings outside the limit that made it an excursion, and its peak; null for excursions recorded before evidence was kept",
                  },
                ),
              ),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { siteCode, open, limit } = request.query;
      if (siteCode) deps.reference.getSite(siteCode);
      const { where, args } = whereWith(
        scopeOf(request, siteCode),
        "site_code",
        open === undefined ? [] : [{ sql: open ? "ended_at IS NULL" : "ended_at IS NOT NULL" }],
      );
      const rows = deps.database.sqlite
        .prepare(
          `SELECT id, site_code AS siteCode, device_id AS deviceId, item_type_code AS itemTypeCode, measurement, bound,
                  limit_value AS limitValue, peak_value AS peakValue, started_at AS startedAt, ended_at AS endedAt,
                  batch_ids AS batchIds, evidence
           FROM env_excursions ${where}
           ORDER BY started_at DESC, id DESC LIMIT ?`,
        )
        .all(...args, limit) as Array<{
        startedAt: number;
        endedAt: number | null;
        batchIds: string;
        evidence: string | null;
      }>;
      return rows.map((r) => ({
        ...r,
        startedAt: isoTime(r.startedAt),
        endedAt: isoTimeOrNull(r.endedAt),
        batchIds: JSON.parse(r.batchIds) as number[],
        evidence: evidenceOf(r.evidence),
      }));
    },
  );

  app.get(
    "/shelf-movements",
    {
      schema: {
        tags: ["sensing"],
        summary: "Changes of shelf counts (units taken off or put on), newest first",
        querystring: Type.Object({
          siteCode: Type.Optional(SiteCode),
          limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
        }),
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              deviceId: Type.String(),
              siteCode: Type.String(),
              itemTypeCode: Type.String(),
              fromUnits: Type.Integer(),
              toUnits: Type.Integer(),
              delta: Type.Integer(),
              occurredAt: Type.String({ format: "date-time" }),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { siteCode, limit } = request.query;
      if (siteCode) deps.reference.getSite(siteCode);
      const { where, args } = whereWith(scopeOf(request, siteCode), "site_code");
      const rows = deps.database.sqlite
        .prepare(
          `SELECT id, device_id AS deviceId, site_code AS siteCode, item_type_code AS itemTypeCode, from_units AS fromUnits,
                  to_units AS toUnits, occurred_at AS occurredAt
           FROM shelf_movements ${where} ORDER BY occurred_at DESC, id DESC LIMIT ?`,
        )
        .all(...args, limit) as Array<{
        fromUnits: number;
        toUnits: number;
        occurredAt: number;
      }>;
      return rows.map((r) => ({
        ...r,
        delta: r.toUnits - r.fromUnits,
        occurredAt: isoTime(r.occurredAt),
      }));
    },
  );
};

export default sensingRoutes;
