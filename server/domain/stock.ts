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
}

export interface StockLine extends StockInput {
  onHandQty: number;
  /** Where onHandQty comes from: the sensors when they measure the item type, else the ledger. */
  basis: "sensed" | "book";
  status: StockStatus;
}

export function stockLine(input: StockInput, policy: StockPolicy = DEFAULT_STOCK_POLICY): StockLine {
  const basis = input.sensedQty === null ? "book" : "sensed";
  const onHandQty = input.sensedQty ?? input.bookQty;
  return {
    ...input,
    onHandQty,
    basis,
    status: stockStatus(onHandQty, input.requiredQty, input.minQty, policy),
  };
}

const SEVERITY: Record<StockStatus, number> = { ok: 0, over: 1, low: 2, critical: 3 };

export function summariseStock(lines: readonly StockLine[]): {
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
