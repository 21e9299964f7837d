import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppDatabase, openDatabase } from "../../server/db/database.ts";
import { loadDemoNetwork } from "../../server/db/seed.ts";
import { seededRandom } from "../../server/domain/random.ts";
import { EventBus, type PlatformEvents } from "../../server/events.ts";
import { type AlertCondition, AlertService } from "../../server/services/alerts.ts";
import { LifecycleService } from "../../server/services/lifecycle.ts";
import { ReferenceService } from "../../server/services/reference.ts";
import { StockService } from "../../server/services/stock.ts";

/**
 * Alert evaluation reads every site's stock and every batch's lifecycle at once (set-based queries,
 * cached lifecycles). These pin it to the per-site and per-batch views the API shows, on the demo
 * network with sensed, tagged, reserved and serviced stock added.
 */
describe("alert evaluation", () => {
  let dataDir: string;
  let database: AppDatabase;
  let reference: ReferenceService;
  let stock: StockService;
  let lifecycle: LifecycleService;
  const today = "2026-03-02";

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alert-evaluation-"));
    database = openDatabase(dataDir);
    loadDemoNetwork(database, { now: new Date("2026-03-01T00:00:00Z"), seed: 20261123 });
    addSensedAndMovedStock(database);
    reference = new ReferenceService(database.db);
    stock = new StockService(database, reference);
    lifecycle = new LifecycleService(database, reference);
  });
  afterAll(() => {
    database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("judges every site's stock as the stock of each site does", () => {
    const each = reference.listSites().map((site) => stock.forSite(site.code));
    const lines = each.flatMap((site) => site.items);
    // The fixture reaches every way of judging stock.
    for (const basis of ["book", "sensed", "reconciled"])
      expect(lines.some((l) => l.basis === basis)).toBe(true);
    for (const status of ["ok", "low", "critical", "over"])
      expect(lines.some((l) => l.status === status)).toBe(true);
    expect(lines.some((l) => l.reservedQty > 0)).toBe(true);
    expect(stock.forAllSites()).toEqual(each);
  });

  it("raises lifecycle conditions for exactly the batches the batch views flag, in their order", () => {
    const check = (day: string) => {
      const expected = conditionsOfViews(lifecycle, day);
      expect(lifecycle.alertConditions(day)).toEqual(expected);
      return expected;
    };
    const now = check(today);
    expect(new Set(now.map((c) => c.kind))).toEqual(
      new Set(["stock-expired", "rotation-overdue", "rotation-due"]),
    );
    check(today); // from the cache
    check("2027-06-30");
    check(today);

    const sqlite = database.sqlite;
    const flagged = now[0];
    const batchId = Number(flagged?.subject.replace("batch:", ""));
    // Whatever a batch's lifecycle depends on changes it, even written behind the services' back.
    sqlite.prepare("UPDATE batches SET expiry_date = '2030-01-01' WHERE id = ?").run(batchId);
    expect(check(today).some((c) => c.subject === flagged?.subject)).toBe(false);
    sqlite
      .prepare("UPDATE batches SET expiry_date = NULL, production_date = '2025-01-01' WHERE id = ?")
      .run(batchId);
    check(today);
    const durable = sqlite
      .prepare(
        `SELECT b.id FROM batches b JOIN item_types t ON t.code = b.item_type_code
         WHERE t.lifecycle = 'durable' AND t.inspection_interval_days IS NOT NULL LIMIT 1`,
      )
      .get() as { id: number } | undefined;
    if (durable) {
      lifecycle.recordService({
        batchId: durable.id,
        kind: "inspection",
        performedOn: "2026-02-01",
        by: "t",
      });
      check(today);
    }
    sqlite.prepare("UPDATE item_types SET rotation_trigger_days = 400").run();
    check(today);
    sqlite.prepare("UPDATE item_types SET service_life_days = 30 WHERE lifecycle = 'durable'").run();
    check(today);
    // On hand changes the message and, at zero, removes the batch.
    const site = flagged?.siteCode ?? "";
    sqlite
      .prepare(
        "INSERT INTO stock_ledger (site_code, item_type_code, batch_id, kind, quantity, occurred_at) SELECT ?, item_type_code, id, 'adjustment', -1, 1 FROM batches WHERE id = ?",
      )
      .run(site, batchId);
    check(today);

    // A date that does not parse fails the evaluation as it fails the batch views: when on hand.
    const empty = sqlite
      .prepare(`INSERT INTO batches (site_code, item_type_code, lot_code, production_date, expiry_date, received_qty, received_at)
         SELECT site_code, item_type_code, 'BAD', '2025-02-30', '2025-02-30', 1, received_at FROM batches WHERE id = ?`)
      .run(batchId);
    check(today);
    sqlite
      .prepare(
        "INSERT INTO stock_ledger (site_code, item_type_code, batch_id, kind, quantity, occurred_at) SELECT ?, item_type_code, id, 'adjustment', 1, 1 FROM batches WHERE id = ?",
      )
      .run(site, empty.lastInsertRowid);
    expect(() => lifecycle.batches({ scope: null, today })).toThrow(/not a calendar date/);
    expect(() => lifecycle.alertConditions(today)).toThrow(/not a calendar date/);
    sqlite
      .prepare("UPDATE batches SET production_date = '2025-02-28', expiry_date = '2027-02-28' WHERE id = ?")
      .run(empty.lastInsertRowid);
    check(today);
  });

  it("raises a new condition, refreshes one that holds (keeping its acknowledgement), clears one that is gone", () => {
    const events = new EventBus();
    const changes: Array<PlatformEvents["alert.changed"]> = [];
    events.on("alert.changed", (e) => changes.push(e));
    const alerts = new AlertService({ database, events, stock, reference });
    let extra: AlertCondition[] = [];
    alerts.addSource(() => extra);
    const mine = () =>
      alerts
        .list({ scope: null, includeCleared: true, limit: 100_000 })
        .filter((a) => a.subject.startsWith("test:"))
        .sort((a, b) => a.id - b.id);
    const condition = (subject: string, message: string, severity: AlertCondition["severity"] = "warning") =>
      ({ kind: "audit-discrepancy", severity, siteCode: "NX-B01", subject, message }) as const;

    const first = alerts.evaluate(1_000);
    expect(first.raised).toBeGreaterThan(0);
    const open = alerts.list({ scope: null, limit: 100_000 });
    expect(open.every((a) => a.firstSeenAt === 1_000 && a.lastSeenAt === 1_000)).toBe(true);
    expect(alerts.evaluate(2_000)).toEqual({ raised: 0, cleared: 0 });
    expect(
      alerts.list({ scope: null, limit: 100_000 }).map((a) => [a.id, a.firstSeenAt, a.lastSeenAt]),
    ).toEqual(open.map((a) => [a.id, 1_000, 2_000]));

    changes.length = 0;
    extra = [condition("test:a", "one"), condition("test:b", "two")];
    expect(alerts.evaluate(3_000)).toEqual({ raised: 2, cleared: 0 });
    const [a, b] = mine();
    expect(changes.map((c) => [c.change, c.alert.subject, c.alert.id])).toEqual([
      ["raised", "test:a", a?.id],
      ["raised", "test:b", b?.id],
    ]);
    alerts.acknowledge(a?.id ?? 0, "keeper", 3_500);

    changes.length = 0;
    extra = [condition("test:a", "one, worse", "critical")];
    expect(alerts.evaluate(4_000)).toEqual({ raised: 0, cleared: 1 });
    expect(mine()).toEqual([
      {
        ...a,
        severity: "critical",
        message: "one, worse",
        lastSeenAt: 4_000,
        acknowledgedAt: 3_500,
        acknowledgedBy: "keeper",
      },
      { ...b, clearedAt: 4_000 },
    ]);
    expect(changes).toEqual([{ change: "cleared", alert: { ...b, clearedAt: 4_000 } }]);

    extra = [condition("test:b", "two")];
    expect(alerts.evaluate(5_000)).toEqual({ raised: 1, cleared: 1 });
    const [a2, b1, b2] = mine();
    expect(a2).toMatchObject({ clearedAt: 5_000, lastSeenAt: 4_000 });
    expect(b1).toEqual({ ...b, clearedAt: 4_000 });
    expect(b2).toMatchObject({ subject: "test:b", firstSeenAt: 5_000, lastSeenAt: 5_000, clearedAt: null });
  });
});

/** The lifecycle conditions as they were first written: from the batch views of the whole network. */
function conditionsOfViews(lifecycle: LifecycleService, today: string): AlertCondition[] {
  const conditions: AlertCondition[] = [];
  for (const b of lifecycle.batches({ scope: null, today })) {
    if (b.status === "ok") continue;
    const subject = `batch:${b.batchId}`;
    const what = `${b.itemTypeName} lot ${b.lotCode} (${b.quantity})`;
    if (b.status === "expired") {
      conditions.push({
        kind: "stock-expired",
        severity: "critical",
        siteCode: b.siteCode,
        subject,
        message: `${what} ${b.expiryDate ? `expired on ${b.expiryDate}` : `reached the end of its service life on ${b.endOfLife}`}`,
      });
    } else {
      conditions.push({
        kind: b.status === "overdue" ? "rotation-overdue" : "rotation-due",
        severity: b.status === "overdue" ? "critical" : "warning",
        siteCode: b.siteCode,
        subject,
        message:
          b.rotationDeadline !== null
            ? `${what} due for rotation since ${b.rotationDeadline} (expires ${b.expiryDate})`
            : `${what} reaches the end of its service life on ${b.endOfLife}`,
      });
    }
  }
  return conditions;
}

/** Shelf readings, tags registered and seen (some elsewhere or in transit), reservations, stock moved. */
function addSensedAndMovedStock(database: AppDatabase): void {
  const sqlite = database.sqlite;
  const random = seededRandom(7);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const sites = (sqlite.prepare("SELECT code FROM sites ORDER BY code").pluck().all() as string[]).slice(
    0,
    20,
  );
  const types = (sqlite.prepare("SELECT code FROM item_types ORDER BY code").pluck().all() as string[]).slice(
    0,
    6,
  );
  sqlite.transaction(() => {
    const shelves = sqlite
      .prepare("SELECT device_id FROM shelves ORDER BY device_id")
      .pluck()
      .all() as string[];
    const shelf = sqlite.prepare(
      "INSERT INTO shelf_state (device_id, weight_kg, units, reading_at, journal_id) VALUES (?, 20, ?, 1, ?)",
    );
    shelves.forEach((deviceId, i) => {
      if (i % 3 !== 0) shelf.run(deviceId, Math.floor(random() * 40), i + 1);
    });
    const tag = sqlite.prepare(
      "INSERT INTO tags (epc, item_type_code, site_code, units) VALUES (?, ?, ?, ?)",
    );
    for (let i = 0; i < 200; i += 1) {
      tag.run(`T${i}`, pick(types), random() < 0.1 ? null : pick(sites), 1 + Math.floor(random() * 2));
    }
    const presence = sqlite.prepare(
      `INSERT INTO tag_presence (epc, site_code, zone, item_type_code, units, home_site_code, present, in_transit_from,
         first_seen_at, last_seen_at) VALUES (?, ?, 'z', ?, ?, ?, ?, ?, 1, 2)`,
    );
    for (let i = 0; i < 600; i += 1) {
      const site = pick(sites);
      const home = random() < 0.1 ? null : random() < 0.8 ? site : pick(sites);
      const present = random() < 0.8 ? 1 : 0;
      const transit = !present && random() < 0.5 ? pick(sites) : null;
      presence.run(`T${i}`, site, pick(types), 1 + Math.floor(random() * 3), home, present, transit);
    }
    const reserve = sqlite.prepare(
      "INSERT INTO reservations (site_code, item_type_code, quantity, reference, released_at) VALUES (?, ?, ?, 'r', ?)",
    );
    for (let i = 0; i < 150; i += 1) {
      reserve.run(pick(sites), pick(types), 1 + Math.floor(random() * 30), random() < 0.3 ? 5 : null);
    }
    const held = sqlite
      .prepare("SELECT site_code, item_type_code, batch_id FROM stock_ledger ORDER BY id")
      .all() as Array<{
      site_code: string;
      item_type_code: string;
      batch_id: number;
    }>;
    const move = sqlite.prepare(
      "INSERT INTO stock_ledger (site_code, item_type_code, batch_id, kind, quantity, occurred_at) VALUES (?, ?, ?, 'adjustment', ?, 1)",
    );
    for (let i = 0; i < 400; i += 1) {
      const entry = pick(held);
      const site = random() < 0.8 ? entry.site_code : pick(sites);
      move.run(
        site,
        entry.item_type_code,
        entry.batch_id,
        -Math.floor(random() * 20) + (random() < 0.2 ? 30 : 0),
      );
    }
  })();
}
