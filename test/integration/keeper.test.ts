import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, DEFAULT_TIME_ZONE, dayOf, daysBetween } from "../../server/domain/calendar.ts";
import { startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

describe("what a keeper relies on: rotation, audits, readiness, downloads", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ env: { ALERT_INTERVAL_MS: "60000" } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it("shows a batch as due from its trigger date, not the day before, and raises the rotation alert", async () => {
    const batches = (await t.http("/api/batches?siteCode=NX-K02&status=ok")).body;
    const batch = batches.find((b: { rotationDeadline: string | null }) => b.rotationDeadline !== null);
    const dayBefore = addDays(batch.rotationDeadline, -1);
    const statusOn = async (day: string) =>
      (await t.http(`/api/batches?siteCode=NX-K02&asOf=${day}`)).body.find(
        (b: { batchId: number }) => b.batchId === batch.batchId,
      )?.status;
    expect(await statusOn(dayBefore)).toBe("ok");
    expect(await statusOn(batch.rotationDeadline)).toBe("due");

    // Push the batch past its trigger date (as if it had been made earlier): it is due today.
    const today = dayOf(Date.now(), DEFAULT_TIME_ZONE);
    const shift = daysBetween(today, batch.rotationDeadline) + 1;
    t.platform.deps.database.sqlite
      .prepare(
        "UPDATE batches SET production_date = date(production_date, ?), expiry_date = date(expiry_date, ?) WHERE id = ?",
      )
      .run(`-${shift} days`, `-${shift} days`, batch.batchId);
    expect(await statusOn(today)).toBe("due");
    t.platform.deps.alerts.evaluate();
    const alerts = (await t.http("/api/alerts?siteCode=NX-K02")).body;
    expect(alerts).toContainEqual(
      expect.objectContaining({
        kind: "rotation-due",
        subject: `batch:${batch.batchId}`,
        severity: "warning",
      }),
    );
  });

  it("lists each site's batches of a type first-expiry-first-out", async () => {
    const all = (await t.http("/api/batches")).body as Array<{
      siteCode: string;
      itemTypeCode: string;
      expiryDate: string | null;
    }>;
    const groups = new Map<string, string[]>();
    for (const b of all) {
      if (b.expiryDate === null) continue;
      const key = `${b.siteCode}|${b.itemTypeCode}`;
      groups.set(key, [...(groups.get(key) ?? []), b.expiryDate]);
    }
    const multi = [...groups.values()].filter((expiries) => expiries.length > 1);
    expect(multi.length).toBeGreaterThan(10);
    for (const expiries of multi) expect(expiries).toEqual([...expiries].sort());
  });

  it("executes a rotation plan line into the ledger, out of the depot and into the station", async () => {
    const plan = (await t.http("/api/rotation/plan?siteCode=NX-K01")).body;
    const line = plan.lines.find((l: { action: string }) => l.action === "transfer-to-station");
    expect(line).toBeDefined();
    const destinationBefore = await t.stockLine(line.destinationSiteCode, line.itemTypeCode);
    const sourceBefore = await t.stockLine("NX-K01", line.itemTypeCode);
    const done = await t.send("POST", "/api/rotation/execute", {
      ...line,
      reason: "quarterly rotation",
    });
    expect(done.status).toBe(201);
    expect(done.body.ledgerIds).toHaveLength(2);
    expect((await t.stockLine("NX-K01", line.itemTypeCode)).bookQty).toBe(
      sourceBefore.bookQty - line.quantity,
    );
    expect((await t.stockLine(line.destinationSiteCode, line.itemTypeCode)).bookQty).toBe(
      destinationBefore.bookQty + line.quantity,
    );

    const tooMany = await t.send("POST", "/api/rotation/execute", {
      ...line,
      quantity: 100000,
      reason: "x",
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/fewer than the 100000 to rotate/);
    const noDestination = await t.send("POST", "/api/rotation/execute", {
      ...line,
      destinationSiteCode: null,
      reason: "x",
    });
    expect(noDestination.body.message).toBe("body/destinationSiteCode is required for a transfer");
  });

  it("reports exactly the tag hidden from an audit sweep and books the approved adjustment", async () => {
    const radios = await t.siteTags("NX-C02", "RADIO");
    const before = await t.stockLine("NX-C02", "RADIO");
    expect(radios).toHaveLength(before.bookQty);

    const started = await t.send("POST", "/api/sites/NX-C02/audits", { durationMinutes: 30 });
    expect(started.status).toBe(201);
    const hidden = radios[17] as string;
    const client = t.fleet();
    for (const sweep of [0, 1]) {
      for (const epc of radios) {
        if (epc === hidden) continue;
        const event = {
          timestamp: new Date(Date.now() + sweep).toISOString(),
          eventType: "tagInventory",
          tagInventoryEvent: { epcHex: epc, antennaPort: 1, peakRssiCdbm: -5500 },
        };
        await client.publishAsync("sites/NX-C02/rfid/NX-C02-RD1", JSON.stringify(event), { qos: 1 });
      }
    }
    await t.drained();

    const live = (await t.http(`/api/audits/${started.body.id}`)).body;
    expect(live.audit.state).toBe("open");
    expect(live.findings.missingTags).toEqual([{ epc: hidden, itemTypeCode: "RADIO", units: 1 }]);
    expect(live.findings.unexpectedTags).toEqual([]);
    expect(live.findings.mismatches).toContainEqual({
      itemTypeCode: "RADIO",
      bookQty: before.bookQty,
      countedQty: before.bookQty - 1,
      difference: -1,
    });

    const closed = await t.send("POST", `/api/audits/${started.body.id}/close`);
    expect(closed.body.audit.state).toBe("closed");
    expect((await t.http("/api/alerts?siteCode=NX-C02")).body).toContainEqual(
      expect.objectContaining({ kind: "audit-discrepancy", subject: `audit:${started.body.id}` }),
    );
    const report = await fetch(`${t.platform.httpUrl}/api/audits/${started.body.id}/report.csv`, {
      headers: await t.headers(),
    });
    expect(report.headers.get("content-type")).toMatch(/text\/csv/);
    expect(await report.text()).toContain(`missing tag,RADIO,${hidden},,,-1`);

    // Approved by another person than the one who started it.
    const approved = await t.as("keeper-c02").send("POST", `/api/audits/${started.body.id}/approve`, {
      reason: "radio not found in the sweep",
    });
    expect(approved.status).toBe(200);
    expect(approved.body.audit).toMatchObject({ state: "approved", approvedBy: "keeper-c02" });
    const entry = t.platform.deps.database.sqlite
      .prepare("SELECT kind, quantity, actor, note, reference FROM stock_ledger WHERE id = ?")
      .get(approved.body.ledgerIds.at(-1));
    expect(entry).toMatchObject({
      kind: "adjustment",
      actor: "keeper-c02",
      note: "radio not found in the sweep",
      reference: `audit:${started.body.id}`,
    });
    expect((await t.stockLine("NX-C02", "RADIO")).bookQty).toBe(before.bookQty - 1);
    expect((await t.send("POST", `/api/audits/${started.body.id}/approve`, { reason: "again" })).status).toBe(
      400,
    );
  });

  it("counts how many people can be equipped, near a point and in the region, and says what limits it", async () => {
    const { body } = await t.http("/api/readiness?lat=38.487&lon=106.231&radiusKm=50");
    expect(body.target).toBe(2000);
    expect(body.region.people).toBe(
      Math.min(...body.region.perItem.map((i: { people: number }) => i.people)),
    );
    expect(body.region.limitingItemTypes.length).toBeGreaterThan(0);
    expect(body.nearby.sites[0]).toEqual({ siteCode: "NX-C01", distanceKm: 0 });
    expect(body.nearby.sites.every((s: { distanceKm: number }) => s.distanceKm <= 50)).toBe(true);
    expect(body.nearby.readiness.people).toBeLessThanOrEqual(body.region.people);
    // Every site of the police's own tiers; none equips more people than all of them together.
    expect(body.sites).toHaveLength(2 + 4 + 22 + 24);
    expect(Math.max(...body.sites.map((s: { people: number }) => s.people))).toBeLessThanOrEqual(
      body.region.people,
    );
    expect((await t.http("/api/readiness?lat=38")).body.message).toBe(
      "querystring/lat and querystring/lon go together",
    );
  });

  it("holds reserved stock out of what is available", async () => {
    const before = await t.stockLine("NX-K03", "HELMET");
    t.platform.deps.database.sqlite
      .prepare(
        "INSERT INTO reservations (site_code, item_type_code, quantity, reference) VALUES ('NX-K03', 'HELMET', 5, 'dispatch:test')",
      )
      .run();
    expect(await t.stockLine("NX-K03", "HELMET")).toMatchObject({
      reservedQty: 5,
      availableQty: Math.max(0, before.onHandQty - 5),
      onHandQty: before.onHandQty,
    });
  });

  it("rolls stock up by tier and for the region, and downloads a site's stock as CSV", async () => {
    const tiers = (await t.http("/api/stock/rollup?by=tier")).body;
    expect(tiers.map((g: { key: string }) => g.key)).toEqual(["branch", "central", "county", "station"]);
    const [region] = (await t.http("/api/stock/rollup?by=region")).body;
    const helmets = region.items.find((i: { itemTypeCode: string }) => i.itemTypeCode === "HELMET");
    const byTier = tiers.map(
      (g: { items: Array<{ itemTypeCode: string; bookQty: number }> }) =>
        g.items.find((i) => i.itemTypeCode === "HELMET")?.bookQty ?? 0,
    );
    expect(helmets.bookQty).toBe(byTier.reduce((a: number, b: number) => a + b, 0));

    const csv = await fetch(`${t.platform.httpUrl}/api/sites/NX-K04/stock.csv`, {
      headers: await t.headers(),
    });
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe(
      "site,item_type,name,unit,book,sensed,on_hand,basis,reserved,available,required,minimum,status",
    );
    expect(lines).toHaveLength(1 + (await t.http("/api/sites/NX-K04/stock")).body.items.length);
  });
});

describe("thresholds per item type", () => {
  it("changes an item type's over factor and rotation rule, and refuses nonsense with the field named", async () => {
    const t = await startTestPlatform();
    try {
      const patch = (code: string, body: unknown) =>
        t.send("PATCH", `/api/catalogue/item-types/${code}`, body);
      const line = await t.stockLine("NX-C01", "HELMET");
      const factor = Math.max(1, (line.availableQty - 1) / line.requiredQty);
      const changed = await patch("HELMET", { overFactor: factor });
      expect(changed).toMatchObject({ status: 200, body: { code: "HELMET", overFactor: factor } });
      expect((await t.stockLine("NX-C01", "HELMET")).status).toBe(
        line.availableQty > line.requiredQty * factor ? "over" : line.status,
      );

      expect((await patch("WATER", { rotationProportion: 0 })).body.message).toMatch(
        /body\/rotationProportion must be > 0/,
      );
      expect((await patch("WATER", { storageMinTempC: 40 })).body.message).toBe(
        "body/storageMinTempC must not be above body/storageMaxTempC",
      );
      expect((await patch("WATER", { colour: "blue" })).status).toBe(400);
      expect((await patch("NOPE", { overFactor: 2 })).status).toBe(404);
    } finally {
      await t.stop();
    }
  });
});
