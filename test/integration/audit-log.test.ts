import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

describe("audit log", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  it("records changes done and refused, with actor, role, ip and site; passwords redacted; admins read it", async () => {
    const started = await t
      .as("keeper-c02")
      .send("POST", "/api/sites/NX-C02/audits", { durationMinutes: 45 });
    expect(started.status).toBe(201);
    expect((await t.as("viewer").send("POST", "/api/sites/NX-C02/audits", {})).status).toBe(403);
    await fetch(`${t.platform.httpUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "viewer", password: "not-the-password" }),
    });
    // Reads are not logged.
    await t.as("keeper-c02").http("/api/sites/NX-C02/stock");

    const mine = await t.http("/api/audit-log?actor=keeper-c02");
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual([
      expect.objectContaining({
        actor: "keeper-c02",
        role: "keeper",
        ip: "127.0.0.1",
        method: "POST",
        route: "/api/sites/:code/audits",
        siteCode: "NX-C02",
        statusCode: 201,
        detail: expect.stringContaining('"durationMinutes":45'),
      }),
    ]);
    const all = (await t.http("/api/audit-log?limit=3")).body as Array<{
      actor: string;
      route: string;
      statusCode: number;
      detail: string;
    }>;
    // Newest first: the failed login, the viewer's refused change, the keeper's audit.
    expect(all.map((e) => [e.actor, e.route, e.statusCode])).toEqual([
      ["viewer", "/api/auth/login", 401],
      ["viewer", "/api/sites/:code/audits", 403],
      ["keeper-c02", "/api/sites/:code/audits", 201],
    ]);
    expect(all[0]?.detail).toBe(JSON.stringify({ username: "viewer", password: "[redacted]" }));
    expect((await t.http("/api/audit-log?siteCode=NX-C02&limit=10")).body.length).toBe(2);
    expect((await t.http("/api/audit-log?limit=1&offset=2")).body[0].actor).toBe("keeper-c02");

    for (const user of ["commander", "keeper-c02", "viewer"]) {
      expect((await t.as(user).http("/api/audit-log")).status, user).toBe(403);
    }
    expect((await t.send("DELETE", "/api/audit-log")).status).toBe(404);
  });
});
