import type { AppDatabase } from "../db/database.ts";
import { InvalidInputError } from "../errors.ts";
import { decodeSgtin96, normaliseEpcHex } from "../ingest/decoders/epc.ts";

export interface TagIdentity {
  itemTypeCode: string;
  batchId: number | null;
  /** The site the tagged stock belongs to, when registered with one. */
  siteCode: string | null;
  units: number;
}

export type TagLookup = { known: true; identity: TagIdentity } | { known: false; reason: string };

interface RangeRow extends TagIdentity {
  id: number;
  gtin14: string;
  serialFrom: number;
  serialTo: number;
}

export interface TagRangeInput {
  gtin14: string;
  companyPrefixDigits?: number | null;
  serialFrom: number;
  serialTo: number;
  itemTypeCode: string;
  batchId?: number | null;
  siteCode?: string | null;
  units?: number;
}

export interface ExplicitTagInput {
  epc: string;
  itemTypeCode: string;
  batchId?: number | null;
  siteCode?: string | null;
  units?: number;
}

/**
 * Which item type (and batch) a tag stands for: SGTIN-96 tags by GTIN and serial range, other tags
 * (raw TIDs, user EPCs) by explicit registration. Held in memory, because every tag read asks.
 */
export class TagRegistry {
  readonly #database: AppDatabase;
  #explicit = new Map<string, TagIdentity>();
  #ranges = new Map<string, RangeRow[]>();
  /**
   * Answers by EPC: a reader reports the same tags every cycle, and taking an SGTIN-96 apart (BigInt)
   * costs more than the rest of a read's processing. Emptied by reload(), and when it grows past
   * LOOKUP_CACHE_MAX (reads of ever new unknown tags must not grow memory without end).
   */
  #lookups = new Map<string, TagLookup>();
  static readonly LOOKUP_CACHE_MAX = 250_000;

  constructor(database: AppDatabase) {
    this.#database = database;
    this.reload();
  }

  reload(): void {
    const sqlite = this.#database.sqlite;
    this.#explicit = new Map(
      (
        sqlite
          .prepare(
            "SELECT epc, item_type_code AS itemTypeCode, batch_id AS batchId, site_code AS siteCode, units FROM tags",
          )
          .all() as Array<TagIdentity & { epc: string }>
      ).map(({ epc, ...identity }) => [epc, identity]),
    );
    const ranges = new Map<string, RangeRow[]>();
    for (const row of sqlite
      .prepare(
        `SELECT id, gtin14, serial_from AS serialFrom, serial_to AS serialTo, item_type_code AS itemTypeCode,
                batch_id AS batchId, site_code AS siteCode, units FROM tag_ranges ORDER BY serial_from`,
      )
      .all() as RangeRow[]) {
      const list = ranges.get(row.gtin14) ?? [];
      list.push(row);
      ranges.set(row.gtin14, list);
    }
    this.#ranges = ranges;
    this.#lookups = new Map();
  }

  lookup(epcHex: string): TagLookup {
    let found = this.#lookups.get(epcHex);
    if (found === undefined) {
      found = this.#lookupUncached(epcHex);
      if (this.#lookups.size >= TagRegistry.LOOKUP_CACHE_MAX) this.#lookups.clear();
      this.#lookups.set(epcHex, found);
    }
    return found;
  }

  #lookupUncached(epcHex: string): TagLookup {
    const explicit = this.#explicit.get(epcHex);
    if (explicit) return { known: true, identity: explicit };
    const decoded = decodeSgtin96(epcHex);
    if (!decoded.ok)
      return { known: false, reason: `not registered and not an SGTIN-96 (${decoded.reason})` };
    const serial = Number(decoded.sgtin.serial);
    const range = this.#ranges
      .get(decoded.sgtin.gtin14)
      ?.find((r) => serial >= r.serialFrom && serial <= r.serialTo);
    if (!range) {
      return {
        known: false,
        reason: `GTIN ${decoded.sgtin.gtin14} serial ${decoded.sgtin.serial} is in no registered range`,
      };
    }
    const { itemTypeCode, batchId, siteCode, units } = range;
    return { known: true, identity: { itemTypeCode, batchId, siteCode, units } };
  }

  /** Registers ranges and explicit tags in one transaction: all or nothing. */
  register(input: { ranges?: TagRangeInput[]; tags?: ExplicitTagInput[] }): { ranges: number; tags: number } {
    const sqlite = this.#database.sqlite;
    const insertRange = sqlite.prepare(
      `INSERT INTO tag_ranges (gtin14, company_prefix_digits, serial_from, serial_to, item_type_code, batch_id, site_code, units)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertTag = sqlite.prepare(
      `INSERT INTO tags (epc, item_type_code, batch_id, site_code, units) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (epc) DO UPDATE SET item_type_code = excluded.item_type_code, batch_id = excluded.batch_id,
         site_code = excluded.site_code, units = excluded.units`,
    );
    const ranges = input.ranges ?? [];
    const tags = input.tags ?? [];
    const problems: string[] = [];
    ranges.forEach((r, i) => {
      if (!/^\d{14}$/.test(r.gtin14)) problems.push(`ranges[${i}].gtin14 must be 14 digits`);
      if (r.serialFrom > r.serialTo) problems.push(`ranges[${i}]: serialFrom is after serialTo`);
      if (r.companyPrefixDigits != null && (r.companyPrefixDigits < 6 || r.companyPrefixDigits > 12)) {
        problems.push(`ranges[${i}].companyPrefixDigits must be 6 to 12`);
      }
      for (const other of this.#ranges.get(r.gtin14) ?? []) {
        if (r.serialFrom <= other.serialTo && other.serialFrom <= r.serialTo) {
          problems.push(
            `ranges[${i}] overlaps registered range ${other.id} (${other.serialFrom}-${other.serialTo})`,
          );
        }
      }
    });
    const epcs = tags.map((t, i) => {
      const epc = normaliseEpcHex(t.epc);
      if (!epc) problems.push(`tags[${i}].epc "${t.epc.slice(0, 40)}" is not an EPC in hex`);
      return epc ?? "";
    });
    if (problems.length > 0) throw new InvalidInputError(problems.join("; "));
    try {
      sqlite.transaction(() => {
        for (const r of ranges) {
          insertRange.run(
            r.gtin14,
            r.companyPrefixDigits ?? null,
            r.serialFrom,
            r.serialTo,
            r.itemTypeCode,
            r.batchId ?? null,
            r.siteCode ?? null,
            r.units ?? 1,
          );
        }
        tags.forEach((t, i) => {
          insertTag.run(epcs[i], t.itemTypeCode, t.batchId ?? null, t.siteCode ?? null, t.units ?? 1);
        });
      })();
    } catch (error) {
      if (/FOREIGN KEY/.test((error as Error).message)) {
        throw new InvalidInputError("an item type, batch or site named in the registration does not exist");
      }
      throw error;
    }
    this.reload();
    return { ranges: ranges.length, tags: tags.length };
  }
}

/**
 * Parses a tag registration CSV. Header: `epc,gtin14,serial_from,serial_to,item_type,site,batch_id,units`
 * (any order, extra columns refused); each row has either `epc` or `gtin14` + `serial_from` + `serial_to`.
 * Every problem is reported with its line number.
 */
export function parseTagCsv(text: string): { ranges: TagRangeInput[]; tags: ExplicitTagInput[] } {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines.length < 2) throw new InvalidInputError("CSV needs a header line and at least one row");
  const header = (lines[0] as string).split(",").map((h) => h.trim().toLowerCase());
  const known = ["epc", "gtin14", "serial_from", "serial_to", "item_type", "site", "batch_id", "units"];
  const unknown = header.filter((h) => !known.includes(h));
  if (unknown.length > 0)
    throw new InvalidInputError(`CSV header has unknown columns: ${unknown.join(", ")}`);
  if (!header.includes("item_type")) throw new InvalidInputError("CSV header needs an item_type column");
  const ranges: TagRangeInput[] = [];
  const tags: ExplicitTagInput[] = [];
  const problems: string[] = [];
  lines.slice(1).forEach((line, index) => {
    const at = `line ${index + 2}`;
    const cells = line.split(",").map((c) => c.trim());
    if (cells.length !== header.length) {
      problems.push(`${at}: ${cells.length} cells, header has ${header.length}`);
      return;
    }
    const row = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""]));
    const integer = (name: string, fallback?: number) => {
      const value = row[name] ?? "";
      if (value === "" && fallback !== undefined) return fallback;
      if (!/^\d+$/.test(value)) {
        problems.push(`${at}: ${name} must be a whole number`);
        return 0;
      }
      return Number(value);
    };
    const common = {
      itemTypeCode: row.item_type ?? "",
      siteCode: row.site || null,
      batchId: row.batch_id ? integer("batch_id") : null,
      units: integer("units", 1),
    };
    if (!common.itemTypeCode) problems.push(`${at}: item_type is empty`);
    if (row.epc) {
      tags.push({ epc: row.epc, ...common });
    } else if (row.gtin14) {
      ranges.push({
        gtin14: row.gtin14,
        serialFrom: integer("serial_from"),
        serialTo: integer("serial_to"),
        ...common,
      });
    } else {
      problems.push(`${at}: needs an epc, or a gtin14 with serial_from and serial_to`);
    }
  });
  if (problems.length > 0) throw new InvalidInputError(problems.join("; "));
  return { ranges, tags };
}
