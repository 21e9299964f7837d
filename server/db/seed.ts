import { count } from "drizzle-orm";
import { addDays, DEFAULT_TIME_ZONE, dayOf, startOfDay } from "../domain/calendar.ts";
import { seededRandom } from "../domain/random.ts";
import { gs1CheckDigit } from "../ingest/decoders/epc.ts";
import type { AppDatabase } from "./database.ts";
import {
  CATEGORIES,
  CONTRACT_STOCK,
  DAILY_USE_BY_TIER,
  DEFAULT_SHELF_ITEM,
  DEMO_ANTENNAS,
  DEMO_COMPANY_PREFIX,
  DEMO_NOTICE,
  DEMO_SHELF_CAPACITIES_KG,
  DEMO_SITES,
  ITEM_TYPES,
  MIN_SHARE_OF_REQUIRED,
  REQUIRED_BY_TIER,
  RFID_SITES,
  SHELF_ITEM_BY_SITE,
  TAGGED_ITEMS,
} from "./demo/network.ts";
import {
  batches,
  categories,
  devices,
  itemTypes,
  meta,
  readerAntennas,
  shelves,
  sites,
  standards,
  stockLedger,
  tagRanges,
} from "./schema.ts";

/** Demo receipts are booked at 09:00 on the depot's clock (or now, for one received today). */
const RECEIPT_HOUR_MS = 9 * 3600 * 1000;
export const DEMO_SHELF_TARE_KG = 12;

export function isDatabaseEmpty(database: AppDatabase): boolean {
  const row = database.db.select({ n: count() }).from(sites).get();
  return (row?.n ?? 0) === 0;
}

/**
 * Empties every table the platform keeps (not the migration record), so a table added later cannot
 * be forgotten here. Foreign keys are off meanwhile: the order of deletion does not matter.
 */
export function clearDatabase(database: AppDatabase): void {
  const sqlite = database.sqlite;
  const tables = (
    sqlite
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'",
      )
      .all() as Array<{ name: string }>
  ).map((t) => t.name);
  sqlite.pragma("foreign_keys = OFF");
  try {
    sqlite.transaction(() => {
      for (const table of tables) sqlite.prepare(`DELETE FROM "${table.replace(/"/g, '""')}"`).run();
    })();
  } finally {
    sqlite.pragma("foreign_keys = ON");
  }
}

export interface DemoSummary {
  sites: number;
  itemTypes: number;
  batches: number;
  devices: number;
}

/**
 * Loads the Ningxia demo network: sites, catalogue, standards, opening stock in batches (some near
 * expiry, a few expired, some sites short) and one weight shelf and one environment sensor per site.
 * Deterministic for a given `now`, `seed` and `timeZone`, so two loads on the same day look the same.
 * Its dates are relative to today in `timeZone` (the deployment's TIME_ZONE).
 */
export function loadDemoNetwork(
  database: AppDatabase,
  options: { now?: Date; seed?: number; timeZone?: string } = {},
): DemoSummary {
  const now = options.now ?? new Date();
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const today = dayOf(now.getTime(), timeZone);
  const random = seededRandom(options.seed ?? 20261123);
  const { db } = database;
  const typeByCode = new Map(ITEM_TYPES.map((t) => [t.code, t]));
  let batchCount = 0;
  let deviceCount = 0;

  database.sqlite.transaction(() => {
    db.insert(meta)
      .values([
        { key: "demo", value: DEMO_NOTICE },
        { key: "demo_loaded_at", value: now.toISOString() },
      ])
      .run();
    db.insert(sites)
      .values(
        DEMO_SITES.map((s) => ({
          ...s,
          leadTimeHours: s.leadTimeHours ?? null,
          suppliesCategories: s.suppliesCategories?.join(",") ?? null,
          demo: true,
        })),
      )
      .run();
    db.insert(categories)
      .values([...CATEGORIES])
      .run();
    db.insert(itemTypes).values(ITEM_TYPES).run();
    for (const [tier, required] of Object.entries(REQUIRED_BY_TIER)) {
      db.insert(standards)
        .values(
          Object.entries(required).map(([itemTypeCode, requiredQty]) => ({
            tier: tier as keyof typeof REQUIRED_BY_TIER,
            itemTypeCode,
            requiredQty,
            minQty: Math.ceil(requiredQty * MIN_SHARE_OF_REQUIRED),
            dailyUsePerCycle: DAILY_USE_BY_TIER[tier as keyof typeof DAILY_USE_BY_TIER]?.[itemTypeCode] ?? 0,
          })),
        )
        .run();
    }

    for (const site of DEMO_SITES) {
      const holdings = openingHoldings(site.code, REQUIRED_BY_TIER[site.tier], random);
      for (const [itemTypeCode, quantity] of Object.entries(holdings)) {
        const type = typeByCode.get(itemTypeCode);
        if (!type || quantity <= 0) continue;
        for (const [index, lot] of splitIntoBatches(quantity, random).entries()) {
          const dates = batchDates(type, today, random);
          const receivedOn = addDays(dates.production, 7 + Math.floor(random() * 50));
          const receivedAt = Math.min(startOfDay(receivedOn, timeZone) + RECEIPT_HOUR_MS, now.getTime());
          const inserted = db
            .insert(batches)
            .values({
              siteCode: site.code,
              itemTypeCode,
              lotCode: `DEMO-${site.code}-${itemTypeCode}-${index + 1}`,
              productionDate: dates.production,
              expiryDate: dates.expiry,
              receivedQty: lot,
              receivedAt,
            })
            .returning({ id: batches.id })
            .get();
          db.insert(stockLedger)
            .values({
              siteCode: site.code,
              itemTypeCode,
              batchId: inserted.id,
              kind: "receipt",
              quantity: lot,
              occurredAt: receivedAt,
              actor: "demo-seed",
              note: "demo opening stock",
            })
            .run();
          batchCount += 1;
        }
      }

      const shelfItem = SHELF_ITEM_BY_SITE[site.code] ?? DEFAULT_SHELF_ITEM;
      const shelfType = typeByCode.get(shelfItem);
      if (!shelfType) throw new Error(`demo shelf item ${shelfItem} is not in the catalogue`);
      db.insert(devices)
        .values([
          {
            id: `${site.code}-SH1`,
            siteCode: site.code,
            kind: "shelf",
            name: `Weight shelf 1 (${shelfType.name})`,
            model: "demo load-cell shelf",
          },
          {
            id: `${site.code}-ENV1`,
            siteCode: site.code,
            kind: "env",
            name: "Storeroom temperature and humidity",
            model: "demo SenML sensor",
          },
        ])
        .run();
      db.insert(shelves)
        .values({
          id: `${site.code}-SHELF1`,
          siteCode: site.code,
          deviceId: `${site.code}-SH1`,
          itemTypeCode: shelfItem,
          tareKg: DEMO_SHELF_TARE_KG,
          unitWeightKg: shelfType.unitWeightKg,
          capacityKg: demoShelfCapacityKg(
            DEMO_SHELF_TARE_KG + (holdings[shelfItem] ?? 0) * shelfType.unitWeightKg,
          ),
          zone: "A",
        })
        .run();
      deviceCount += 2;
    }

    RFID_SITES.forEach(({ siteCode, model }, siteIndex) => {
      const readerId = `${siteCode}-RD1`;
      db.insert(devices)
        .values({ id: readerId, siteCode, kind: "rfid", name: "RFID reader (aisles and dock)", model })
        .run();
      db.insert(readerAntennas)
        .values(DEMO_ANTENNAS.map((a) => ({ deviceId: readerId, ...a })))
        .run();
      deviceCount += 1;
      for (const [itemTypeCode, itemReference] of Object.entries(TAGGED_ITEMS)) {
        const body = `${itemReference.slice(0, 1)}${DEMO_COMPANY_PREFIX}${itemReference.slice(1)}`;
        const gtin14 = body + gs1CheckDigit(body);
        const lots = database.sqlite
          .prepare(
            "SELECT id, received_qty AS qty FROM batches WHERE site_code = ? AND item_type_code = ? ORDER BY id",
          )
          .all(siteCode, itemTypeCode) as Array<{ id: number; qty: number }>;
        lots.forEach((lot, lotIndex) => {
          const serialFrom = (siteIndex + 1) * 100_000 + lotIndex * 10_000;
          db.insert(tagRanges)
            .values({
              gtin14,
              companyPrefixDigits: DEMO_COMPANY_PREFIX.length,
              serialFrom,
              serialTo: serialFrom + lot.qty - 1,
              itemTypeCode,
              batchId: lot.id,
              siteCode,
              units: 1,
            })
            .run();
        });
      }
    });
  })();

  return {
    sites: DEMO_SITES.length,
    itemTypes: ITEM_TYPES.length,
    batches: batchCount,
    devices: deviceCount,
  };
}

/**
 * What a site holds at the start. Tiers with a standard get a spread around it, so the demo shows
 * every status: about 8 % critical, 17 % low, 65 % at standard and 10 % over.
 */
function demoShelfCapacityKg(openingGrossKg: number): number {
  const needed = openingGrossKg * 1.25;
  return DEMO_SHELF_CAPACITIES_KG.find((kg) => kg >= needed) ?? Math.ceil(needed);
}

function openingHoldings(
  siteCode: string,
  required: Record<string, number> | undefined,
  random: () => number,
): Record<string, number> {
  if (CONTRACT_STOCK[siteCode]) return CONTRACT_STOCK[siteCode];
  const holdings: Record<string, number> = {};
  for (const [itemTypeCode, requiredQty] of Object.entries(required ?? {})) {
    const roll = random();
    const factor =
      roll < 0.08
        ? 0.3 + random() * 0.25
        : roll < 0.25
          ? 0.65 + random() * 0.3
          : roll < 0.9
            ? 1 + random() * 0.4
            : 1.55 + random() * 0.35;
    holdings[itemTypeCode] = Math.max(1, Math.round(requiredQty * factor));
  }
  return holdings;
}

function splitIntoBatches(quantity: number, random: () => number): number[] {
  const parts = quantity < 4 ? 1 : 1 + Math.floor(random() * 3);
  const lots: number[] = [];
  let left = quantity;
  for (let i = parts; i > 1; i -= 1) {
    const lot = Math.max(1, Math.round((left / i) * (0.6 + random() * 0.8)));
    if (lot >= left) break;
    lots.push(lot);
    left -= lot;
  }
  lots.push(left);
  return lots;
}

/**
 * Expiring stock: remaining life spread so that about 5 % of batches are expired and 15 % are inside
 * the last quarter of their life. Durable equipment: ages up to a little past the service life.
 */
function batchDates(
  type: (typeof ITEM_TYPES)[number],
  today: string,
  random: () => number,
): { production: string; expiry: string | null } {
  if (type.lifecycle === "expiring" && type.shelfLifeDays) {
    const roll = random();
    const remaining =
      roll < 0.05 ? -0.1 * random() - 0.01 : roll < 0.2 ? 0.02 + random() * 0.22 : 0.3 + random() * 0.68;
    const ageDays = Math.round((1 - remaining) * type.shelfLifeDays);
    const production = addDays(today, -ageDays);
    return { production, expiry: addDays(production, type.shelfLifeDays) };
  }
  const life = type.serviceLifeDays ?? 3650;
  const ageDays = Math.round(random() * life * 1.03);
  return { production: addDays(today, -ageDays), expiry: null };
}
