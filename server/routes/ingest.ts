import { Type } from "@sinclair/typebox";
import { count, desc } from "drizzle-orm";
import { deadLetters } from "../db/schema.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses, isoTime, isoTimeOrNull, literals, Nullable } from "./schemas.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

const ingestRoutes: ApiPlugin = async (app, { deps }) => {
  app.get(
    "/dead-letters",
    {
      schema: {
        tags: ["ingest"],
        summary: "Device messages that could not be used, newest first, with the reason",
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
        response: {
          200: Type.Object({
            total: Type.Integer({ description: "dead letters kept in all" }),
            items: Type.Array(
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
          }),
          400: errorResponses[400],
        },
      },
    },
    async (request) => ({
      total: deps.database.db.select({ n: count() }).from(deadLetters).get()?.n ?? 0,
      items: deps.database.db
        .select()
        .from(deadLetters)
        .orderBy(desc(deadLetters.id))
        .limit(request.query.limit)
        .all()
        .map((row) => ({
          id: row.id,
          journalId: row.journalId,
          receivedAt: isoTime(row.receivedAt),
          clientId: row.clientId,
          topic: row.topic,
          reason: row.reason,
          ...decodePayload(row.payload),
        })),
    }),
  );

  app.get(
    "/journal",
    {
      schema: {
        tags: ["ingest"],
        summary: "The ingest journal: counts by state and the newest rows",
        description:
          "Every accepted device message is journaled before its acknowledgement; pending rows wait for the time-series store.",
        querystring: Type.Object({
          state: Type.Optional(literals(["pending", "stored", "dead"])),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: {
          200: Type.Object({
            counts: Type.Object({ pending: Type.Integer(), stored: Type.Integer(), dead: Type.Integer() }),
            items: Type.Array(
              Type.Object({
                id: Type.Integer(),
                receivedAt: Type.String({ format: "date-time" }),
                clientId: Nullable(Type.String()),
                topic: Type.String(),
                state: literals(["pending", "stored", "dead"]),
                processedAt: Nullable(Type.String({ format: "date-time" })),
                bytes: Type.Integer(),
              }),
            ),
          }),
          400: errorResponses[400],
        },
      },
    },
    async (request) => {
      const names = ["pending", "stored", "dead"] as const;
      const { state, limit } = request.query;
      const rows = deps.database.sqlite
        .prepare(
          `SELECT id, received_at AS receivedAt, client_id AS clientId, topic, state, processed_at AS processedAt,
                  length(payload) AS bytes
           FROM ingest_journal ${state ? "WHERE state = ?" : ""} ORDER BY id DESC LIMIT ?`,
        )
        .all(...(state ? [names.indexOf(state), limit] : [limit])) as Array<{
        id: number;
        receivedAt: number;
        clientId: string | null;
        topic: string;
        state: number;
        processedAt: number | null;
        bytes: number;
      }>;
      return {
        counts: deps.journal.counts(),
        items: rows.map((r) => ({
          ...r,
          receivedAt: isoTime(r.receivedAt),
          state: names[r.state] ?? "pending",
          processedAt: isoTimeOrNull(r.processedAt),
        })),
      };
    },
  );
};

function decodePayload(payload: Buffer): { payload: string; payloadEncoding: "utf8" | "base64" } {
  try {
    return { payload: utf8.decode(payload), payloadEncoding: "utf8" };
  } catch {
    return { payload: payload.toString("base64"), payloadEncoding: "base64" };
  }
}

export default ingestRoutes;
