/**
 * Mobilisation readiness: how many people a stock can equip from the per-person kit, and what is
 * missing for the target (the 2,000-person mobilisation that must be equippable at any time).
 * Pure: the caller gathers the stock, within the radius it chooses.
 */
import { distanceKm, type LatLon } from "./geo.ts";

/** One line of the per-person kit. Fractions are shares: 0.1 tent per person is one tent per ten. */
export interface KitLine {
  itemTypeCode: string;
  qtyPerPerson: number;
}

export interface Readiness {
  /** People the stock can equip with the whole kit. */
  people: number;
  /** The kit lines that set that number (all of them when several tie). */
  limitingItemTypes: string[];
  perItem: Array<{ itemTypeCode: string; available: number; qtyPerPerson: number; people: number }>;
  target: number;
  meetsTarget: boolean;
  /** What must be added, per item type, to equip the target; only types that fall short. */
  shortfallForTarget: Array<{ itemTypeCode: string; missing: number }>;
}

export const DEFAULT_MOBILISATION_TARGET = 2000;

/**
 * Quotients and products of decimal shares are not exact in binary floating point: 7 / 0.07 is
 * 99.99999999999999 and 100 x 0.07 is 7.000000000000001. A value this close to an integer is
 * that integer, so floor and ceil do not lose or add a whole person or item to rounding noise.
 */
const RELATIVE_EPSILON = 1e-9;

function snapToInteger(x: number): number {
  const nearest = Math.round(x);
  return Math.abs(x - nearest) <= RELATIVE_EPSILON * Math.max(1, Math.abs(x)) ? nearest : x;
}

function floorExact(x: number): number {
  return Math.floor(snapToInteger(x));
}

function ceilExact(x: number): number {
  return Math.ceil(snapToInteger(x));
}

/** An own property only: a code such as "constructor" must not read Object.prototype. */
function ownNumber(record: Readonly<Record<string, number>>, key: string): number {
  return Object.hasOwn(record, key) ? (record[key] ?? 0) : 0;
}

/**
 * Lines with no positive quantity ask for nothing and are left out. Two lines for the same item type
 * draw on the same stock, so they are merged (their shares add) rather than each counted in full.
 */
function effectiveKit(kit: readonly KitLine[]): KitLine[] {
  const merged = new Map<string, number>();
  for (const line of kit) {
    if (!(line.qtyPerPerson > 0)) continue;
    merged.set(line.itemTypeCode, (merged.get(line.itemTypeCode) ?? 0) + line.qtyPerPerson);
  }
  return [...merged].map(([itemTypeCode, qtyPerPerson]) => ({ itemTypeCode, qtyPerPerson }));
}

/**
 * People = the fewest people any kit line can equip: floor(available / qtyPerPerson), an item type
 * with no stock equipping nobody. Lines keep the kit's order.
 */
export function readiness(
  kit: readonly KitLine[],
  available: Readonly<Record<string, number>>,
  target = DEFAULT_MOBILISATION_TARGET,
): Readiness {
  const lines = effectiveKit(kit);
  const perItem = lines.map(({ itemTypeCode, qtyPerPerson }) => {
    // Negative stock (a ledger overdrawn) equips nobody rather than a negative number of people.
    const have = Math.max(0, ownNumber(available, itemTypeCode));
    return { itemTypeCode, available: have, qtyPerPerson, people: floorExact(have / qtyPerPerson) };
  });
  // An empty kit defines no equipment at all. The minimum over no lines would be infinity, and
  // reporting unlimited readiness because nobody entered the kit would be a dangerous false "ready";
  // so nothing to equip with means nobody equipped.
  const people = perItem.length === 0 ? 0 : Math.min(...perItem.map((line) => line.people));
  const limitingItemTypes =
    perItem.length === 0 ? [] : perItem.filter((line) => line.people === people).map((l) => l.itemTypeCode);
  const shortfallForTarget = perItem
    .map((line) => ({
      itemTypeCode: line.itemTypeCode,
      missing: Math.max(0, ceilExact(target * line.qtyPerPerson) - line.available),
    }))
    .filter((line) => line.missing > 0);
  return {
    people,
    limitingItemTypes,
    perItem,
    target,
    meetsTarget: perItem.length > 0 && people >= target,
    shortfallForTarget,
  };
}

/**
 * The sites within radiusKm of a point (at exactly the radius counts: "within 200 km" includes
 * 200 km), nearest first; sites at the same distance keep their input order.
 */
export function withinRadius<T extends LatLon>(
  sites: readonly T[],
  point: LatLon,
  radiusKm: number,
): Array<T & { distanceKm: number }> {
  return sites
    .map((site) => ({ ...site, distanceKm: distanceKm(point, site) }))
    .filter((site) => site.distanceKm <= radiusKm)
    .sort((a, b) => a.distanceKm - b.distanceKm);
}

/** Adds up the available quantities of several stocks, per item type. */
export function sumAvailable(
  stocks: ReadonlyArray<Readonly<Record<string, number>>>,
): Record<string, number> {
  // A Map, not an object literal, so no item type code can collide with Object.prototype.
  const total = new Map<string, number>();
  for (const stock of stocks) {
    for (const [itemTypeCode, qty] of Object.entries(stock)) {
      total.set(itemTypeCode, (total.get(itemTypeCode) ?? 0) + qty);
    }
  }
  return Object.fromEntries(total);
}
