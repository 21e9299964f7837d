import { Type } from "@sinclair/typebox";
import { actorOf, scopeOf } from "../security/policy.ts";
import type { AuditRow } from "../services/audits.ts";
import { toCsv } from "./csv.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses, isoTime, isoTimeOrNull, NoBody, Nullable, SiteCode } from "./schemas.ts";

const Audit = Type.Object({
  id: Type.Integer(),
  siteCode: Type.String(),
  state: Type.Union([Type.Literal("open"), Type.Literal("closed"), Type.Literal("approved")]),
  startedAt: Type.String({ format: "date-time" }),
  endsAt: Type.String({ format: "date-time" }),
  closedAt: Nullable(Type.String({ format: "date-time" })),
  startedBy: Type.String(),
  approvedBy: Nullable(Type.String()),
  approvedAt: Nullable(Type.String({ format: "date-time" })),
  note: Nullable(Type.String()),
});

const Findings = Type.Object({
  missingTags: Type.Array(
    Type.Object({ epc: Type.String(), itemTypeCode: Type.String(), units: Type.Integer() }),
  ),
  unexpectedTags: Type.Array(
    Type.Object({ epc: Type.String(), itemTypeCode: Nullable(Type.String()), units: Type.Integer() }),
  ),
  mismatches: Type.Array(
    Type.Object({
      itemTypeCode: Type.String(),
      bookQty: Type.Integer(),
      countedQty: Type.Integer(),
      difference: Type.Integer(),
    }),
  ),
  proposedAdjustments: Type.Array(Type.Object({ itemTypeCode: Type.String(), quantity: Type.Integer() })),
  clean: Type.Boolean(),
});

const auditJson = (a: AuditRow) => ({
  ...a,
  startedAt: isoTime(a.startedAt),
  endsAt: isoTime(a.endsAt),
  closedAt: isoTimeOrNull(a.closedAt),
  approvedAt: isoTimeOrNull(a.approvedAt),
});

const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const auditsRoutes: ApiPlugin = async (app, { deps }) => {
  app.post(
    "/sites/:code/audits",
    {
      schema: {
        tags: ["audits"],
        summary:
          "Start an audit (清查) of a site: sweeps and shelf readings in its window are compared with the book",
        params: Type.Object({ code: SiteCode }),
        description: "Who starts it is the logged-in user.",
        body: Type.Object(
          {
            durationMinutes: Type.Integer({ minimum: 1, maximum: 7 * 24 * 60, default: 60 }),
            note: Type.Optional(Type.String({ maxLength: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Audit, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(auditJson(deps.audits.start(request.params.code, { ...request.body, by: actorOf(request) }))),
  );

  app.get(
    "/audits",
    {
      schema: {
        tags: ["audits"],
        summary: "Audits, newest first",
        querystring: Type.Object({ siteCode: Type.Optional(SiteCode) }),
        response: { 200: Type.Array(Audit), ...errorResponses },
      },
    },
    async (request) => deps.audits.list(scopeOf(request, request.query.siteCode)).map(auditJson),
  );

  app.get(
    "/audits/:id",
    {
      schema: {
        tags: ["audits"],
        summary: "An audit with its findings (live while open, frozen once closed)",
        params: Id,
        response: { 200: Type.Object({ audit: Audit, findings: Findings }), ...errorResponses },
      },
    },
    async (request) => ({
      audit: auditJson(deps.audits.get(request.params.id)),
      findings: deps.audits.findings(request.params.id),
    }),
  );

  app.post(
    "/audits/:id/close",
    {
      schema: {
        tags: ["audits"],
        summary: "Close an audit: its findings are frozen for approval",
        params: Id,
        body: NoBody,
        response: { 200: Type.Object({ audit: Audit, findings: Findings }), ...errorResponses },
      },
    },
    async (request) => {
      const audit = deps.audits.close(request.params.id);
      deps.alerts.evaluate();
      return { audit: auditJson(audit), findings: deps.audits.findings(audit.id) };
    },
  );

  app.post(
    "/audits/:id/approve",
    {
      schema: {
        tags: ["audits"],
        summary: "Approve a closed audit: its proposed adjustments become ledger entries with who and why",
        params: Id,
        description: "Who approves is the logged-in user.",
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 1000 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ audit: Audit, ledgerIds: Type.Array(Type.Integer()) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { audit, ledgerIds } = deps.audits.approve(request.params.id, {
        ...request.body,
        by: actorOf(request),
      });
      for (const a of deps.audits.findings(audit.id).proposedAdjustments) {
        deps.events.emit("stock.changed", { siteCode: audit.siteCode, itemTypeCode: a.itemTypeCode });
      }
      deps.alerts.evaluate();
      return { audit: auditJson(audit), ledgerIds };
    },
  );

  app.get(
    "/audits/:id/report.csv",
    {
      schema: {
        tags: ["audits"],
        summary: "Audit report as CSV: one row per finding",
        params: Id,
        produces: ["text/csv"],
      },
    },
    async (request, reply) => {
      const audit = deps.audits.get(request.params.id);
      const f = deps.audits.findings(audit.id);
      const rows: unknown[][] = [
        ...f.missingTags.map((t) => ["missing tag", t.itemTypeCode, t.epc, "", "", -t.units]),
        ...f.unexpectedTags.map((t) => [
          "unexpected tag",
          t.itemTypeCode ?? "unknown",
          t.epc,
          "",
          "",
          t.units,
        ]),
        ...f.mismatches.map((m) => [
          "quantity mismatch",
          m.itemTypeCode,
          "",
          m.bookQty,
          m.countedQty,
          m.difference,
        ]),
      ];
      reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="audit-${audit.id}-${audit.siteCode}.csv"`);
      return toCsv(["finding", "item_type", "epc", "book_qty", "counted_qty", "difference"], rows);
    },
  );
};

export default auditsRoutes;
