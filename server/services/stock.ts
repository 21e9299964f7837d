import type { AppDatabase } from "../db/database.ts";
import {
  DEFAULT_STOCK_POLICY,
  type StockLine,
  type StockPolicy,
  stockLine,
  summariseStock,
} from "../domain/stock.ts";
import type { ReferenceService } from "./reference.ts";

/** Gathers a site's book, sensed and standard quantities and lets the domain judge them. */
export class StockService {
  readonly #standards;
  readonly #book;
  readonly #sensed;
  readonly #reserved;
  readonly #shelved;
  readonly #tagged;

  constructor(
    database: AppDatabase,
    private readonly reference: ReferenceService,
    private readonly policy: StockPolicy = DEFAULT_STOCK_POLICY,
  ) {
    const sqlite = database.sqlite;
    this.#standards = sqlite.prepare(
      "SELECT item_type_code AS itemTypeCode, required_qty AS requiredQty, min_qty AS minQty FROM standards WHERE tier = ?",
    );
    this.#book = sqlite.prepare(
      "SELECT item_type_code AS itemTypeCode, sum(quantity) AS qty FROM stock_ledger WHERE site_code = ? GROUP BY item_type_code",
    );
    this.#reserved = sqlite.prepare(
      "SELECT item_type_code AS itemTypeCode, sum(quantity) AS qty FROM reservations WHERE site_code = ? AND released_at IS NULL GROUP BY item_type_code",
    );
    this.#shelved = sqlite.prepare(
      `SELECT DISTINCT s.item_type_code AS itemTypeCode FROM shelves s JOIN shelf_state ss ON ss.device_id = s.device_id
       WHERE s.site_code = ?`,
    );
    // Tagged units the registry puts at the site, less those the presence projection saw leave,
    // and the tagged units present there now.
    this.#tagged = sqlite.prepare(
      `SELECT itemTypeCode, sum(expected) AS expected, sum(present) AS present FROM (
         SELECT item_type_code AS itemTypeCode, (serial_to - serial_from + 1) * units AS expected, 0 AS present
           FROM tag_ranges WHERE site_code = @site
         UNION ALL SELECT item_type_code, units, 0 FROM tags WHERE site_code = @site
         UNION ALL SELECT item_type_code, -units, 0 FROM tag_presence
           WHERE home_site_code = @site AND (site_code <> @site OR in_transit_from IS NOT NULL)
         UNION ALL SELECT item_type_code, 0, units FROM tag_presence WHERE site_code = @site AND present = 1
       ) GROUP BY itemTypeCode`,
    );
    // Sensed = shelf counts + units of RFID tags present. An item type counts as sensed once a shelf
    // for it has reported or a tag of it has been seen at the site (0 when all those tags departed).
    this.#sensed = sqlite.prepare(
      `SELECT itemTypeCode, sum(qty) AS qty FROM (
         SELECT s.item_type_code AS itemTypeCode, ss.units AS qty
         FROM shelves s JOIN shelf_state ss ON ss.device_id = s.device_id WHERE s.site_code = @site
         UNION ALL
         SELECT item_type_code, CASE WHEN present THEN units ELSE 0 END FROM tag_presence WHERE site_code = @site
       ) GROUP BY itemTypeCode`,
    );
  }

  forSite(siteCode: string) {
    const site = this.reference.getSite(siteCode);
    const standards = new Map(
      (
        this.#standards.all(site.tier) as Array<{ itemTypeCode: string; requiredQty: number; minQty: number }>
      ).map((s) => [s.itemTypeCode, s]),
    );
    const book = toMap(this.#book.all(siteCode) as QtyRow[]);
    const sensed = toMap(this.#sensed.all({ site: siteCode }) as QtyRow[]);
    const reserved = toMap(this.#reserved.all(siteCode) as QtyRow[]);
    const shelved = new Set(
      (this.#shelved.all(siteCode) as Array<{ itemTypeCode: string }>).map((r) => r.itemTypeCode),
    );
    const tagged = new Map(
      (
        this.#tagged.all({ site: siteCode }) as Array<{
          itemTypeCode: string;
          expected: number;
          present: number;
        }>
      ).map((r) => [r.itemTypeCode, r]),
    );
    const items: StockLine[] = [];
    for (const type of this.reference.listItemTypes()) {
      const standard = standards.get(type.code);
      const bookQty = book.get(type.code) ?? 0;
      const sensedQty = sensed.get(type.code) ?? null;
      if (!standard && bookQty === 0 && sensedQty === null) continue;
      items.push(
        stockLine(
          {
            itemTypeCode: type.code,
            itemTypeName: type.name,
            unit: type.unit,
            bookQty,
            sensedQty,
            requiredQty: standard?.requiredQty ?? 0,
            minQty: standard?.minQty ?? 0,
            reservedQty: reserved.get(type.code) ?? 0,
            sensing: {
              shelves: shelved.has(type.code),
              taggedUnitsExpected: Math.max(0, tagged.get(type.code)?.expected ?? 0),
              taggedUnitsPresent: tagged.get(type.code)?.present ?? 0,
            },
          },
          { ...this.policy, overFactor: type.overFactor ?? this.policy.overFactor },
        ),
      );
    }
    return { siteCode: site.code, tier: site.tier, ...summariseStock(items), items };
  }
}

type QtyRow = { itemTypeCode: string; qty: number };

function toMap(rows: QtyRow[]): Map<string, number> {
  return new Map(rows.map((r) => [r.itemTypeCode, Number(r.qty)]));
}
