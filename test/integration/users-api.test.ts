import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

const login = (t: TestPlatform, username: string, password: string) =>
  fetch(`${t.platform.httpUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });

describe("user accounts through the API", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  it("lets an admin create a keeper, whose generated password works once shown", async () => {
    const created = await t.send("POST", "/api/users", {
      username: "keeper.k05",
      role: "keeper",
      sites: ["NX-K05"],
    });
    expect(created.status).toBe(201);
    expect(created.body.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const listed = (await t.http("/api/users")).body as Array<{ username: string }>;
    expect(listed).toContainEqual({
      username: "keeper.k05",
      role: "keeper",
      sites: ["NX-K05"],
      disabled: false,
    });
    expect(JSON.stringify(listed)).not.toContain(created.body.password);
    const response = await login(t, "keeper.k05", created.body.password);
    expect(response.status).toBe(200);
    const token = ((await response.json()) as { token: string }).token;
    const own = await fetch(`${t.platform.httpUrl}/api/sites/NX-K05/stock`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(own.status).toBe(200);
    // The log has who created whom, without the password.
    const log = (await t.http("/api/audit-log?limit=20")).body as Array<{
      route: string;
      detail: string | null;
    }>;
    const entry = log.find((e) => e.route === "/api/users");
    expect(entry?.detail).toContain("keeper.k05");
    expect(JSON.stringify(log)).not.toContain(created.body.password);
  });

  it("refuses nonsense with 400 or 409, and anyone but an admin with 403", async () => {
    expect((await t.send("POST", "/api/users", { username: "K!", role: "viewer" })).status).toBe(400);
    expect((await t.send("POST", "/api/users", { username: "nobody.x", role: "keeper" })).status).toBe(400);
    expect((await t.send("POST", "/api/users", { username: "nobody.y", role: "superuser" })).status).toBe(
      400,
    );
    expect((await t.send("POST", "/api/users", { username: "keeper.k05", role: "viewer" })).status).toBe(409);
    for (const user of ["commander", "viewer", "keeper-b01"]) {
      expect((await t.as(user).http("/api/users")).status, user).toBe(403);
      expect(
        (await t.as(user).send("POST", "/api/users", { username: "sneaky", role: "admin" })).status,
        user,
      ).toBe(403);
    }
  });

  it("resets a password and disables a user, ending their sessions at once", async () => {
    const { password } = (await t.send("POST", "/api/users", { username: "viewer.two", role: "viewer" }))
      .body;
    const first = ((await (await login(t, "viewer.two", password)).json()) as { token: string }).token;
    const asFirst = () =>
      fetch(`${t.platform.httpUrl}/api/sites`, { headers: { authorization: `Bearer ${first}` } });
    expect((await asFirst()).status).toBe(200);

    const reset = await t.send("POST", "/api/users/viewer.two/password");
    expect(reset.status).toBe(200);
    expect(reset.body.password).not.toBe(password);
    expect((await asFirst()).status).toBe(401);
    expect((await login(t, "viewer.two", password)).status).toBe(401);
    const second = ((await (await login(t, "viewer.two", reset.body.password)).json()) as { token: string })
      .token;

    const disabled = await t.send("PATCH", "/api/users/viewer.two", { disabled: true });
    expect(disabled.body).toMatchObject({ username: "viewer.two", disabled: true });
    const after = await fetch(`${t.platform.httpUrl}/api/sites`, {
      headers: { authorization: `Bearer ${second}` },
    });
    expect(after.status).toBe(401);
    expect((await login(t, "viewer.two", reset.body.password)).status).toBe(401);
    expect((await t.send("PATCH", "/api/users/nobody", { disabled: true })).status).toBe(404);
  });
});
