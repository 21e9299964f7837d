import { describe, expect, it } from "vitest";
import { applyAlertChange, sortAlerts } from "../../../web/src/alerts.ts";
import type { Alert, Batch } from "../../../web/src/api-types.ts";
import { daysBetween, deadlineTasks } from "../../../web/src/views/deadlines.ts";

const alert = (
  id: number,
  severity: Alert["severity"],
  firstSeenAt: string,
  extra: Partial<Alert> = {},
): Alert => ({
  id,
  kind: "stock-low",
  severity,
  siteCode: "NX-B01",
  subject: `item:X${id}`,
  message: "m",
  firstSeenAt,
  lastSeenAt: firstSeenAt,
  clearedAt: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  ...extra,
});

describe("alert list", () => {
  it("puts the most severe first, then the newest", () => {
    const list = sortAlerts([
      alert(1, "warning", "2026-11-01T00:00:00Z"),
      alert(2, "critical", "2026-10-01T00:00:00Z"),
      alert(3, "warning", "2026-11-20T00:00:00Z"),
      alert(4, "info", "2026-11-22T00:00:00Z"),
      alert(5, "critical", "2026-11-02T00:00:00Z"),
    ]);
    expect(list.map((a) => a.id)).toEqual([5, 2, 3, 1, 4]);
  });

  it("adds raised alerts, replaces acknowledged ones and drops cleared ones", () => {
    let list = [alert(1, "warning", "2026-11-01T00:00:00Z")];
    list = applyAlertChange(list, "raised", alert(2, "critical", "2026-11-02T00:00:00Z"));
    expect(list.map((a) => a.id)).toEqual([2, 1]);
    list = applyAlertChange(
      list,
      "acknowledged",
      alert(1, "warning", "2026-11-01T00:00:00Z", {
        acknowledgedBy: "keeper",
        acknowledgedAt: "2026-11-03T00:00:00Z",
      }),
    );
    expect(list).toHaveLength(2);
    expect(list.find((a) => a.id === 1)?.acknowledgedBy).toBe("keeper");
    const cleared = alert(2, "critical", "2026-11-02T00:00:00Z", { clearedAt: "2026-11-04T00:00:00Z" });
    list = applyAlertChange(list, "cleared", cleared);
    expect(list.map((a) => a.id)).toEqual([1]);
  });
});

const batch = (batchId: number, extra: Partial<Batch>): Batch => ({
  batchId,
  siteCode: "NX-B01",
  itemTypeCode: "WATER",
  itemTypeName: "Water",
  lotCode: `L${batchId}`,
  quantity: 10,
  productionDate: "2025-01-01",
  receivedAt: "2025-01-02",
  expiryDate: null,
  rotationDeadline: null,
  endOfLife: null,
  daysToExpiry: null,
  nextInspection: null,
  nextMaintenance: null,
  status: "ok",
  qualityCheckPending: false,
  ...extra,
});

describe("deadlines", () => {
  it("lists rotation, expiry, scrap, inspection and maintenance, nearest first, undated last", () => {
    const tasks = deadlineTasks([
      batch(1, { status: "ok", expiryDate: "2027-01-01" }),
      batch(2, {
        status: "due",
        expiryDate: "2027-03-01",
        endOfLife: "2027-03-01",
        rotationDeadline: "2026-11-01",
      }),
      batch(3, { status: "expired", expiryDate: "2026-10-01", endOfLife: "2026-10-01" }),
      batch(4, {
        status: "overdue",
        expiryDate: null,
        endOfLife: "2026-12-24",
        nextInspection: "2026-11-30",
      }),
      batch(5, { status: "ok", nextMaintenance: "2026-12-01" }),
      batch(6, { status: "due", expiryDate: null, endOfLife: null }),
    ]);
    expect(tasks.map((t) => [t.kind, t.batch.batchId, t.deadline])).toEqual([
      ["expired", 3, "2026-10-01"],
      ["inspection", 4, "2026-11-30"],
      ["maintenance", 5, "2026-12-01"],
      ["scrap", 4, "2026-12-24"],
      ["rotation", 2, "2027-03-01"],
      ["scrap", 6, null],
    ]);
  });

  it("counts whole days between calendar dates, across a month end and backwards", () => {
    expect(daysBetween("2026-11-23", "2026-12-01")).toBe(8);
    expect(daysBetween("2026-12-01", "2026-11-23")).toBe(-8);
    expect(daysBetween("2026-03-28", "2026-03-30")).toBe(2);
  });
});
