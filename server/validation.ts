import { Ajv, type Options } from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchemaCompiler, FastifySchemaValidationError } from "fastify";

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

/**
 * Fastify's messages, except that a field the schema does not have is named ("body/by is not a
 * field of this request" instead of "body must NOT have additional properties").
 */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  return new Error(errors.map((e) => describeError(e, dataVar)).join(", "));
}

function describeError(e: FastifySchemaValidationError, dataVar: string): string {
  const at = `${dataVar}${e.instancePath ?? ""}`;
  const extra = e.keyword === "additionalProperties" ? e.params.additionalProperty : undefined;
  return typeof extra === "string" ? `${at}/${extra} is not a field of this request` : `${at} ${e.message}`;
}
