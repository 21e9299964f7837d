import fs from "node:fs";
import type { Static, TObject } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

/**
 * Settings from environment variables against a TypeBox schema: only the schema's keys, empty
 * values ignored, strings converted and defaults applied; every problem is returned at once, each
 * naming its variable (values of secrets left out).
 */
export function readEnvSettings<T extends TObject>(
  schema: T,
  env: NodeJS.ProcessEnv,
): { raw: Static<T>; problems: string[] } {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== "") picked[key] = value;
  }
  const raw = Value.Default(schema, Value.Convert(schema, picked)) as Static<T>;
  const problems = [...Value.Errors(schema, raw)].map((e) => {
    const secret = /PASSWORD|TOKEN/.test(e.path);
    return `${e.path.slice(1) || "(root)"}: ${e.message}${secret ? "" : ` (got ${JSON.stringify(e.value)})`}`;
  });
  return { raw, problems };
}

/** The PEM certificate and key named by TLS_CERT_FILE / TLS_KEY_FILE: both, neither, or a problem. */
export function readTlsFiles(
  certFile: string | undefined,
  keyFile: string | undefined,
  problems: string[],
): { cert: Buffer; key: Buffer } | null {
  if (Boolean(certFile) !== Boolean(keyFile)) {
    problems.push("TLS_CERT_FILE and TLS_KEY_FILE: give both or neither");
    return null;
  }
  if (!certFile || !keyFile) return null;
  try {
    return { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
  } catch (error) {
    problems.push(`TLS_CERT_FILE / TLS_KEY_FILE: ${(error as Error).message}`);
    return null;
  }
}
