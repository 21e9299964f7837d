import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPublicRoute } from "../../server/security/auth.ts";
import { POLICY, ruleFor } from "../../server/security/policy.ts";
import { startTestPlatform, type TestPlatform, waitFor } from "../helpers/platform.ts";
import { openEventStream } from "../helpers/sse.ts";

describe("roles and a keeper's sites", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  it("has an access policy for every /api route, and says how a keeper is confined on each it allows", () => {
    const routes = t.platform.app.apiRoutes.filter((r) => r.split(" ")[1]?.startsWith("/api"));
    expect(routes.length).toBeGreaterThan(50);
    const missing = routes.filter((r) => {
      const [method, url] = r.split(" ") as [string, string];
      return !isPublicRoute(method, url) && ruleFor(method, url) === undefined;
    });
    expect(missing).toEqual([]);
    for (const [route, rule] of Object.entries(POLICY)) {
      if (rule.roles.includes("keeper")) {
        expect(rule.sites !== undefined || rule.scoped === true || rule.siteFree === true, route).toBe(true);
      }
    }
  });

  it("refuses a keeper another site's stock and a nonexistent site with the same 403", async () => {
    const keeper = t.as("keeper-b01");
    expect((await keeper.http("/api/sites/NX-B01/stock")).status).toBe(200);
    expect((await keeper.http("/api/sites/NX-K01/stock")).status).toBe(200);
    const foreign = await keeper.http("/api/sites/NX-C02/stock");
    const nowhere = await keeper.http("/api/sites/NX-NOPE/stock");
    expect(foreign.status).toBe(403);
    expect(nowhere).toEqual(foreign);
    expect(foreign.body.message).not.toMatch(/NX-C02|exist/);
    expect((await keeper.http("/api/alerts?siteCode=NX-C02")).status).toBe(403);
    expect((await keeper.http("/api/readings?device=NX-C02-SH1")).status).toBe(403);
    expect((await keeper.http("/api/readings?device=NX-K01-SH1")).status).toBe(200);
  });

  it("scopes a keeper's lists to their sites and refuses them region-wide views", async () => {
    const keeper = t.as("keeper-b01");
    const mine = new Set(["NX-B01", "NX-K01"]);
    const sites = (await keeper.http("/api/sites")).body as Array<{ code: string }>;
    expect(new Set(sites.map((s) => s.code))).toEqual(mine);
    for (const list of ["/api/devices", "/api/stock/status", "/api/alerts", "/api/batches", "/api/audits"]) {
      const { status, body } = await keeper.http(list);
      expect(status, list).toBe(200);
      for (const row of body as Array<{ siteCode: string }>) expect(mine.has(row.siteCode), list).toBe(true);
    }
    expect(((await keeper.http("/api/devices")).body as unknown[]).length).toBeGreaterThan(0);
    expect(((await t.http("/api/sites")).body as unknown[]).length).toBeGreaterThan(2);
    const tags = (await keeper.http("/api/tags")).body as { ranges: Array<{ siteCode: string | null }> };
    for (const r of tags.ranges) expect(mine.has(r.siteCode as string)).toBe(true);
    for (const path of ["/api/coverage", "/api/readiness", "/api/stock/rollup", "/api/dispatch-orders"]) {
      expect((await keeper.http(path)).status, path).toBe(403);
    }
  });

  it("lets a viewer read but not change anything", async () => {
    const viewer = t.as("viewer");
    expect((await viewer.http("/api/sites/NX-C02/stock")).status).toBe(200);
    const refused = await viewer.send("POST", "/api/sites/NX-C02/audits", {});
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe("a viewer may not do this");
  });

  it("lets a commander plan an incident but not change the catalogue; an admin may", async () => {
    const commander = t.as("commander");
    const incident = await commander.send("POST", "/api/incidents", {
      name: "Flood drill",
      type: "flood",
      lat: 38.021,
      lon: 106.075,
      personnel: 10,
    });
    expect(incident.status).toBe(201);
    const row = t.platform.deps.database.sqlite
      .prepare("SELECT created_by FROM incidents WHERE id = ?")
      .get(incident.body.incidentId) as { created_by: string };
    expect(row.created_by).toBe("commander");
    expect(
      (await commander.send("PATCH", "/api/catalogue/item-types/HELMET", { overFactor: 3 })).status,
    ).toBe(403);
    expect((await t.send("PATCH", "/api/catalogue/item-types/HELMET", { overFactor: 3 })).status).toBe(200);
  });

  it("records the session's user as who made a change, and refuses a body that names one", async () => {
    const keeper = t.as("keeper-c02");
    const named = await keeper.send("POST", "/api/sites/NX-C02/audits", { by: "mallory" });
    expect(named).toMatchObject({ status: 400, body: { message: "body/by is not a field of this request" } });
    const started = await keeper.send("POST", "/api/sites/NX-C02/audits", {});
    expect(started.status).toBe(201);
    expect(started.body.startedBy).toBe("keeper-c02");
    const closed = await keeper.send("POST", `/api/audits/${started.body.id}/close`, {});
    expect(closed.status).toBe(200);
    expect((await t.as("keeper-b01").http(`/api/audits/${started.body.id}`)).status).toBe(403);
    expect((await t.as("keeper-b01").http("/api/audits/999999")).status).toBe(403);
    // No request body of the API has a `by`, and every one behind a session refuses fields it
    // does not have (a broker's and a login's are checked by their own credentials).
    const spec = t.platform.app.swagger() as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: any }> } }>>;
    };
    const bodies = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods).flatMap(([method, op]) => {
        const schema = op.requestBody?.content["application/json"]?.schema;
        const url = path.replace(/\{([A-Za-z]+)\}/g, ":$1");
        const object = [schema?.type].flat().includes("object");
        return object ? [{ method: method.toUpperCase(), url, schema }] : [];
      }),
    );
    expect(bodies.length).toBeGreaterThan(15);
    for (const { method, url, schema } of bodies) {
      expect(Object.keys(schema.properties ?? {}), `${method} ${url}`).not.toContain("by");
      if (!isPublicRoute(method, url)) expect(schema.additionalProperties, `${method} ${url}`).toBe(false);
    }
  });

  it("streams a keeper only the events of their sites", async () => {
    const keeperStream = await openEventStream(
      `${t.platform.httpUrl}/api/events`,
      await t.as("keeper-b01").headers(),
    );
    const adminStream = await openEventStream(`${t.platform.httpUrl}/api/events`, await t.headers());
    try {
      t.platform.deps.events.emit("stock.changed", { siteCode: "NX-C02", itemTypeCode: "HELMET" });
      t.platform.deps.events.emit("stock.changed", { siteCode: "NX-K01", itemTypeCode: "HELMET" });
      await waitFor(() => (adminStream.events.length >= 2 ? true : undefined), "admin events");
      await waitFor(() => (keeperStream.events.length >= 1 ? true : undefined), "keeper event");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(adminStream.events.map((e) => e.data.siteCode)).toEqual(["NX-C02", "NX-K01"]);
      expect(keeperStream.events.map((e) => e.data.siteCode)).toEqual(["NX-K01"]);
    } finally {
      keeperStream.close();
      adminStream.close();
    }
  });
});
