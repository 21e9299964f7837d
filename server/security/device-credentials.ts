import type { AppDatabase } from "../db/database.ts";
import { NotFoundError } from "../errors.ts";
import type { DeviceRegistry, RegisteredDevice } from "../services/device-registry.ts";
import {
  DEMO_SCRYPT_PARAMS,
  fingerprint,
  hashSecret,
  newSecret,
  SCRYPT_PARAMS,
  verifySecret,
} from "./secrets.ts";

export interface DeviceIdentity {
  deviceId: string;
  siteCode: string;
  kind: RegisteredDevice["kind"];
}

export type DeviceAuthResult = { ok: true; device: DeviceIdentity } | { ok: false; reason: string };

/**
 * Per-device MQTT credentials: the username is the device id, the password a random secret shown
 * once when issued. Only its scrypt hash is stored (devices.secret_hash). A secret verified once is
 * remembered by fingerprint against the stored hash, so a reconnect storm does not cost one scrypt
 * per connection; issuing a new secret (here or from the CLI in another process) changes the stored
 * hash, which invalidates the remembered one.
 */
export class DeviceCredentials {
  readonly #verified = new Map<string, { storedHash: string; fingerprint: string }>();
  readonly #s;

  constructor(
    database: AppDatabase,
    private readonly registry: DeviceRegistry,
  ) {
    const sqlite = database.sqlite;
    this.#s = {
      hash: sqlite.prepare("SELECT secret_hash AS hash, enabled FROM devices WHERE id = ?"),
      setHash: sqlite.prepare("UPDATE devices SET secret_hash = ? WHERE id = ?"),
      withoutHash: sqlite.prepare("SELECT id FROM devices WHERE secret_hash IS NULL ORDER BY id"),
    };
  }

  /** Issues a new secret for a device (replacing any earlier one) and returns it: shown once. */
  async issue(
    deviceId: string,
    params: { N: number; r: number; p: number } = SCRYPT_PARAMS,
  ): Promise<{ username: string; password: string }> {
    const row = this.#s.hash.get(deviceId) as { hash: string | null } | undefined;
    if (!row) throw new NotFoundError(`device "${deviceId}" is not registered`);
    const password = newSecret();
    this.#s.setHash.run(await hashSecret(password, params), deviceId);
    this.#verified.delete(deviceId);
    return { username: deviceId, password };
  }

  /** Issues secrets, hashed at demo cost, for every device that has none (the demo's first start). */
  async issueMissingDemo(): Promise<Record<string, { username: string; password: string }>> {
    // scrypt runs on libuv's thread pool: hashing in parallel uses every core.
    const ids = (this.#s.withoutHash.all() as Array<{ id: string }>).map((r) => r.id);
    const secrets = await Promise.all(ids.map((id) => this.issue(id, DEMO_SCRYPT_PARAMS)));
    return Object.fromEntries(ids.map((id, i) => [id, secrets[i] as { username: string; password: string }]));
  }

  hasSecret(deviceId: string): boolean {
    return Boolean((this.#s.hash.get(deviceId) as { hash: string | null } | undefined)?.hash);
  }

  /** Checks a CONNECT's username and password; the reason is for the log, never for the client. */
  async authenticate(username: string | undefined, password: Buffer | undefined): Promise<DeviceAuthResult> {
    if (!username || !password || password.length === 0)
      return { ok: false, reason: "no username or password" };
    if (password.length > 1024) return { ok: false, reason: "password too long" };
    const row = this.#s.hash.get(username) as { hash: string | null; enabled: number } | undefined;
    if (!row) return { ok: false, reason: `unknown device "${username.slice(0, 64)}"` };
    if (!row.enabled) return { ok: false, reason: `device "${username}" is disabled` };
    if (!row.hash) return { ok: false, reason: `device "${username}" has no credentials issued` };
    const secret = password.toString("utf8");
    const print = fingerprint(secret);
    const remembered = this.#verified.get(username);
    const good =
      (remembered?.storedHash === row.hash && remembered.fingerprint === print) ||
      (await verifySecret(secret, row.hash));
    if (!good) return { ok: false, reason: `wrong password for device "${username}"` };
    this.#verified.set(username, { storedHash: row.hash, fingerprint: print });
    const device = this.registry.get(username);
    if (!device) return { ok: false, reason: `device "${username}" is not in the registry` };
    return { ok: true, device: { deviceId: device.id, siteCode: device.siteCode, kind: device.kind } };
  }

  /** Forgets remembered verifications of a device (disabled, or its secret replaced). */
  forget(deviceId: string): void {
    this.#verified.delete(deviceId);
  }
}
