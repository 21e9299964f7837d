import { type TSchema, Type } from "@sinclair/typebox";
import { SITE_TIERS } from "../db/schema.ts";
import { STOCK_STATUSES } from "../domain/stock.ts";

/** Schemas shared by several API areas. */

export const literals = <T extends readonly string[]>(values: T, options = {}) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  );

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ErrorReply = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    message: Type.String({ description: "what is wrong, in words" }),
  },
  { $id: "ErrorReply" },
);

export const SiteCode = Type.String({
  pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
  description: "site code",
});
export const Tier = literals(SITE_TIERS);
export const StockStatus = literals(STOCK_STATUSES);

export const errorResponses = {
  400: Type.Ref("ErrorReply"),
  404: Type.Ref("ErrorReply"),
} as const;

/** API times are ISO 8601 strings; the stores keep UNIX milliseconds. */
export const isoTime = (ms: number): string => new Date(ms).toISOString();
export const isoTimeOrNull = (ms: number | null): string | null => (ms === null ? null : isoTime(ms));

/**
 * The body of a change that needs nothing but who makes it: none, or an empty object. Who is the
 * session's user, so a body naming anyone (`by`) is refused rather than ignored.
 */
export const NoBody = Type.Unsafe<Record<string, never> | null>({
  type: ["object", "null"],
  properties: {},
  additionalProperties: false,
  description: "none, or an empty object",
});
