import { Ajv, type Options } from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchemaCompiler } from "fastify";

/**
 * Two validators. Query strings and path parameters arrive as text, so they are converted
 * ("10" -> 10, "true" -> true). JSON bodies already carry types: converting them would let 0 stand
 * for null or "" for 0, silently, so bodies are checked exactly as sent.
 */
export function makeValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const common: Options = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false };
  const lenient = addFormats.default(new Ajv({ ...common, coerceTypes: "array" }));
  const exact = addFormats.default(new Ajv({ ...common, coerceTypes: false }));
  return ({ schema, httpPart }) => (httpPart === "body" ? exact : lenient).compile(schema as object);
}
