import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

describe("HTTP API", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  it("lists sites with code, name, tier, coordinates and parent", async () => {
    const { status, body } = await t.http("/api/sites?tier=county");
    expect(status).toBe(200);
    expect(body).toHaveLength(22);
    expect(body.find((s: { code: string }) => s.code === "NX-K08")).toMatchObject({
      name: "Huinong County Depot",
      tier: "county",
      lat: 39.24,
      lon: 106.776,
      parentCode: "NX-B02",
    });
  });

  it("gives stock per item type with the standard of the site's tier", async () => {
    const { body } = await t.http("/api/sites/NX-C01/stock");
    expect(body.items).toHaveLength(17);
    const helmets = body.items.find((i: { itemTypeCode: string }) => i.itemTypeCode === "HELMET");
    expect(helmets).toMatchObject({ requiredQty: 400, minQty: 240, sensedQty: null, basis: "book" });
    const { sqlite } = t.platform.deps.database;
    const book = sqlite
      .prepare(
        "SELECT sum(quantity) AS n FROM stock_ledger WHERE site_code = 'NX-C01' AND item_type_code = 'HELMET'",
      )
      .get() as { n: number };
    expect(helmets.bookQty).toBe(book.n);
  });

  it("gives every site's overall stock status in one answer, the same as each site's own", async () => {
    const sites = (await t.http("/api/sites")).body as Array<{ code: string }>;
    const { status, body } = await t.http("/api/stock/status");
    expect(status).toBe(200);
    expect(body.map((s: { siteCode: string }) => s.siteCode)).toEqual(sites.map((s) => s.code));
    for (const summary of body) {
      const stock = (await t.http(`/api/sites/${summary.siteCode}/stock`)).body;
      expect(summary).toEqual({ siteCode: stock.siteCode, status: stock.status, counts: stock.counts });
    }
    expect(new Set(body.map((s: { status: string }) => s.status)).size).toBeGreaterThan(1);
  });

  it("sends security headers: no sniffing, no framing, only its own scripts", async () => {
    for (const pathname of ["/", "/api/sites", "/api/nope"]) {
      const response = await fetch(`${t.platform.httpUrl}${pathname}`);
      expect(response.headers.get("x-content-type-options"), pathname).toBe("nosniff");
      expect(response.headers.get("x-frame-options"), pathname).toBe("DENY");
      expect(response.headers.get("referrer-policy"), pathname).toBe("no-referrer");
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp, pathname).toContain("script-src 'self'");
      expect(csp, pathname).toContain("frame-ancestors 'none'");
      expect(csp, pathname).not.toMatch(/script-src[^;]*unsafe/);
    }
    expect((await fetch(`${t.platform.httpUrl}/api/sites`)).headers.get("cache-control")).toBe("no-store");
  });

  it("answers an unknown site or device with 404 and a message", async () => {
    expect(await t.http("/api/sites/NX-NOPE/stock")).toEqual({
      status: 404,
      body: { statusCode: 404, error: "Not Found", message: 'site "NX-NOPE" does not exist' },
    });
    const device = await t.http("/api/readings?device=GHOST-1");
    expect(device.status).toBe(404);
    expect(device.body.message).toBe('device "GHOST-1" is not registered');
    expect((await t.http("/api/nothing-here")).status).toBe(404);
  });

  it("answers a bad query with 400 naming the field", async () => {
    const cases: Array<[string, RegExp]> = [
      ["/api/readings", /querystring must have required property 'device'/],
      ["/api/readings?device=NX-C01-ENV1&from=yesterday", /querystring\/from must match format "date-time"/],
      ["/api/readings?device=NX-C01-ENV1&limit=0", /querystring\/limit must be >= 1/],
      [
        "/api/readings?device=NX-C01-ENV1&from=2026-11-20T00:00:00Z&to=2026-11-19T00:00:00Z",
        /querystring\/from must not be later than querystring\/to/,
      ],
      ["/api/sites?tier=capital", /querystring\/tier/],
      ["/api/devices?kind=camera", /querystring\/kind/],
      ["/api/sites/bad%20code/stock", /params\/code must match pattern/],
    ];
    for (const [url, message] of cases) {
      const { status, body } = await t.http(url);
      expect(status, url).toBe(400);
      expect(body.message, url).toMatch(message);
    }
  });

  it("publishes an OpenAPI document at /docs with every API route", async () => {
    const { status, body } = await t.http("/docs/json");
    expect(status).toBe(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        "/api/health",
        "/api/sites",
        "/api/sites/{code}/stock",
        "/api/catalogue",
        "/api/devices",
        "/api/readings",
        "/api/dead-letters",
      ]),
    );
    expect((await t.http("/docs")).status).toBe(200);
  });

  it("serves the map page and its bundled Leaflet at /", async () => {
    const page = await t.http("/");
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/id="map"/);
    const script = await fetch(`${t.platform.httpUrl}/main.js`);
    expect(script.status).toBe(200);
    expect(await script.text()).toMatch(/Leaflet/);
  });
});
