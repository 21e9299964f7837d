import { Type } from "@sinclair/typebox";
import type { ApiPlugin } from "./deps.ts";
import { isoTime, Nullable } from "./schemas.ts";

/** GET /api/audit-log: who changed what, newest first (admins only; see security/policy.ts). */
const auditLogRoutes: ApiPlugin = async (app, { deps }) => {
  app.get(
    "/audit-log",
    {
      schema: {
        tags: ["auth"],
        summary: "The audit log of changes asked of the API (done or refused), newest first",
        querystring: Type.Object({
          actor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          siteCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              at: Type.String({ format: "date-time" }),
              actor: Nullable(Type.String()),
              role: Nullable(Type.String()),
              ip: Nullable(Type.String()),
              method: Type.String(),
              route: Type.String(),
              url: Type.String(),
              target: Nullable(Type.String()),
              siteCode: Nullable(Type.String()),
              statusCode: Type.Integer(),
              detail: Nullable(Type.String()),
            }),
          ),
        },
      },
    },
    async (request) => deps.auditLog.list(request.query).map((e) => ({ ...e, at: isoTime(e.at) })),
  );
};

export default auditLogRoutes;
