import { Type } from "@sinclair/typebox";
import { ALERT_KINDS } from "../db/schema.ts";
import { actorOf, scopeOf } from "../security/policy.ts";
import type { AlertRow } from "../services/alerts.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses, isoTime, isoTimeOrNull, literals, NoBody, Nullable, SiteCode } from "./schemas.ts";

export const AlertSchema = Type.Object({
  id: Type.Integer(),
  kind: literals(ALERT_KINDS),
  severity: literals(["info", "warning", "critical"] as const),
  siteCode: Type.String(),
  subject: Type.String({
    description: "what it is about: item:CODE, batch:ID, device:ID, excursion:ID, audit:ID",
  }),
  message: Type.String(),
  firstSeenAt: Type.String({ format: "date-time" }),
  lastSeenAt: Type.String({ format: "date-time" }),
  clearedAt: Nullable(Type.String({ format: "date-time" })),
  acknowledgedAt: Nullable(Type.String({ format: "date-time" })),
  acknowledgedBy: Nullable(Type.String()),
});

export function alertJson(a: AlertRow) {
  return {
    ...a,
    firstSeenAt: isoTime(a.firstSeenAt),
    lastSeenAt: isoTime(a.lastSeenAt),
    clearedAt: isoTimeOrNull(a.clearedAt),
    acknowledgedAt: isoTimeOrNull(a.acknowledgedAt),
  };
}

const alertsRoutes: ApiPlugin = async (app, { deps }) => {
  app.get(
    "/alerts",
    {
      schema: {
        tags: ["alerts"],
        summary:
          "Open alerts (low and critical stock, rotation, expiry, excursions, audits, devices, unknown tags)",
        description:
          "Most severe first, then newest. `includeCleared=true` adds alerts whose condition has gone.",
        querystring: Type.Object({
          siteCode: Type.Optional(SiteCode),
          includeCleared: Type.Boolean({ default: false }),
          limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
        }),
        response: { 200: Type.Array(AlertSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { siteCode, includeCleared, limit } = request.query;
      if (siteCode) deps.reference.getSite(siteCode);
      return deps.alerts.list({ scope: scopeOf(request, siteCode), includeCleared, limit }).map(alertJson);
    },
  );

  app.post(
    "/alerts/:id/acknowledge",
    {
      schema: {
        tags: ["alerts"],
        summary: "Acknowledge an alert (it stays acknowledged while its condition holds)",
        description: "Who acknowledges is the logged-in user.",
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: NoBody,
        response: { 200: AlertSchema, ...errorResponses },
      },
    },
    async (request) => alertJson(deps.alerts.acknowledge(request.params.id, actorOf(request))),
  );
};

export default alertsRoutes;
