import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Secrets (device passwords, later user passwords) are stored as scrypt hashes:
 * `scrypt$N$r$p$salt$hash` (salt and hash base64url). The parameters travel with the hash, so they
 * can be raised later without invalidating what was issued.
 */
export const SCRYPT_PARAMS = { N: 16384, r: 8, p: 1 } as const;
/**
 * For the demo's generated secrets only: they sit in plain text in demo-credentials.json anyway, and
 * a hundred full-cost hashes would add seconds to the demo's first start.
 */
export const DEMO_SCRYPT_PARAMS = { N: 1024, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashSecret(
  secret: string,
  params: { N: number; r: number; p: number } = SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, params);
  return ["scrypt", params.N, params.r, params.p, salt.toString("base64url"), key.toString("base64url")].join(
    "$",
  );
}

/** Constant-time check of a secret against a stored hash; false for anything malformed. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (!N || !r || !p || N > 2 ** 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4] as string, "base64url");
  const expected = Buffer.from(parts[5] as string, "base64url");
  if (expected.length !== KEY_LENGTH) return false;
  const key = await derive(secret, salt, { N, r, p });
  return timingSafeEqual(key, expected);
}

/** A new random secret: 24 bytes, base64url (32 characters). */
export function newSecret(): string {
  return randomBytes(24).toString("base64url");
}

/** A fast fingerprint for the in-memory cache of secrets already verified with scrypt. */
export function fingerprint(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}
