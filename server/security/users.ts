import { createHash, randomBytes } from "node:crypto";
import type { AppDatabase } from "../db/database.ts";
import { USER_ROLES, type UserRole } from "../db/schema.ts";
import { DomainError, InvalidInputError, NotFoundError } from "../errors.ts";
import { hashSecret, newSecret, verifySecret } from "./secrets.ts";

export interface SessionUser {
  id: number;
  username: string;
  role: UserRole;
  /** A keeper's sites; empty for the other roles (they see every site). */
  sites: string[];
}

export interface Session {
  token: string;
  expiresAt: number;
  user: SessionUser;
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/** SHA-256 of a session token: the only form in which a token is stored. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * People who use the console and the API: scrypt password hashes (full parameters), a role, a
 * keeper's sites, and login sessions of which only a hash of the token is kept.
 */
export class UserService {
  readonly #database: AppDatabase;
  readonly #ttlMs: number;
  /** Verified against when the user does not exist, so both failures take about as long. */
  #dummyHash: Promise<string> | undefined;

  constructor(database: AppDatabase, options: { sessionTtlMinutes: number }) {
    this.#database = database;
    this.#ttlMs = options.sessionTtlMinutes * 60_000;
  }

  count(): number {
    return (this.#database.sqlite.prepare("SELECT count(*) AS n FROM users").get() as { n: number }).n;
  }

  get(username: string): (SessionUser & { disabled: boolean }) | undefined {
    const row = this.#database.sqlite
      .prepare("SELECT id, username, role, disabled FROM users WHERE username = ?")
      .get(username) as { id: number; username: string; role: UserRole; disabled: number } | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      username: row.username,
      role: row.role,
      disabled: row.disabled !== 0,
      sites: this.#sitesOf(row.id),
    };
  }

  list(): Array<SessionUser & { disabled: boolean }> {
    const rows = this.#database.sqlite
      .prepare("SELECT username FROM users ORDER BY username")
      .all() as Array<{
      username: string;
    }>;
    return rows.map((r) => this.get(r.username)).filter((u) => u !== undefined);
  }

  #sitesOf(userId: number): string[] {
    return (
      this.#database.sqlite
        .prepare("SELECT site_code FROM user_sites WHERE user_id = ? ORDER BY site_code")
        .all(userId) as Array<{ site_code: string }>
    ).map((r) => r.site_code);
  }

  /** Creates a user with a generated password (returned once) or the one given. */
  async add(
    username: string,
    role: UserRole,
    sites: string[] = [],
    password: string = newSecret(),
  ): Promise<{ username: string; password: string }> {
    if (!USERNAME_PATTERN.test(username)) {
      throw new InvalidInputError("a username is 2-64 characters: lower-case letters, digits, . _ -");
    }
    if (!USER_ROLES.includes(role))
      throw new InvalidInputError(`role must be one of ${USER_ROLES.join(", ")}`);
    if (role === "keeper" && sites.length === 0)
      throw new InvalidInputError("a keeper needs at least one site");
    if (role !== "keeper" && sites.length > 0)
      throw new InvalidInputError("only keepers are limited to sites");
    const sqlite = this.#database.sqlite;
    for (const site of sites) {
      if (!sqlite.prepare("SELECT 1 FROM sites WHERE code = ?").get(site)) {
        throw new NotFoundError(`site "${site}" does not exist`);
      }
    }
    if (this.get(username)) throw new DomainError(`user "${username}" already exists`, 409);
    const hash = await hashSecret(password);
    sqlite.transaction(() => {
      const { lastInsertRowid } = sqlite
        .prepare("INSERT INTO users (username, display_name, password_hash, role) VALUES (?, ?, ?, ?)")
        .run(username, username, hash, role);
      const insert = sqlite.prepare("INSERT INTO user_sites (user_id, site_code) VALUES (?, ?)");
      for (const site of sites) insert.run(Number(lastInsertRowid), site);
    })();
    return { username, password };
  }

  /** A new generated password; every open session of the user ends. */
  async resetPassword(username: string, password: string = newSecret()): Promise<string> {
    const user = this.get(username);
    if (!user) throw new NotFoundError(`user "${username}" does not exist`);
    const hash = await hashSecret(password);
    const sqlite = this.#database.sqlite;
    sqlite.transaction(() => {
      sqlite.prepare("UPDATE users SET password_hash = ? WHERE id = ?").run(hash, user.id);
      sqlite.prepare("DELETE FROM sessions WHERE user_id = ?").run(user.id);
    })();
    return password;
  }

  /** Disables (or enables again) a user; disabling ends every session. */
  setDisabled(username: string, disabled: boolean): void {
    const user = this.get(username);
    if (!user) throw new NotFoundError(`user "${username}" does not exist`);
    const sqlite = this.#database.sqlite;
    sqlite.transaction(() => {
      sqlite.prepare("UPDATE users SET disabled = ? WHERE id = ?").run(disabled ? 1 : 0, user.id);
      if (disabled) sqlite.prepare("DELETE FROM sessions WHERE user_id = ?").run(user.id);
    })();
  }

  /**
   * Checks a password and opens a session; undefined for an unknown user, a wrong password or a
   * disabled user alike. An unknown user costs a scrypt run too, so timing tells nothing.
   */
  async login(username: string, password: string, now = Date.now()): Promise<Session | undefined> {
    const row = this.#database.sqlite
      .prepare("SELECT password_hash FROM users WHERE username = ? AND disabled = 0")
      .get(username) as { password_hash: string } | undefined;
    if (!row) {
      this.#dummyHash ??= hashSecret(newSecret());
      await verifySecret(password, await this.#dummyHash);
      return undefined;
    }
    if (!(await verifySecret(password, row.password_hash))) return undefined;
    return this.openSession(username, now);
  }

  /** A new session for an existing, enabled user (login, tests, the demo simulation). */
  openSession(username: string, now = Date.now()): Session {
    const user = this.get(username);
    if (!user || user.disabled) throw new NotFoundError(`user "${username}" does not exist`);
    const token = randomBytes(32).toString("base64url");
    const expiresAt = now + this.#ttlMs;
    const sqlite = this.#database.sqlite;
    sqlite.prepare("DELETE FROM sessions WHERE expires_at <= ?").run(now);
    sqlite
      .prepare("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
      .run(tokenHash(token), user.id, now, expiresAt);
    return {
      token,
      expiresAt,
      user: { id: user.id, username: user.username, role: user.role, sites: user.sites },
    };
  }

  /** The user of a live session; undefined when the token is unknown, expired or its user disabled. */
  authenticate(token: string, now = Date.now()): (SessionUser & { expiresAt: number }) | undefined {
    const row = this.#database.sqlite
      .prepare(
        `SELECT u.id, u.username, u.role, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ? AND u.disabled = 0`,
      )
      .get(tokenHash(token)) as
      | { id: number; username: string; role: UserRole; expires_at: number }
      | undefined;
    if (!row || row.expires_at <= now) return undefined;
    return {
      id: row.id,
      username: row.username,
      role: row.role,
      sites: row.role === "keeper" ? this.#sitesOf(row.id) : [],
      expiresAt: row.expires_at,
    };
  }

  logout(token: string): void {
    this.#database.sqlite.prepare("DELETE FROM sessions WHERE token_hash = ?").run(tokenHash(token));
  }
}
