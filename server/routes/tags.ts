import { Type } from "@sinclair/typebox";
import { scopeOf } from "../security/policy.ts";
import { whereWith } from "../services/site-scope.ts";
import { parseTagCsv } from "../services/tag-registry.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses, isoTime, Nullable, SiteCode } from "./schemas.ts";

const Identity = {
  itemTypeCode: Type.String({ minLength: 1, maxLength: 64 }),
  batchId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  siteCode: Type.Optional(Nullable(SiteCode)),
  units: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100000, description: "units one tag stands for" }),
  ),
};

const Registration = Type.Object(
  {
    ranges: Type.Optional(
      Type.Array(
        Type.Object({
          gtin14: Type.String({ pattern: "^\\d{14}$" }),
          companyPrefixDigits: Type.Optional(
            Nullable(
              Type.Integer({ minimum: 6, maximum: 12, description: "digits of the GS1 company prefix" }),
            ),
          ),
          serialFrom: Type.Integer({ minimum: 0, maximum: 274877906943 }),
          serialTo: Type.Integer({ minimum: 0, maximum: 274877906943 }),
          ...Identity,
        }),
        { maxItems: 10000 },
      ),
    ),
    tags: Type.Optional(
      Type.Array(Type.Object({ epc: Type.String({ minLength: 8, maxLength: 124 }), ...Identity }), {
        maxItems: 100000,
      }),
    ),
  },
  { additionalProperties: false },
);

const Registered = Type.Object({ ranges: Type.Integer(), tags: Type.Integer() });

const tagsRoutes: ApiPlugin = async (app, { deps }) => {
  app.addContentTypeParser(
    "text/csv",
    { parseAs: "string", bodyLimit: 16 * 1024 * 1024 },
    (_request, body, done) => done(null, body),
  );

  app.get(
    "/tags",
    {
      schema: {
        tags: ["tags"],
        summary: "The tag registry: SGTIN ranges and explicitly registered EPCs (a keeper's: their sites')",
        querystring: Type.Object({ siteCode: Type.Optional(SiteCode) }),
        response: {
          200: Type.Object({
            ranges: Type.Array(
              Type.Object({
                id: Type.Integer(),
                gtin14: Type.String(),
                companyPrefixDigits: Nullable(Type.Integer()),
                serialFrom: Type.Integer(),
                serialTo: Type.Integer(),
                itemTypeCode: Type.String(),
                batchId: Nullable(Type.Integer()),
                siteCode: Nullable(Type.String()),
                units: Type.Integer(),
              }),
            ),
            tags: Type.Array(
              Type.Object({
                epc: Type.String(),
                itemTypeCode: Type.String(),
                batchId: Nullable(Type.Integer()),
                siteCode: Nullable(Type.String()),
                units: Type.Integer(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { siteCode } = request.query;
      if (siteCode) deps.reference.getSite(siteCode);
      const { where, args } = whereWith(scopeOf(request, siteCode), "site_code");
      const sqlite = deps.database.sqlite;
      return {
        ranges: sqlite
          .prepare(
            `SELECT id, gtin14, company_prefix_digits AS companyPrefixDigits, serial_from AS serialFrom, serial_to AS serialTo,
                    item_type_code AS itemTypeCode, batch_id AS batchId, site_code AS siteCode, units
             FROM tag_ranges ${where} ORDER BY id`,
          )
          .all(...args) as never[],
        tags: sqlite
          .prepare(
            `SELECT epc, item_type_code AS itemTypeCode, batch_id AS batchId, site_code AS siteCode, units
             FROM tags ${where} ORDER BY epc LIMIT 100000`,
          )
          .all(...args) as never[],
      };
    },
  );

  app.post(
    "/tags",
    {
      schema: {
        tags: ["tags"],
        summary: "Register tags: GS1 SGTIN ranges by GTIN and serials, or explicit EPCs (non-GS1 tags)",
        body: Registration,
        response: { 201: Registered, 400: errorResponses[400] },
      },
    },
    async (request, reply) => reply.code(201).send(deps.tags.register(request.body)),
  );

  app.post(
    "/tags/import",
    {
      schema: {
        tags: ["tags"],
        summary: "Register tags in bulk from CSV (Content-Type: text/csv)",
        description:
          "Header: epc,gtin14,serial_from,serial_to,item_type,site,batch_id,units (columns in any order). Each row has an epc, or a gtin14 with serial_from and serial_to. All rows or none.",
        body: Type.String({ minLength: 1 }),
        response: { 201: Registered, 400: errorResponses[400] },
      },
    },
    async (request, reply) => reply.code(201).send(deps.tags.register(parseTagCsv(request.body))),
  );

  app.get(
    "/tags/unknown",
    {
      schema: {
        tags: ["tags"],
        summary: "Tags read but not registered, most recent first (a keeper's: read at their sites)",
        querystring: Type.Object({
          siteCode: Type.Optional(SiteCode),
          limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
        }),
        response: {
          200: Type.Object({
            total: Type.Integer(),
            items: Type.Array(
              Type.Object({
                epc: Type.String(),
                siteCode: Type.String(),
                deviceId: Type.String(),
                reason: Type.String(),
                firstSeenAt: Type.String({ format: "date-time" }),
                lastSeenAt: Type.String({ format: "date-time" }),
                readCount: Type.Integer(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { siteCode, limit } = request.query;
      if (siteCode) deps.reference.getSite(siteCode);
      // The total counts what the scope holds, as the page does.
      const { where, args } = whereWith(scopeOf(request, siteCode), "site_code");
      const sqlite = deps.database.sqlite;
      const total = (
        sqlite.prepare(`SELECT count(*) AS n FROM unknown_tags ${where}`).get(...args) as { n: number }
      ).n;
      const rows = sqlite
        .prepare(
          `SELECT epc, site_code AS siteCode, device_id AS deviceId, reason, first_seen_at AS firstSeenAt,
                  last_seen_at AS lastSeenAt, read_count AS readCount
           FROM unknown_tags ${where} ORDER BY last_seen_at DESC LIMIT ?`,
        )
        .all(...args, limit) as Array<{ firstSeenAt: number; lastSeenAt: number }>;
      return {
        total,
        items: rows.map((r) => ({
          ...r,
          firstSeenAt: isoTime(r.firstSeenAt),
          lastSeenAt: isoTime(r.lastSeenAt),
        })),
      };
    },
  );

  app.get(
    "/sites/:code/tags",
    {
      schema: {
        tags: ["tags"],
        summary: "Identified tags at a site: where each is and whether it counts as present",
        params: Type.Object({ code: SiteCode }),
        querystring: Type.Object({ present: Type.Optional(Type.Boolean()) }),
        response: {
          200: Type.Array(
            Type.Object({
              epc: Type.String(),
              itemTypeCode: Type.String(),
              batchId: Nullable(Type.Integer()),
              units: Type.Integer(),
              zone: Nullable(Type.String()),
              present: Type.Boolean(),
              inTransitFrom: Nullable(Type.String()),
              lastSeenAt: Type.String({ format: "date-time" }),
              lastDeviceId: Nullable(Type.String()),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      deps.reference.getSite(request.params.code);
      const { present } = request.query;
      const rows = deps.database.sqlite
        .prepare(
          `SELECT epc, item_type_code AS itemTypeCode, batch_id AS batchId, units, zone, present,
                  in_transit_from AS inTransitFrom, last_seen_at AS lastSeenAt, last_device_id AS lastDeviceId
           FROM tag_presence WHERE site_code = ? ${present === undefined ? "" : "AND present = ?"} ORDER BY epc`,
        )
        .all(
          ...(present === undefined ? [request.params.code] : [request.params.code, present ? 1 : 0]),
        ) as Array<{
        present: number;
        lastSeenAt: number;
      }>;
      return rows.map((r) => ({
        ...r,
        present: r.present === 1,
        lastSeenAt: isoTime(r.lastSeenAt),
      }));
    },
  );
};

export default tagsRoutes;
