/**
 * Stock figures for one site against its tier's allocation standard. Pure: the caller gathers the
 * numbers, this decides what they mean.
 */

export const STOCK_STATUSES = ["ok", "low", "critical", "over"] as const;
export type StockStatus = (typeof STOCK_STATUSES)[number];
export type SiteStockStatus = StockStatus | "none";

export interface StockPolicy {
  /** On hand above required x this is "over" (stock tied up that another site may need). */
  overFactor: number;
}

export const DEFAULT_STOCK_POLICY: StockPolicy = { overFactor: 1.5 };

/**
 * critical: below the minimum standard; low: below the required quantity; over: above
 * required x overFactor; ok otherwise. An item type with no standard at this tier is ok.
 */
export function stockStatus(
  onHandQty: number,
  requiredQty: number,
  minQty: number,
  policy: StockPolicy = DEFAULT_STOCK_POLICY,
): StockStatus {
  if (onHandQty < minQty) return "critical";
  if (onHandQty < requiredQty) return "low";
  if (requiredQty > 0 && onHandQty > requiredQty * policy.overFactor) return "over";
  return "ok";
}

export interface StockInput {
  itemTypeCode: string;
  itemTypeName: string;
  unit: string;
  bookQty: number;
  /** Null when no sensor at the site measures this item type (or none has reported yet). */
  sensedQty: number | null;
  requiredQty: number;
  minQty: number;
  /** Held for approved dispatches; changed only through reservations. */
  reservedQty?: number;
  /**
   * What the sensors can vouch for. A weight shelf weighs all of the type at the site; RFID counts
   * only tagged units, so where fewer units are tagged than the book holds, the tags can show
   * what is missing but not what the untagged rest is.
   */
  sensing?: { shelves: boolean; taggedUnitsExpected: number; taggedUnitsPresent: number };
}

export interface StockLine extends StockInput {
  onHandQty: number;
  /**
   * Where onHandQty comes from: the sensors when they measure all of the item type (a shelf, or
   * every unit tagged), the book less the tagged units missing when only some are tagged
   * (reconciled), else the ledger.
   */
  basis: "sensed" | "reconciled" | "book";
  reservedQty: number;
  /** On hand less reserved: what can still be used. Computed, never stored. */
  availableQty: number;
  status: StockStatus;
}

/** Judges the available quantity (on hand less reserved) against the standard. */
export function stockLine(input: StockInput, policy: StockPolicy = DEFAULT_STOCK_POLICY): StockLine {
  const { basis, onHandQty } = onHand(input);
  const reservedQty = input.reservedQty ?? 0;
  const availableQty = Math.max(0, onHandQty - reservedQty);
  // Object.assign rather than a spread: the same object, but V8 (Node 20) builds a spread followed
  // by more properties several times slower, and every stock line and alert evaluation makes these.
  return Object.assign({}, input, {
    onHandQty,
    basis,
    reservedQty,
    availableQty,
    status: stockStatus(availableQty, input.requiredQty, input.minQty, policy),
  });
}

function onHand(input: StockInput): { basis: StockLine["basis"]; onHandQty: number } {
  if (input.sensedQty === null) return { basis: "book", onHandQty: input.bookQty };
  const sensing = input.sensing;
  if (!sensing || sensing.shelves || sensing.taggedUnitsExpected >= input.bookQty) {
    return { basis: "sensed", onHandQty: input.sensedQty };
  }
  const missing = Math.max(0, sensing.taggedUnitsExpected - sensing.taggedUnitsPresent);
  return { basis: "reconciled", onHandQty: Math.max(0, input.bookQty - missing) };
}

/** How each figure of a stock line is derived, for the API to say. */
export const STOCK_DERIVATION = {
  bookQty:
    "sum of the stock ledger (receipts, issues, transfers, adjustments, rotations, dispatches) for the site and item type",
  sensedQty:
    "shelf counts (weight less tare, divided by unit weight, with hysteresis) plus RFID tags present x units per tag; null when no sensor measures the item type",
  onHandQty:
    "sensedQty when the sensors measure all of the item type (a weight shelf, or every unit on the book tagged); bookQty less the tagged units registered here but not present when only part is tagged (basis reconciled); else bookQty",
  reservedQty: "sum of open reservations (approved dispatches not yet shipped)",
  availableQty: "onHandQty - reservedQty, at least 0",
  requiredQty: "allocation standard of the site's tier for the item type",
  minQty: "minimum standard of the site's tier for the item type",
  status:
    "of availableQty: critical below minQty, low below requiredQty, over above requiredQty x the item type's over factor (default 1.5), else ok",
} as const;

/** How bad each status is, for "the worst item" (also used by the browser console). */
export const STOCK_STATUS_SEVERITY: Readonly<Record<StockStatus, number>> = {
  ok: 0,
  over: 1,
  low: 2,
  critical: 3,
};
const SEVERITY = STOCK_STATUS_SEVERITY;

export function summariseStock(lines: readonly Pick<StockLine, "status">[]): {
  status: SiteStockStatus;
  counts: Record<StockStatus, number>;
} {
  const counts: Record<StockStatus, number> = { ok: 0, low: 0, critical: 0, over: 0 };
  let status: SiteStockStatus = "none";
  for (const line of lines) {
    counts[line.status] += 1;
    if (status === "none" || SEVERITY[line.status] > SEVERITY[status]) status = line.status;
  }
  return { status, counts };
}
