import { describe, expect, it } from "vitest";
import { DEMO_SCRYPT_PARAMS, hashSecret, newSecret, verifySecret } from "../../../server/security/secrets.ts";

describe("secret hashing", () => {
  it("verifies the secret it hashed and nothing else", async () => {
    const secret = newSecret();
    const stored = await hashSecret(secret);
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifySecret(secret, stored)).toBe(true);
    expect(await verifySecret(`${secret}x`, stored)).toBe(false);
    expect(await verifySecret("", stored)).toBe(false);
  });

  it("salts every hash, keeps the parameters with it, and refuses malformed or extravagant hashes", async () => {
    const a = await hashSecret("same", DEMO_SCRYPT_PARAMS);
    const b = await hashSecret("same", DEMO_SCRYPT_PARAMS);
    expect(a).not.toBe(b);
    expect(a.startsWith("scrypt$1024$8$1$")).toBe(true);
    expect(await verifySecret("same", a)).toBe(true);
    for (const bad of [
      "",
      "plain",
      "scrypt$1$2$3",
      a.replace(/^scrypt/, "bcrypt"),
      a.replace("$1024$", "$4194304$"),
    ]) {
      expect(await verifySecret("same", bad), bad).toBe(false);
    }
  });

  it("makes secrets of 32 URL-safe characters that do not repeat", () => {
    const secrets = new Set(Array.from({ length: 1000 }, newSecret));
    expect(secrets.size).toBe(1000);
    for (const s of secrets) expect(s).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
