import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS_FILE, readDemoUsers } from "../../server/security/demo-credentials.ts";
import { tokenHash } from "../../server/security/users.ts";
import { startTestPlatform, type TestPlatform, tempDataDir } from "../helpers/platform.ts";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");

async function login(t: TestPlatform, username: string, password: string) {
  const response = await fetch(`${t.platform.httpUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  return {
    status: response.status,
    body: (await response.json()) as any,
    cookie: response.headers.get("set-cookie"),
  };
}

const get = async (t: TestPlatform, pathname: string, headers: Record<string, string>) => {
  const response = await fetch(`${t.platform.httpUrl}${pathname}`, { headers });
  return { status: response.status, body: (await response.json()) as any };
};

describe("users and sessions", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  it("writes the demo users' passwords to the users section of demo-credentials.json, mode 600", () => {
    const file = path.join(t.dataDir, DEMO_CREDENTIALS_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const users = readDemoUsers(t.dataDir);
    expect(Object.keys(users).sort()).toEqual(["admin", "commander", "keeper-b01", "keeper-c02", "viewer"]);
    expect(users["keeper-b01"]).toMatchObject({ role: "keeper", sites: ["NX-B01", "NX-K01"] });
    // Full-cost scrypt for people.
    const row = t.platform.deps.database.sqlite
      .prepare("SELECT password_hash FROM users WHERE username = 'admin'")
      .get() as { password_hash: string };
    expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
  });

  it("logs in with a cookie and a token, answers /me, and logout ends the session", async () => {
    const password = readDemoUsers(t.dataDir)["keeper-c02"]?.password as string;
    const ok = await login(t, "keeper-c02", password);
    expect(ok.status).toBe(200);
    expect(ok.body.user).toEqual({ username: "keeper-c02", role: "keeper", sites: ["NX-C02"] });
    expect(ok.cookie).toMatch(/^reserve_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const cookie = (ok.cookie as string).split(";")[0] as string;
    expect((await get(t, "/api/auth/me", { cookie })).body.user.username).toBe("keeper-c02");
    const bearer = { authorization: `Bearer ${ok.body.token}` };
    expect((await get(t, "/api/auth/me", bearer)).status).toBe(200);
    // The token is stored only as a hash.
    const stored = t.platform.deps.database.sqlite.prepare("SELECT token_hash FROM sessions").all() as Array<{
      token_hash: string;
    }>;
    expect(stored.some((s) => s.token_hash === ok.body.token)).toBe(false);

    const out = await fetch(`${t.platform.httpUrl}/api/auth/logout`, { method: "POST", headers: bearer });
    expect(out.status).toBe(204);
    expect((await get(t, "/api/auth/me", bearer)).body.user).toBeNull();
    expect((await get(t, "/api/auth/me", { cookie })).body.user).toBeNull();
    expect((await get(t, "/api/sites", bearer)).status).toBe(401);
  });

  it("refuses requests without a session, except health and login", async () => {
    expect((await get(t, "/api/sites", {})).status).toBe(401);
    expect((await get(t, "/api/sites", { authorization: "Bearer nonsense" })).body).toEqual({
      statusCode: 401,
      error: "Unauthorized",
      message: "not logged in, or the session has expired: log in",
    });
    expect((await get(t, "/api/health", {})).status).toBe(200);
  });

  it("gives a wrong user and a wrong password the same 401", async () => {
    const wrongUser = await login(t, "nobody", "whatever");
    const wrongPassword = await login(t, "viewer", "whatever");
    expect(wrongUser.status).toBe(401);
    expect(wrongUser.body).toEqual(wrongPassword.body);
  });

  it("refuses an expired session", async () => {
    const token = t.platform.deps.users.openSession("viewer").token;
    const headers = { authorization: `Bearer ${token}` };
    expect((await get(t, "/api/sites", headers)).status).toBe(200);
    t.platform.deps.database.sqlite
      .prepare("UPDATE sessions SET expires_at = ? WHERE token_hash = ?")
      .run(Date.now() - 1, tokenHash(token));
    expect((await get(t, "/api/sites", headers)).status).toBe(401);
  });

  it("refuses a change sent as a form, which a cross-site page could post with the cookie", async () => {
    const response = await fetch(`${t.platform.httpUrl}/api/alerts/1/acknowledge`, {
      method: "POST",
      headers: { ...(await t.headers()), "content-type": "application/x-www-form-urlencoded" },
      body: "by=x",
    });
    expect(response.status).toBe(415);
  });
});

describe("login rate limit", () => {
  it("blocks after five failed logins in 15 minutes with 429, even with the right password", async () => {
    const t = await startTestPlatform();
    try {
      const password = readDemoUsers(t.dataDir).commander?.password as string;
      for (let i = 0; i < 5; i++) expect((await login(t, "commander", "wrong")).status).toBe(401);
      const blocked = await login(t, "commander", password);
      expect(blocked.status).toBe(429);
      expect(blocked.body.message).toMatch(/too many failed logins .*try again in 15 minutes/);
    } finally {
      await t.stop();
    }
  });
});

describe("a production start and the user CLI", () => {
  it("writes no credentials, and `npm run user -- add` creates an admin who can log in", async () => {
    const dataDir = tempDataDir();
    const cli = (...args: string[]) =>
      run(process.execPath, ["--import", "tsx", "server/security/user-cli.ts", ...args], {
        cwd: root,
        env: { ...process.env, DATA_DIR: dataDir, DEMO: "0" },
      });
    const added = await cli("add", "chief", "--role", "admin");
    const { password } = JSON.parse(added.stdout) as { password: string };
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const t = await startTestPlatform({ dataDir, env: { DEMO: "0" } });
    try {
      expect(fs.existsSync(path.join(dataDir, DEMO_CREDENTIALS_FILE))).toBe(false);
      expect(t.platform.deps.users.list().map((u) => u.username)).toEqual(["chief"]);
      const ok = await login(t, "chief", password);
      expect(ok.status).toBe(200);
      expect(ok.body.user.role).toBe("admin");
    } finally {
      await t.stop();
    }
    const again = await cli("passwd", "chief");
    expect(JSON.parse(again.stdout).password).not.toBe(password);
    await cli("disable", "chief");
    const t2 = await startTestPlatform({ dataDir, env: { DEMO: "0" } });
    try {
      expect((await login(t2, "chief", JSON.parse(again.stdout).password)).status).toBe(401);
      // Each command-line change is in the audit log, by the OS user, without the password.
      const entries = t2.platform.deps.auditLog.list({ actor: undefined, limit: 10, offset: 0 });
      expect(
        entries
          .filter((e) => e.method === "CLI")
          .map((e) => e.route)
          .reverse(),
      ).toEqual(["npm run user add", "npm run user passwd", "npm run user disable"]);
      // Logins are logged too (under the name tried); the command-line entries carry the OS user.
      expect(entries.filter((e) => e.method === "CLI").every((e) => e.actor?.startsWith("cli"))).toBe(true);
      expect(JSON.stringify(entries)).not.toContain(password);
    } finally {
      await t2.stop();
    }
  });
});
