import type { AppDatabase } from "../db/database.ts";
import { type AuditFindings, compareAudit } from "../domain/audit.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { encodeSgtin96 } from "../ingest/decoders/epc.ts";
import type { AlertCondition } from "./alerts.ts";
import type { ReferenceService } from "./reference.ts";
import { type SiteScope, whereWith } from "./site-scope.ts";

export interface AuditRow {
  id: number;
  siteCode: string;
  state: "open" | "closed" | "approved";
  startedAt: number;
  endsAt: number;
  closedAt: number | null;
  startedBy: string;
  approvedBy: string | null;
  approvedAt: number | null;
  note: string | null;
}

/** Ranges larger than this are not expanded tag by tag (the quantity comparison still covers them). */
const MAX_EXPANDED_RANGE = 20_000;

/**
 * Audits (清查): a window in which whatever the readers and shelves report at a site is compared with
 * the book. Findings are live while the audit is open and frozen when it closes; approval turns the
 * proposed adjustments into ledger entries with who, when and why.
 */
export class AuditService {
  readonly #database: AppDatabase;
  readonly #reference: ReferenceService;

  constructor(database: AppDatabase, reference: ReferenceService) {
    this.#database = database;
    this.#reference = reference;
  }

  start(
    siteCode: string,
    input: { by: string; durationMinutes: number; note?: string },
    now = Date.now(),
  ): AuditRow {
    this.#reference.getSite(siteCode);
    const sqlite = this.#database.sqlite;
    const open = sqlite
      .prepare("SELECT id FROM audits WHERE site_code = ? AND state = 'open'")
      .get(siteCode) as { id: number } | undefined;
    if (open) throw new InvalidInputError(`audit ${open.id} of ${siteCode} is still open; close it first`);
    const id = Number(
      sqlite
        .prepare(
          "INSERT INTO audits (site_code, state, started_at, ends_at, started_by, note) VALUES (?, 'open', ?, ?, ?, ?)",
        )
        .run(siteCode, now, now + input.durationMinutes * 60_000, input.by, input.note ?? null)
        .lastInsertRowid,
    );
    return this.get(id);
  }

  get(id: number): AuditRow {
    const row = this.#database.sqlite
      .prepare(
        `SELECT id, site_code AS siteCode, state, started_at AS startedAt, ends_at AS endsAt, closed_at AS closedAt,
                started_by AS startedBy, approved_by AS approvedBy, approved_at AS approvedAt, note
         FROM audits WHERE id = ?`,
      )
      .get(id) as AuditRow | undefined;
    if (!row) throw new NotFoundError(`audit ${id} does not exist`);
    return row;
  }

  /** The audits of the scope's sites, newest first. */
  list(scope: SiteScope): AuditRow[] {
    const { where, args } = whereWith(scope, "site_code");
    return this.#database.sqlite
      .prepare(
        `SELECT id, site_code AS siteCode, state, started_at AS startedAt, ends_at AS endsAt, closed_at AS closedAt,
                started_by AS startedBy, approved_by AS approvedBy, approved_at AS approvedAt, note
         FROM audits ${where} ORDER BY started_at DESC, id DESC`,
      )
      .all(...args) as AuditRow[];
  }

  /** Live findings of an open audit; the frozen ones of a closed or approved audit. */
  findings(id: number, now = Date.now()): AuditFindings {
    const audit = this.get(id);
    if (audit.state !== "open") {
      const stored = this.#database.sqlite.prepare("SELECT findings FROM audits WHERE id = ?").get(id) as {
        findings: string;
      };
      return JSON.parse(stored.findings) as AuditFindings;
    }
    return this.#compute(audit, Math.min(now, audit.endsAt));
  }

  close(id: number, now = Date.now()): AuditRow {
    const audit = this.get(id);
    if (audit.state !== "open") throw new InvalidInputError(`audit ${id} is already ${audit.state}`);
    const findings = this.#compute(audit, Math.min(now, audit.endsAt));
    this.#database.sqlite
      .prepare("UPDATE audits SET state = 'closed', closed_at = ?, findings = ? WHERE id = ?")
      .run(now, JSON.stringify(findings), id);
    return this.get(id);
  }

  /** Writes the proposed adjustments as ledger entries and marks the audit approved. */
  approve(
    id: number,
    input: { by: string; reason: string },
    now = Date.now(),
  ): { audit: AuditRow; ledgerIds: number[] } {
    const audit = this.get(id);
    if (audit.state !== "closed") {
      throw new InvalidInputError(`audit ${id} is ${audit.state}; only a closed audit can be approved`);
    }
    const findings = this.findings(id);
    const sqlite = this.#database.sqlite;
    const insert = sqlite.prepare(
      `INSERT INTO stock_ledger (site_code, item_type_code, kind, quantity, occurred_at, reference, actor, note)
       VALUES (?, ?, 'adjustment', ?, ?, ?, ?, ?)`,
    );
    const ledgerIds = sqlite.transaction(() => {
      const ids = findings.proposedAdjustments.map((a) =>
        Number(
          insert.run(audit.siteCode, a.itemTypeCode, a.quantity, now, `audit:${id}`, input.by, input.reason)
            .lastInsertRowid,
        ),
      );
      sqlite
        .prepare("UPDATE audits SET state = 'approved', approved_by = ?, approved_at = ? WHERE id = ?")
        .run(input.by, now, id);
      return ids;
    })();
    return { audit: this.get(id), ledgerIds };
  }

  /** Closed audits whose findings are not clean and not yet approved. */
  alertConditions(): AlertCondition[] {
    // Alert evaluation is region-wide: every site's audits.
    return this.list(null)
      .filter((a) => a.state === "closed")
      .flatMap((a) => {
        const f = this.findings(a.id);
        if (f.clean) return [];
        return [
          {
            kind: "audit-discrepancy" as const,
            severity: "warning" as const,
            siteCode: a.siteCode,
            subject: `audit:${a.id}`,
            message: `audit ${a.id}: ${f.missingTags.length} missing tag(s), ${f.unexpectedTags.length} unexpected, ${f.mismatches.length} quantity mismatch(es) awaiting approval`,
          },
        ];
      });
  }

  #compute(audit: AuditRow, until: number): AuditFindings {
    const sqlite = this.#database.sqlite;
    const site = audit.siteCode;
    // Expected: tags registered to the site (explicitly or by an encodable range), less those the
    // presence projection knows to be elsewhere or gone out through a portal.
    const expected = new Map<string, { epc: string; itemTypeCode: string; units: number }>();
    for (const t of sqlite
      .prepare("SELECT epc, item_type_code AS itemTypeCode, units FROM tags WHERE site_code = ?")
      .all(site) as Array<{ epc: string; itemTypeCode: string; units: number }>) {
      expected.set(t.epc, t);
    }
    for (const r of sqlite
      .prepare(
        `SELECT gtin14, company_prefix_digits AS cp, serial_from AS serialFrom, serial_to AS serialTo,
                item_type_code AS itemTypeCode, units
         FROM tag_ranges WHERE site_code = ? AND company_prefix_digits IS NOT NULL`,
      )
      .all(site) as Array<{
      gtin14: string;
      cp: number;
      serialFrom: number;
      serialTo: number;
      itemTypeCode: string;
      units: number;
    }>) {
      if (r.serialTo - r.serialFrom + 1 > MAX_EXPANDED_RANGE) continue;
      for (let serial = r.serialFrom; serial <= r.serialTo; serial += 1) {
        const epc = encodeSgtin96(r.gtin14, r.cp, serial);
        expected.set(epc, { epc, itemTypeCode: r.itemTypeCode, units: r.units });
      }
    }
    for (const gone of sqlite
      .prepare("SELECT epc FROM tag_presence WHERE site_code <> ? OR in_transit_from IS NOT NULL")
      .all(site) as Array<{ epc: string }>) {
      expected.delete(gone.epc);
    }
    // Seen: identified tags read at the site in the window, and unknown tags read there.
    const seen = [
      ...(sqlite
        .prepare(
          "SELECT epc, item_type_code AS itemTypeCode, units FROM tag_presence WHERE site_code = ? AND last_seen_at BETWEEN ? AND ?",
        )
        .all(site, audit.startedAt, until) as Array<{ epc: string; itemTypeCode: string; units: number }>),
      ...(
        sqlite
          .prepare("SELECT epc FROM unknown_tags WHERE site_code = ? AND last_seen_at BETWEEN ? AND ?")
          .all(site, audit.startedAt, until) as Array<{ epc: string }>
      ).map((u) => ({ epc: u.epc, itemTypeCode: null, units: 1 })),
    ];
    const book: Record<string, number> = {};
    for (const b of sqlite
      .prepare(
        "SELECT item_type_code AS itemTypeCode, sum(quantity) AS qty FROM stock_ledger WHERE site_code = ? GROUP BY item_type_code",
      )
      .all(site) as Array<{ itemTypeCode: string; qty: number }>) {
      book[b.itemTypeCode] = b.qty;
    }
    // Counted: shelves that reported in the window, plus tags of a type seen in it.
    const counted: Record<string, number> = {};
    for (const s of sqlite
      .prepare(
        `SELECT s.item_type_code AS itemTypeCode, ss.units FROM shelves s JOIN shelf_state ss ON ss.device_id = s.device_id
         WHERE s.site_code = ? AND ss.reading_at BETWEEN ? AND ?`,
      )
      .all(site, audit.startedAt, until) as Array<{ itemTypeCode: string; units: number }>) {
      counted[s.itemTypeCode] = (counted[s.itemTypeCode] ?? 0) + s.units;
    }
    // A tag count stands for the item type only where every unit on the book carries a tag; counting
    // the few tagged units of a mostly untagged type would propose writing the rest off.
    const taggedUnits: Record<string, number> = {};
    for (const tag of expected.values())
      taggedUnits[tag.itemTypeCode] = (taggedUnits[tag.itemTypeCode] ?? 0) + tag.units;
    for (const tag of seen) {
      const type = tag.itemTypeCode;
      if (type && (taggedUnits[type] ?? 0) >= (book[type] ?? 0))
        counted[type] = (counted[type] ?? 0) + tag.units;
    }
    return compareAudit({
      siteCode: site,
      expectedTags: [...expected.values()],
      seenTags: seen,
      book,
      counted,
    });
  }
}
