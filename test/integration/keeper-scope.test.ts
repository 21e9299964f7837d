import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeSgtin96 } from "../../server/ingest/decoders/epc.ts";
import { isPublicRoute } from "../../server/security/auth.ts";
import { ruleFor } from "../../server/security/policy.ts";
import type { AlertCondition } from "../../server/services/alerts.ts";
import { senmlWeight, startTestPlatform, type TestPlatform, waitFor } from "../helpers/platform.ts";
import { openEventStream, type SseEvent } from "../helpers/sse.ts";

const KEEPER = "keeper-c02";
const MINE = "NX-C02";

/** What belongs to other sites than the keeper's: none of it may appear in anything they read. */
interface Foreign {
  codes: Set<string>;
  devices: Set<string>;
  /** Upper case. */
  epcs: Set<string>;
}

/**
 * Every place another site's code, device id or EPC appears in a value: object keys and string
 * values at any depth, split into tokens (a topic, a message, a CSV line). The one reference a
 * keeper's own rows make to another site is where their stock goes: a rotation line's destination,
 * allowed within that line only.
 */
function leaks(
  value: unknown,
  foreign: Foreign,
  path = "$",
  allowed: ReadonlySet<string> = new Set(),
): string[] {
  if (typeof value === "string") {
    return value
      .split(/[^A-Za-z0-9_-]+/)
      .filter(
        (token) =>
          !allowed.has(token) &&
          (foreign.codes.has(token) || foreign.devices.has(token) || foreign.epcs.has(token.toUpperCase())),
      )
      .map((token) => `${path}: ${token}`);
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => leaks(v, foreign, `${path}[${i}]`, allowed));
  if (value && typeof value === "object") {
    const row = value as Record<string, unknown>;
    const inner =
      row.action === "transfer-to-station" && typeof row.destinationSiteCode === "string"
        ? new Set([...allowed, row.destinationSiteCode])
        : allowed;
    return Object.entries(row).flatMap(([k, v]) => [
      ...leaks(k, foreign, `${path} key`, inner),
      ...leaks(v, foreign, `${path}.${k}`, inner),
    ]);
  }
  return [];
}

/** CSV rows as cells (quoted cells may hold commas and doubled quotes). */
function csvRows(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .filter((line) => line !== "")
    .map((line) => {
      const cells: string[] = [];
      let cell = "";
      let quoted = false;
      for (let i = 0; i < line.length; i += 1) {
        const c = line[i];
        if (quoted && c === '"' && line[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else if (c === '"') quoted = !quoted;
        else if (c === "," && !quoted) {
          cells.push(cell);
          cell = "";
        } else cell += c;
      }
      cells.push(cell);
      return cells;
    });
}

/** A CSV answer as rows keyed by its header, so a rotation row's destination is allowed as in JSON. */
function csvAsRows(text: string): Array<Record<string, string>> {
  const [header, ...rows] = csvRows(text);
  return rows.map((cells) => {
    const row: Record<string, string> = Object.fromEntries((header ?? []).map((h, i) => [h, cells[i] ?? ""]));
    return row.action === "transfer-to-station"
      ? { ...row, destinationSiteCode: row.destination ?? "" }
      : row;
  });
}

describe("a keeper sees only their sites, everywhere", () => {
  let t: TestPlatform;
  let foreign: Foreign;
  let ownAuditId: number;
  /** Conditions added to the alert evaluation: many of other sites, a few of the keeper's. */
  let extraConditions: AlertCondition[] = [];

  const shelfOf = async (deviceId: string) =>
    ((await t.http("/api/devices?kind=shelf")).body as Array<Record<string, any>>).find(
      (d) => d.id === deviceId,
    );
  const putUnits = async (deviceId: string, units: number[], t0: number) => {
    const shelf = await shelfOf(deviceId);
    const topic = `sites/${shelf?.siteCode}/shelf/${deviceId}`;
    for (const [i, n] of units.entries()) {
      await t
        .fleet()
        .publishAsync(topic, senmlWeight(deviceId, shelf?.tareKg + n * shelf?.unitWeightKg, t0 + i), {
          qos: 1,
        });
    }
  };
  const impinjRead = (epcHex: string, at: number) =>
    JSON.stringify({
      timestamp: new Date(at).toISOString(),
      eventType: "tagInventory",
      tagInventoryEvent: { epcHex, antennaPort: 1, peakRssiCdbm: -5000 },
    });
  const zebraRead = (idHex: string, at: number) =>
    JSON.stringify({
      type: "SIMPLE",
      timestamp: new Date(at).toISOString().replace("Z", "+0000"),
      data: { idHex, format: "epc", antenna: 1, peakRssi: -50, eventNum: 1 },
    });
  const hot = (deviceId: string, temp: number, at: number) =>
    JSON.stringify([
      { bn: `urn:dev:env:${deviceId}:`, bt: at, n: "temp", u: "Cel", v: temp },
      { n: "hum", u: "%RH", v: 50 },
    ]);

  beforeAll(async () => {
    t = await startTestPlatform({ env: { ALERT_INTERVAL_MS: "600000" } });
    const fleet = t.fleet();
    const now = Date.now();
    const t0 = Math.floor(now / 1000) - 600;
    // Unknown tags: six read at NX-B01, one at NX-B04, two at the keeper's depot.
    for (let i = 0; i < 6; i += 1) {
      await fleet.publishAsync(
        "sites/NX-B01/rfid/NX-B01-RD1",
        zebraRead(`E2801190A5021F80055817B${i}`, now - 5000 + i),
      );
    }
    await fleet.publishAsync(
      "sites/NX-B04/rfid/NX-B04-RD1",
      impinjRead("E2801190A5021F80055817C9", now - 4000),
    );
    for (let i = 0; i < 2; i += 1) {
      await fleet.publishAsync(
        `sites/${MINE}/rfid/${MINE}-RD1`,
        impinjRead(`E2801190A5021F80055817D${i}`, now - 6000),
      );
    }
    // Registered tags seen at their own (other) site: presence rows of NX-B01.
    for (const epc of (await t.siteTags("NX-B01", "RADIO")).slice(0, 5)) {
      await fleet.publishAsync("sites/NX-B01/rfid/NX-B01-RD1", zebraRead(epc, now - 3000));
    }
    // Excursions (and so quality checks) at NX-B01 and at the keeper's depot.
    for (const device of ["NX-B01-ENV1", `${MINE}-ENV1`]) {
      const site = device.replace(/-ENV1$/, "");
      await fleet.publishAsync(`sites/${site}/env/${device}`, hot(device, 21, t0));
      // Three readings outside the storage conditions: one alone is noise, not an excursion.
      for (const k of [1, 2, 3]) {
        await fleet.publishAsync(`sites/${site}/env/${device}`, hot(device, 45, t0 + 60 * k));
      }
    }
    // Shelf movements at NX-B01 and at the keeper's depot.
    await putUnits("NX-B01-SH1", [10, 10, 7, 7], t0);
    await putUnits(`${MINE}-SH1`, [9, 9, 8, 8], t0);
    await t.drained();
    // An audit elsewhere, and one of the keeper's (its id fills the walk's :id).
    expect((await t.send("POST", "/api/sites/NX-B01/audits", { durationMinutes: 30 })).status).toBe(201);
    const own = await t.as(KEEPER).send("POST", `/api/sites/${MINE}/audits`, { durationMinutes: 30 });
    expect(own.status).toBe(201);
    ownAuditId = own.body.id;
    // More critical alerts elsewhere than any page, newer than the keeper's; a few of the keeper's.
    t.platform.deps.alerts.addSource(() => extraConditions);
    extraConditions = [
      ...Array.from({ length: 30 }, (_, i) => ({
        kind: "device-offline" as const,
        severity: "critical" as const,
        siteCode: i % 2 ? "NX-B01" : "NX-B04",
        subject: `device:${i % 2 ? "NX-B01" : "NX-B04"}-SH1:${i}`,
        message: `${i % 2 ? "NX-B01" : "NX-B04"}-SH1 test ${i}`,
      })),
      { kind: "device-offline", severity: "info", siteCode: MINE, subject: "test:own-1", message: "own 1" },
      { kind: "device-offline", severity: "info", siteCode: MINE, subject: "test:own-2", message: "own 2" },
    ];
    t.platform.deps.alerts.evaluate();

    // What is other sites', from the database itself.
    const sqlite = t.platform.deps.database.sqlite;
    const column = (sql: string) =>
      (sqlite.prepare(sql).pluck().all({ mine: MINE }) as Array<string | null>).filter(
        (v): v is string => v !== null,
      );
    const epcs = new Set(
      [
        ...column("SELECT epc FROM tags WHERE site_code IS NOT @mine"),
        ...column("SELECT epc FROM unknown_tags WHERE site_code <> @mine"),
        ...column("SELECT epc FROM tag_presence WHERE site_code <> @mine OR home_site_code <> @mine"),
      ].map((e) => e.toUpperCase()),
    );
    const ranges = sqlite
      .prepare(
        "SELECT gtin14, company_prefix_digits AS digits, serial_from AS serialFrom, serial_to AS serialTo FROM tag_ranges WHERE site_code IS NOT ?",
      )
      .all(MINE) as Array<{ gtin14: string; digits: number; serialFrom: number; serialTo: number }>;
    for (const r of ranges) {
      for (let s = r.serialFrom; s <= r.serialTo && s < r.serialFrom + 5000; s += 1) {
        epcs.add(encodeSgtin96(r.gtin14, r.digits, s).toUpperCase());
      }
    }
    foreign = {
      codes: new Set(column("SELECT code FROM sites WHERE code <> @mine")),
      devices: new Set(column("SELECT id FROM devices WHERE site_code <> @mine")),
      epcs,
    };
    // The foreign data the walk must not find is there to be found.
    const admin = {
      unknown: (await t.http("/api/tags/unknown")).body.total,
      excursions: (await t.http("/api/excursions?siteCode=NX-B01")).body.length,
      movements: (await t.http("/api/shelf-movements?siteCode=NX-B01")).body.length,
      checks: (await t.http("/api/quality-checks?siteCode=NX-B01")).body.length,
    };
    expect(admin.unknown).toBe(9);
    expect(admin.excursions).toBeGreaterThan(0);
    expect(admin.movements).toBeGreaterThan(0);
    expect(admin.checks).toBeGreaterThan(0);
    expect(foreign.epcs.size).toBeGreaterThan(50);
    expect(foreign.devices.size).toBeGreaterThan(50);
  }, 60_000);
  afterAll(async () => {
    await t.stop();
  });

  /** Values for the path parameters of the routes walked: the keeper's own. */
  const pathValue = (route: string, name: string): string => {
    if (name === "code") return MINE;
    if (route.startsWith("/api/audits/") && name === "id") return String(ownAuditId);
    if (route.startsWith("/api/dispatch-orders/") && name === "id") return "1";
    throw new Error(`the walk has no value for :${name} of ${route}: add one`);
  };
  /** Query parameters a route needs. */
  const QUERY: Record<string, string> = { "/api/readings": `?device=${MINE}-ENV1` };

  it("answers every GET route of the API, the live stream included, to a keeper with nothing of another site", async () => {
    const keeper = t.as(KEEPER);
    const routes = t.platform.app.apiRoutes
      .filter((r) => r.startsWith("GET /api/") && r !== "GET /api/events")
      .map((r) => r.slice(4));
    expect(routes.length).toBeGreaterThan(30);
    const found: string[] = [];
    const walked: string[] = [];
    for (const route of routes) {
      const url =
        route.replace(/:([A-Za-z]+)/g, (_, name: string) => pathValue(route, name)) + (QUERY[route] ?? "");
      for (const variant of [url, ...(route === "/api/alerts" ? [`${url}?includeCleared=true`] : [])]) {
        const { status, body } = await keeper.http(variant);
        const rule = ruleFor("GET", route);
        const allowed = isPublicRoute("GET", route) || rule?.roles.includes("keeper");
        if (status !== (allowed ? 200 : 403)) found.push(`${variant}: status ${status}`);
        const value = typeof body === "string" && /\.csv$/.test(route) ? csvAsRows(body) : body;
        found.push(...leaks(value, foreign, variant));
        if (status === 200) walked.push(variant);
      }
    }
    expect(found).toEqual([]);
    // The walk read the keeper's own data, not empty answers.
    const read = async (path: string) => (await keeper.http(path)).body;
    expect((await read("/api/tags/unknown")).items.map((u: { siteCode: string }) => u.siteCode)).toEqual([
      MINE,
      MINE,
    ]);
    expect((await read("/api/excursions")).length).toBeGreaterThan(0);
    expect((await read("/api/shelf-movements")).length).toBeGreaterThan(0);
    expect((await read("/api/quality-checks")).length).toBeGreaterThan(0);
    expect((await read("/api/devices")).length).toBe(3);
    expect(walked).toContain(`/api/audits/${ownAuditId}/report.csv`);

    // The live stream, while other sites change.
    const keeperStream = await openEventStream(
      `${t.platform.httpUrl}/api/events`,
      await t.as(KEEPER).headers(),
    );
    const adminStream = await openEventStream(`${t.platform.httpUrl}/api/events`, await t.headers());
    try {
      const t0 = Math.floor(Date.now() / 1000);
      // Other sites first: a shelf movement, alerts raised, a dispatch planned.
      await putUnits("NX-B04-SH1", [12, 12, 6, 6], t0);
      await t.drained();
      extraConditions = [
        ...extraConditions,
        {
          kind: "device-offline",
          severity: "warning",
          siteCode: "NX-B04",
          subject: "test:b04",
          message: "NX-B04-RD1 x",
        },
      ];
      t.platform.deps.alerts.evaluate();
      const incident = await t.as("commander").send("POST", "/api/incidents", {
        name: "Stream drill",
        type: "flood",
        lat: 36.02,
        lon: 106.24,
        personnel: 20,
      });
      expect(incident.status).toBe(201);
      // Then the keeper's own: once they arrive, everything before them has been sent too.
      await putUnits(`${MINE}-SH1`, [8, 8, 5, 5], t0);
      await t.drained();
      extraConditions = [
        ...extraConditions,
        { kind: "device-offline", severity: "info", siteCode: MINE, subject: "test:own-3", message: "own 3" },
      ];
      t.platform.deps.alerts.evaluate();
      const seen = (events: SseEvent[], kind: string, site: string) =>
        events.some((e) => e.event === kind && (e.data.siteCode ?? e.data.alert?.siteCode) === site);
      await waitFor(
        () =>
          seen(adminStream.events, "shelf-movement", "NX-B04") &&
          seen(adminStream.events, "stock", "NX-B04") &&
          seen(adminStream.events, "alert", "NX-B04") &&
          adminStream.events.some((e) => e.event === "dispatch")
            ? true
            : undefined,
        "other sites' events on the admin's stream",
      );
      await waitFor(
        () =>
          seen(keeperStream.events, "shelf-movement", MINE) && seen(keeperStream.events, "alert", MINE)
            ? true
            : undefined,
        "the keeper's own events",
      );
      expect(keeperStream.events.some((e) => e.event === "stock")).toBe(true);
      expect(keeperStream.events.filter((e) => e.event === "dispatch")).toEqual([]);
      expect(leaks(keeperStream.events, foreign)).toEqual([]);
      for (const e of keeperStream.events) expect(e.data.siteCode ?? e.data.alert?.siteCode).toBe(MINE);
    } finally {
      keeperStream.close();
      adminStream.close();
    }
  });

  it("gives a keeper the pages and totals of their sites: the answer of naming their site", async () => {
    const keeper = t.as(KEEPER);
    const spec = t.platform.app.swagger() as {
      paths: Record<string, { get?: { parameters?: Array<{ name: string; in: string }> } }>;
    };
    const bySite = Object.entries(spec.paths).flatMap(([path, item]) => {
      const query = (item.get?.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
      const route = path.replace(/\{([A-Za-z]+)\}/g, ":$1");
      return query.includes("siteCode") && ruleFor("GET", route)?.roles.includes("keeper")
        ? [{ route, limit: query.includes("limit") }]
        : [];
    });
    expect(bySite.map((r) => r.route)).toEqual(
      expect.arrayContaining(["/api/alerts", "/api/tags/unknown", "/api/devices", "/api/excursions"]),
    );
    for (const { route, limit } of bySite) {
      for (const page of limit ? ["", "limit=1", "limit=2"] : [""]) {
        const named = await t.http(`${route}?siteCode=${MINE}${page ? `&${page}` : ""}`);
        const scoped = await keeper.http(`${route}${page ? `?${page}` : ""}`);
        expect(named.status, route).toBe(200);
        expect(scoped, `${route}?${page}`).toEqual(named);
      }
    }
    // Most severe first: a page of two is the keeper's, not the newer critical alerts of other sites.
    const page = (await keeper.http("/api/alerts?limit=2")).body as Array<{ siteCode: string }>;
    expect(page).toHaveLength(2);
    expect(page.every((a) => a.siteCode === MINE)).toBe(true);
    const unknown = (await keeper.http("/api/tags/unknown?limit=1")).body;
    expect(unknown).toMatchObject({ total: 2, items: [{ siteCode: MINE }] });
  });
});
