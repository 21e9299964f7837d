/**
 * Roll-ups of per-site stock lines: by tier, by city, or the whole region. Pure: the caller computes
 * each site's lines (stockLine) and chooses the grouping.
 */
import {
  DEFAULT_STOCK_POLICY,
  type StockLine,
  type StockPolicy,
  type StockStatus,
  stockLine,
  stockStatus,
  summariseStock,
} from "./stock.ts";

export interface SiteStockLines {
  siteCode: string;
  tier: string;
  city: string | null;
  /** One line per item type held or standardised at the site; a site's StockLine[] fits as is. */
  lines: ReadonlyArray<{
    itemTypeCode: string;
    onHandQty: number;
    bookQty: number;
    sensedQty: number | null;
    requiredQty: number;
    minQty: number;
    /** Held for approved dispatches; none when absent. */
    reservedQty?: number;
    /** On hand less reserved, as stockLine gives it; onHandQty less reservedQty (at least 0) when absent. */
    availableQty?: number;
    status: StockStatus;
  }>;
}

export interface RollupLine {
  itemTypeCode: string;
  onHandQty: number;
  bookQty: number;
  reservedQty: number;
  /** Sum of the sites' available quantities (each site's on hand less its own reservations). */
  availableQty: number;
  requiredQty: number;
  minQty: number;
  /** Status of the sums, judged as stockLine judges a site: on the available quantity. */
  status: StockStatus;
  /** Sites in the group with a line for this item type. */
  sites: number;
  /** Those sites by their own status for this item type. */
  sitesByStatus: Record<StockStatus, number>;
}

export interface Rollup {
  key: string;
  /** Sites in the group, including sites with no stock lines. */
  sites: number;
  /** The worst status of the group's roll-up lines; "none" when no site in it has a line. */
  status: StockStatus | "none";
  counts: Record<StockStatus, number>;
  /** By item type code. */
  items: RollupLine[];
}

function byCode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * summariseStock reads only each line's status but is typed for a site's StockLine, which a roll-up
 * line is not (no name, unit or basis). stockLine builds a well-formed one from the sums, so this
 * keeps compiling as StockLine gains fields; the roll-up's own status is then put on it.
 */
function asStockLine(line: RollupLine, policy: StockPolicy): StockLine {
  const built = stockLine(
    {
      itemTypeCode: line.itemTypeCode,
      itemTypeName: line.itemTypeCode,
      unit: "",
      bookQty: line.bookQty,
      sensedQty: null,
      requiredQty: line.requiredQty,
      minQty: line.minQty,
      reservedQty: line.reservedQty,
    },
    policy,
  );
  return { ...built, status: line.status };
}

/**
 * Groups sites by groupKey (null: the site belongs to no group and is skipped; () => "region" gives
 * one group for everything) and sums their lines per item type. Sorted by key.
 *
 * A roll-up line's status judges the sums, as if the group were one depot: a surplus at one site
 * covers a gap at another. So a group can be "ok" in total while sites in it are low or critical,
 * which matters when the stock cannot be moved in time; sitesByStatus keeps that visible.
 */
export function rollup(
  groupKey: (s: SiteStockLines) => string | null,
  sites: readonly SiteStockLines[],
  // The policy the sites' own statuses were judged by, so the sums are judged alike.
  policy: StockPolicy = DEFAULT_STOCK_POLICY,
): Rollup[] {
  const groups = new Map<string, SiteStockLines[]>();
  for (const site of sites) {
    const key = groupKey(site);
    if (key === null) continue;
    const members = groups.get(key);
    if (members) members.push(site);
    else groups.set(key, [site]);
  }

  return [...groups]
    .sort(([a], [b]) => byCode(a, b))
    .map(([key, members]) => {
      const byItem = new Map<string, RollupLine>();
      for (const site of members) {
        for (const line of site.lines) {
          let total = byItem.get(line.itemTypeCode);
          if (!total) {
            total = {
              itemTypeCode: line.itemTypeCode,
              onHandQty: 0,
              bookQty: 0,
              reservedQty: 0,
              availableQty: 0,
              requiredQty: 0,
              minQty: 0,
              status: "ok",
              sites: 0,
              sitesByStatus: { ok: 0, low: 0, critical: 0, over: 0 },
            };
            byItem.set(line.itemTypeCode, total);
          }
          const reserved = line.reservedQty ?? 0;
          total.onHandQty += line.onHandQty;
          total.bookQty += line.bookQty;
          total.reservedQty += reserved;
          // Summed per site: a reservation beyond one site's stock does not eat another site's.
          total.availableQty += line.availableQty ?? Math.max(0, line.onHandQty - reserved);
          total.requiredQty += line.requiredQty;
          total.minQty += line.minQty;
          total.sites += 1;
          total.sitesByStatus[line.status] += 1;
        }
      }
      const items = [...byItem.values()]
        .map((total) => ({
          ...total,
          status: stockStatus(total.availableQty, total.requiredQty, total.minQty, policy),
        }))
        .sort((a, b) => byCode(a.itemTypeCode, b.itemTypeCode));
      const { status, counts } = summariseStock(items.map((item) => asStockLine(item, policy)));
      return { key, sites: members.length, status, counts, items };
    });
}
