import { Type } from "@sinclair/typebox";
import { desc } from "drizzle-orm";
import { deadLetters } from "../db/schema.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses, Nullable } from "./schemas.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

const deadLettersRoutes: ApiPlugin = async (app, { deps }) => {
  app.get(
    "/dead-letters",
    {
      schema: {
        tags: ["ingest"],
        summary: "Device messages that could not be used, newest first, with the reason",
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              journalId: Nullable(Type.Integer()),
              receivedAt: Type.String({ format: "date-time" }),
              clientId: Nullable(Type.String()),
              topic: Type.String(),
              reason: Type.String(),
              payload: Type.String(),
              payloadEncoding: Type.Union([Type.Literal("utf8"), Type.Literal("base64")]),
            }),
          ),
          400: errorResponses[400],
        },
      },
    },
    async (request) =>
      deps.database.db
        .select()
        .from(deadLetters)
        .orderBy(desc(deadLetters.id))
        .limit(request.query.limit)
        .all()
        .map((row) => ({
          id: row.id,
          journalId: row.journalId,
          receivedAt: new Date(row.receivedAt).toISOString(),
          clientId: row.clientId,
          topic: row.topic,
          reason: row.reason,
          ...decodePayload(row.payload),
        })),
  );
};

function decodePayload(payload: Buffer): { payload: string; payloadEncoding: "utf8" | "base64" } {
  try {
    return { payload: utf8.decode(payload), payloadEncoding: "utf8" };
  } catch {
    return { payload: payload.toString("base64"), payloadEncoding: "base64" };
  }
}

export default deadLettersRoutes;
