import type { AppDatabase } from "../db/database.ts";
import type { AlertKind } from "../db/schema.ts";
import { NotFoundError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import type { ReferenceService } from "./reference.ts";
import { type SiteScope, whereWith } from "./site-scope.ts";
import type { StockService } from "./stock.ts";

export type AlertSeverity = "info" | "warning" | "critical";

/** A condition that holds now; the alert table follows the set of these. */
export interface AlertCondition {
  kind: AlertKind;
  severity: AlertSeverity;
  siteCode: string;
  subject: string;
  message: string;
}

/** Something else that can say which conditions hold (rotation, audits), so this file stays one place. */
export type ConditionSource = (now: number) => AlertCondition[];

export interface AlertPolicy {
  /** A device that has reported before and has been silent this long is offline. */
  deviceSilentAfterMs: number;
  /** Unknown tags read within this window raise an alert. */
  unknownTagWindowMs: number;
}

export const DEFAULT_ALERT_POLICY: AlertPolicy = {
  deviceSilentAfterMs: 15 * 60 * 1000,
  unknownTagWindowMs: 24 * 3600 * 1000,
};

export interface AlertRow {
  id: number;
  kind: AlertKind;
  severity: AlertSeverity;
  siteCode: string;
  subject: string;
  message: string;
  firstSeenAt: number;
  lastSeenAt: number;
  clearedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
}

/** An open alert as evaluate reads it: id, kind, site_code, subject, severity, message. */
type OpenValues = [
  id: number,
  kind: string,
  siteCode: string,
  subject: string,
  severity: string,
  message: string,
];

const key = (c: { kind: string; siteCode: string; subject: string }) =>
  `${c.kind}|${c.siteCode}|${c.subject}`;

/**
 * Keeps the alert table equal to the conditions that hold: a new condition raises an alert, one that
 * still holds refreshes it (an acknowledgement stays), one that is gone clears it. Each change is
 * announced on the event bus for the live stream.
 */
export class AlertService {
  readonly #database: AppDatabase;
  readonly #events: EventBus;
  readonly #sources: ConditionSource[] = [];
  readonly #policy: AlertPolicy;
  // Prepared once: evaluation runs every few seconds under load.
  readonly #open;
  readonly #byId;
  readonly #refresh;
  readonly #restate;
  readonly #insert;
  readonly #clear;
  readonly #openExcursions;
  readonly #offlineDevices;
  readonly #unknownTags;

  constructor(deps: {
    database: AppDatabase;
    events: EventBus;
    stock: StockService;
    reference: ReferenceService;
    policy?: AlertPolicy;
  }) {
    this.#database = deps.database;
    this.#events = deps.events;
    this.#policy = deps.policy ?? DEFAULT_ALERT_POLICY;
    const sqlite = this.#database.sqlite;
    this.#open = sqlite
      .prepare("SELECT id, kind, site_code, subject, severity, message FROM alerts WHERE cleared_at IS NULL")
      .raw(true);
    this.#byId = sqlite.prepare("SELECT * FROM alerts WHERE id = ?");
    this.#refresh = sqlite.prepare(
      "UPDATE alerts SET last_seen_at = ? WHERE id IN (SELECT value FROM json_each(?))",
    );
    this.#restate = sqlite.prepare("UPDATE alerts SET severity = ?, message = ? WHERE id = ?");
    this.#insert = sqlite.prepare(
      "INSERT INTO alerts (kind, severity, site_code, subject, message, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.#clear = sqlite.prepare("UPDATE alerts SET cleared_at = ? WHERE id = ?");
    this.#openExcursions = sqlite.prepare(
      "SELECT id, site_code AS siteCode, item_type_code AS itemTypeCode, measurement, bound, limit_value AS limitValue, peak_value AS peakValue FROM env_excursions WHERE ended_at IS NULL",
    );
    this.#offlineDevices = sqlite.prepare(
      `SELECT id, site_code AS siteCode, online, last_seen_at AS lastSeenAt FROM devices
       WHERE enabled = 1 AND (online = 0 OR (last_seen_at IS NOT NULL AND last_seen_at < ?))`,
    );
    this.#unknownTags = sqlite.prepare(
      "SELECT site_code AS siteCode, count(*) AS n FROM unknown_tags WHERE last_seen_at >= ? GROUP BY site_code",
    );
    this.#sources.push(
      () => stockConditions(deps.stock),
      (now) => this.#sensingConditions(now),
    );
  }

  addSource(source: ConditionSource): void {
    this.#sources.push(source);
  }

  /** Brings the alert table up to date. Returns how many alerts were raised and cleared. */
  evaluate(now: number = Date.now()): { raised: number; cleared: number } {
    const conditions = new Map<string, AlertCondition>();
    for (const source of this.#sources) for (const c of source(now)) conditions.set(key(c), c);
    const sqlite = this.#database.sqlite;
    // Open alerts as raw rows with what is compared; the whole row is read only for one cleared.
    const openByKey = new Map<string, OpenValues>();
    for (const row of this.#open.all() as OpenValues[]) {
      openByKey.set(key({ kind: row[1], siteCode: row[2], subject: row[3] }), row);
    }
    // Sorted out before the transaction, which then only writes.
    const seen: number[] = [];
    const restated: Array<[AlertCondition, number]> = [];
    const fresh: AlertCondition[] = [];
    for (const [k, c] of conditions) {
      const existing = openByKey.get(k);
      if (existing) {
        const [id, , , , severity, message] = existing;
        seen.push(id);
        if (severity !== c.severity || message !== c.message) restated.push([c, id]);
        openByKey.delete(k);
      } else {
        fresh.push(c);
      }
    }
    const gone = [...openByKey.values()].map(([id]) => this.#byId.get(id) as Record<string, unknown>);
    const raised: AlertRow[] = [];
    const cleared: AlertRow[] = [];
    sqlite.transaction(() => {
      // Every alert that still holds is refreshed, in one statement; severity and message are
      // written where they changed.
      if (seen.length > 0) this.#refresh.run(now, JSON.stringify(seen));
      for (const [c, id] of restated) this.#restate.run(c.severity, c.message, id);
      for (const c of fresh) {
        const id = Number(
          this.#insert.run(c.kind, c.severity, c.siteCode, c.subject, c.message, now, now).lastInsertRowid,
        );
        raised.push({
          id,
          ...c,
          firstSeenAt: now,
          lastSeenAt: now,
          clearedAt: null,
          acknowledgedAt: null,
          acknowledgedBy: null,
        });
      }
      for (const row of gone) {
        this.#clear.run(now, row.id);
        cleared.push({ ...toAlert(row), clearedAt: now });
      }
    })();
    for (const alert of raised) this.#events.emit("alert.changed", { change: "raised", alert });
    for (const alert of cleared) this.#events.emit("alert.changed", { change: "cleared", alert });
    return { raised: raised.length, cleared: cleared.length };
  }

  /** Alerts of the scope's sites, most severe first, then newest: the limit is taken of those. */
  list(filter: { scope: SiteScope; includeCleared?: boolean; limit: number }): AlertRow[] {
    const { where, args } = whereWith(
      filter.scope,
      "site_code",
      filter.includeCleared ? [] : [{ sql: "cleared_at IS NULL" }],
    );
    const rows = this.#database.sqlite
      .prepare(
        `SELECT * FROM alerts ${where}
         ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, first_seen_at DESC, id DESC LIMIT ?`,
      )
      .all(...args, filter.limit) as Array<Record<string, unknown>>;
    return rows.map(toAlert);
  }

  acknowledge(id: number, by: string, now: number = Date.now()): AlertRow {
    const sqlite = this.#database.sqlite;
    const row = sqlite.prepare("SELECT * FROM alerts WHERE id = ?").get(id) as
      | Record<string, unknown>
      | undefined;
    if (!row) throw new NotFoundError(`alert ${id} does not exist`);
    if (row.acknowledged_at === null) {
      sqlite
        .prepare("UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ?")
        .run(now, by, id);
    }
    const alert = toAlert(
      sqlite.prepare("SELECT * FROM alerts WHERE id = ?").get(id) as Record<string, unknown>,
    );
    this.#events.emit("alert.changed", { change: "acknowledged", alert });
    return alert;
  }

  #sensingConditions(now: number): AlertCondition[] {
    const conditions: AlertCondition[] = [];
    for (const e of this.#openExcursions.all() as Array<{
      id: number;
      siteCode: string;
      itemTypeCode: string;
      measurement: string;
      bound: string;
      limitValue: number;
      peakValue: number;
    }>) {
      const what = e.measurement === "temp" ? "temperature" : "humidity";
      conditions.push({
        kind: "env-excursion",
        severity: "warning",
        siteCode: e.siteCode,
        subject: `excursion:${e.id}`,
        message: `${what} ${e.bound === "max" ? "above" : "below"} the ${e.limitValue} limit for ${e.itemTypeCode} (peak ${e.peakValue})`,
      });
    }
    for (const d of this.#offlineDevices.all(now - this.#policy.deviceSilentAfterMs) as Array<{
      id: string;
      siteCode: string;
      online: number | null;
      lastSeenAt: number | null;
    }>) {
      conditions.push({
        kind: "device-offline",
        severity: "warning",
        siteCode: d.siteCode,
        subject: `device:${d.id}`,
        message:
          d.online === 0
            ? `${d.id} reported itself offline`
            : `${d.id} silent since ${new Date(d.lastSeenAt ?? 0).toISOString()}`,
      });
    }
    for (const u of this.#unknownTags.all(now - this.#policy.unknownTagWindowMs) as Array<{
      siteCode: string;
      n: number;
    }>) {
      conditions.push({
        kind: "unknown-tags",
        severity: "info",
        siteCode: u.siteCode,
        subject: "unknown-tags",
        message: `${u.n} unregistered tag(s) read in the last 24 h`,
      });
    }
    return conditions;
  }
}

/** Low and critical stock at every site, judged by the stock service. */
function stockConditions(stock: StockService): AlertCondition[] {
  const conditions: AlertCondition[] = [];
  for (const site of stock.forAllSites()) {
    for (const line of site.items) {
      if (line.status !== "low" && line.status !== "critical") continue;
      conditions.push({
        kind: line.status === "critical" ? "stock-critical" : "stock-low",
        severity: line.status === "critical" ? "critical" : "warning",
        siteCode: site.siteCode,
        subject: `item:${line.itemTypeCode}`,
        message: `${line.itemTypeName}: ${line.availableQty} ${line.unit} available, standard ${line.requiredQty} (minimum ${line.minQty})`,
      });
    }
  }
  return conditions;
}

function toAlert(row: Record<string, unknown>): AlertRow {
  return {
    id: row.id as number,
    kind: row.kind as AlertKind,
    severity: row.severity as AlertSeverity,
    siteCode: row.site_code as string,
    subject: row.subject as string,
    message: row.message as string,
    firstSeenAt: row.first_seen_at as number,
    lastSeenAt: row.last_seen_at as number,
    clearedAt: (row.cleared_at as number | null) ?? null,
    acknowledgedAt: (row.acknowledged_at as number | null) ?? null,
    acknowledgedBy: (row.acknowledged_by as string | null) ?? null,
  };
}
