import { Type } from "@sinclair/typebox";
import { actorOf, scopeOf } from "../security/policy.ts";
import { toCsv } from "./csv.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses, isoTime, isoTimeOrNull, literals, Nullable, SiteCode } from "./schemas.ts";

const IsoDate = Type.String({ format: "date", description: "YYYY-MM-DD" });
const Status = literals(["ok", "due", "overdue", "expired"] as const);
const Action = literals(["transfer-to-station", "replace", "dispose"] as const);

const Batch = Type.Object({
  batchId: Type.Integer(),
  siteCode: Type.String(),
  itemTypeCode: Type.String(),
  itemTypeName: Type.String(),
  lotCode: Type.String(),
  quantity: Type.Integer({ description: "on hand at this site, from the ledger" }),
  productionDate: Type.String(),
  receivedAt: Type.String(),
  expiryDate: Nullable(Type.String()),
  rotationDeadline: Nullable(Type.String({ description: "first day the rotation trigger holds" })),
  endOfLife: Nullable(Type.String({ description: "expiry, or for durable equipment the scrap deadline" })),
  daysToExpiry: Nullable(Type.Integer()),
  nextInspection: Nullable(Type.String()),
  nextMaintenance: Nullable(Type.String()),
  status: Status,
  qualityCheckPending: Type.Boolean({ description: "stored through an excursion and not yet checked" }),
});

const PlanLine = Type.Object({
  batchId: Type.Integer(),
  siteCode: Type.String(),
  itemTypeCode: Type.String(),
  quantity: Type.Integer(),
  action: Action,
  destinationSiteCode: Nullable(Type.String()),
  reason: Type.String(),
  status: Status,
});

/** Batches, rotation plans and their execution, inspections, quality checks. */
const rotationRoutes: ApiPlugin = async (app, { deps }) => {
  // Without asOf: today in the deployment's TIME_ZONE, not the server's or UTC.
  const today = (asOf: string | undefined) => asOf ?? deps.lifecycle.today();

  app.get(
    "/batches",
    {
      schema: {
        tags: ["rotation"],
        summary:
          "Batches on hand with expiry, rotation deadline, status and inspection dates, first-expiry-first-out",
        querystring: Type.Object({
          siteCode: Type.Optional(SiteCode),
          itemTypeCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          status: Type.Optional(Status),
          asOf: Type.Optional(IsoDate),
        }),
        response: { 200: Type.Array(Batch), ...errorResponses },
      },
    },
    async (request) => {
      const { siteCode, itemTypeCode, status, asOf } = request.query;
      if (siteCode) deps.reference.getSite(siteCode);
      return deps.lifecycle
        .batches({ scope: scopeOf(request, siteCode), itemTypeCode, today: today(asOf) })
        .filter((b) => !status || b.status === status);
    },
  );

  app.get(
    "/rotation/plan",
    {
      schema: {
        tags: ["rotation"],
        summary: "Rotation plan for a site, or the region (a keeper: their sites) when no site is given",
        description:
          "Which batches rotate out this cycle (expired and overdue always; then first-expiry-first-out up to the proportion), where to (station rooms and county depots that use the type daily, nearest first; else back for replacement; expired to disposal), and the procurement that restores the standard.",
        querystring: Type.Object({ siteCode: Type.Optional(SiteCode), asOf: Type.Optional(IsoDate) }),
        response: {
          200: Type.Object({
            today: Type.String(),
            lines: Type.Array(PlanLine),
            procurement: Type.Array(
              Type.Object({
                siteCode: Type.String(),
                itemTypeCode: Type.String(),
                quantity: Type.Integer(),
                reason: Type.String(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { siteCode, asOf } = request.query;
      if (siteCode) deps.reference.getSite(siteCode);
      return deps.lifecycle.plan({ scope: scopeOf(request, siteCode), today: today(asOf) });
    },
  );

  app.post(
    "/rotation/execute",
    {
      schema: {
        tags: ["rotation"],
        summary: "Carry out one rotation plan line: rotation entries in the ledger",
        body: Type.Object(
          {
            batchId: Type.Integer({ minimum: 1 }),
            siteCode: SiteCode,
            quantity: Type.Integer({ minimum: 1 }),
            action: Action,
            destinationSiteCode: Type.Optional(Nullable(SiteCode)),
            reason: Type.String({ minLength: 1, maxLength: 500 }),
            // A plan line can be posted back as it came, with why added: its other fields are
            // accepted and not used (the batch says the item type; the status is today's).
            itemTypeCode: Type.Optional(Type.String({ maxLength: 64 })),
            status: Type.Optional(Status),
          },
          {
            additionalProperties: false,
            description: "a rotation plan line plus the reason; who executes it is the logged-in user",
          },
        ),
        response: { 201: Type.Object({ ledgerIds: Type.Array(Type.Integer()) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { batchId, siteCode, quantity, action, destinationSiteCode, reason } = request.body;
      const result = deps.lifecycle.execute({
        batchId,
        siteCode,
        quantity,
        action,
        destinationSiteCode: destinationSiteCode ?? null,
        reason,
        by: actorOf(request),
      });
      for (const site of [request.body.siteCode, request.body.destinationSiteCode]) {
        if (site) deps.events.emit("stock.changed", { siteCode: site, itemTypeCode: result.itemTypeCode });
      }
      return reply.code(201).send({ ledgerIds: result.ledgerIds });
    },
  );

  app.post(
    "/batches/:id/services",
    {
      schema: {
        tags: ["rotation"],
        summary: "Record an inspection or maintenance of a batch of durable equipment",
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        description: "Who performed it is the logged-in user.",
        body: Type.Object(
          {
            kind: literals(["inspection", "maintenance"] as const),
            performedOn: IsoDate,
            note: Type.Optional(Type.String({ maxLength: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.Integer() }), ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send({
        id: deps.lifecycle.recordService({
          batchId: request.params.id,
          ...request.body,
          by: actorOf(request),
        }),
      }),
  );

  app.get(
    "/quality-checks",
    {
      schema: {
        tags: ["rotation"],
        summary: "Batches flagged for a quality check because they were stored through an excursion",
        querystring: Type.Object({ siteCode: Type.Optional(SiteCode), open: Type.Optional(Type.Boolean()) }),
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              batchId: Type.Integer(),
              itemTypeCode: Type.String(),
              lotCode: Type.String(),
              siteCode: Type.String(),
              excursionId: Type.Integer(),
              flaggedAt: Type.String({ format: "date-time" }),
              result: Nullable(literals(["pass", "fail"] as const)),
              resultAt: Nullable(Type.String({ format: "date-time" })),
              actor: Nullable(Type.String()),
              note: Nullable(Type.String()),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    async (request) =>
      deps.lifecycle
        .qualityChecks({ scope: scopeOf(request, request.query.siteCode), open: request.query.open })
        .map((q) => ({
          ...q,
          flaggedAt: isoTime(q.flaggedAt),
          resultAt: isoTimeOrNull(q.resultAt),
        })) as never,
  );

  app.post(
    "/quality-checks/:id/result",
    {
      schema: {
        tags: ["rotation"],
        summary: "Record the result of a quality check",
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        description: "Who checked is the logged-in user.",
        body: Type.Object(
          {
            result: literals(["pass", "fail"] as const),
            note: Type.Optional(Type.String({ maxLength: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      deps.lifecycle.recordQuality(
        request.params.id,
        request.body.result,
        actorOf(request),
        request.body.note,
      );
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/rotation/plan.csv",
    {
      schema: {
        tags: ["rotation"],
        summary: "The rotation plan (lines, then procurement) as CSV",
        querystring: Type.Object({ siteCode: Type.Optional(SiteCode), asOf: Type.Optional(IsoDate) }),
        produces: ["text/csv"],
      },
    },
    async (request, reply) => {
      const { siteCode, asOf } = request.query;
      if (siteCode) deps.reference.getSite(siteCode);
      const scope = scopeOf(request, siteCode);
      const plan = deps.lifecycle.plan({ scope, today: today(asOf) });
      reply
        .type("text/csv; charset=utf-8")
        .header(
          "content-disposition",
          `attachment; filename="rotation-${scope === null ? "region" : scope.join("_")}-${plan.today}.csv"`,
        );
      return toCsv(
        ["line", "site", "item_type", "batch", "quantity", "action", "destination", "status", "reason"],
        [
          ...plan.lines.map((l) => [
            "rotate",
            l.siteCode,
            l.itemTypeCode,
            l.batchId,
            l.quantity,
            l.action,
            l.destinationSiteCode,
            l.status,
            l.reason,
          ]),
          ...plan.procurement.map((p) => [
            "procure",
            p.siteCode,
            p.itemTypeCode,
            "",
            p.quantity,
            "procure",
            "",
            "",
            p.reason,
          ]),
        ],
      );
    },
  );
};

export default rotationRoutes;
