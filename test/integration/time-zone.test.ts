import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { addDays, dayOf, startOfDay } from "../../server/domain/calendar.ts";
import { startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

const BEIJING = "Asia/Shanghai";
const SITE = "NX-C01";
const TYPE = "WATER";

/**
 * A depot's day is a day in Beijing (the default TIME_ZONE): statuses turn at 00:00 Beijing time,
 * which is 16:00 UTC the day before, not at 00:00 UTC (08:00 in Beijing). The server reads its
 * clock with Date.now(); to stand at a chosen instant these tests fake Date only (vi.setSystemTime,
 * timers stay real), since the platform cannot be made to wait until midnight.
 */
describe("calendar days in the deployment's time zone (Beijing)", () => {
  let t: TestPlatform;
  /** Today in Beijing: its midnight has passed, so the sessions opened now are valid then too. */
  let day: string;
  let midnight: number;
  let batchId: number;

  beforeAll(async () => {
    t = await startTestPlatform({ env: { ALERT_INTERVAL_MS: "3600000" } });
    day = dayOf(Date.now(), BEIJING);
    midnight = startOfDay(day, BEIJING);
    // One batch of water that expires today, received at 01:00 Beijing time today (17:00 UTC the day before).
    const { sqlite } = t.platform.deps.database;
    const receivedAt = midnight + 3600_000;
    batchId = Number(
      sqlite
        .prepare(
          `INSERT INTO batches (site_code, item_type_code, lot_code, production_date, expiry_date, received_qty, received_at)
           VALUES (?, ?, 'TZ-1', ?, ?, 7, ?)`,
        )
        .run(SITE, TYPE, addDays(day, -365), day, receivedAt).lastInsertRowid,
    );
    sqlite
      .prepare(
        `INSERT INTO stock_ledger (site_code, item_type_code, batch_id, kind, quantity, occurred_at, actor)
         VALUES (?, ?, ?, 'receipt', 7, ?, 'test')`,
      )
      .run(SITE, TYPE, batchId, receivedAt);
    await t.http("/api/auth/me"); // the admin's session, opened on the real clock
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    await t.stop();
  });

  const at = (ms: number) => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(ms);
  };
  const batchNow = async () =>
    (await t.http(`/api/batches?siteCode=${SITE}&itemTypeCode=${TYPE}`)).body.find(
      (b: { batchId: number }) => b.batchId === batchId,
    );

  it("turns a batch expired at 00:00 Beijing time on its expiry day (16:00 UTC the day before), with today and its receipt day in Beijing (clock faked)", async () => {
    expect(new Date(midnight).toISOString()).toBe(`${addDays(day, -1)}T16:00:00.000Z`);

    at(midnight - 1);
    const before = await batchNow();
    expect(before).toMatchObject({ expiryDate: day, daysToExpiry: 1 });
    expect(before.status).not.toBe("expired");
    expect((await t.http(`/api/rotation/plan?siteCode=${SITE}`)).body.today).toBe(addDays(day, -1));

    at(midnight);
    // In UTC it is still the day before; in Beijing the batch's expiry day has begun.
    expect(new Date().toISOString().slice(0, 10)).toBe(addDays(day, -1));
    const after = await batchNow();
    expect(after).toMatchObject({ status: "expired", daysToExpiry: 0, receivedAt: day });
    const plan = (await t.http(`/api/rotation/plan?siteCode=${SITE}`)).body;
    expect(plan.today).toBe(day);
    expect(plan.lines).toContainEqual(
      expect.objectContaining({ batchId, action: "dispose", status: "expired" }),
    );
  });

  it("raises the expiry alert from 00:00 Beijing time, not from 08:00", async () => {
    const alerts = t.platform.deps.alerts;
    const ofBatch = async () =>
      ((await t.http(`/api/alerts?siteCode=${SITE}`)).body as Array<{ kind: string; subject: string }>)
        .filter((a) => a.subject === `batch:${batchId}`)
        .map((a) => a.kind);
    alerts.evaluate(midnight - 1);
    expect(await ofBatch()).not.toContain("stock-expired");
    alerts.evaluate(midnight);
    expect(await ofBatch()).toEqual(["stock-expired"]);
  });

  it("never plans to send stock that expired at Beijing midnight (clock faked)", () => {
    const dispatch = t.platform.deps.dispatch;
    const sendable = () => dispatch.sources(true).find((s) => s.code === SITE)?.available[TYPE] ?? 0;
    // Whatever else of the type expires today at the depot leaves with this batch's 7 units.
    const expiringToday = t.platform.deps.lifecycle
      .batches({ scope: [SITE], itemTypeCode: TYPE, today: day })
      .filter((b) => b.expiryDate === day)
      .reduce((sum, b) => sum + b.quantity, 0);
    expect(expiringToday).toBeGreaterThanOrEqual(7);
    at(midnight - 1);
    const before = sendable();
    at(midnight);
    const after = sendable();
    expect(before - after).toBe(expiringToday);
  });
});
