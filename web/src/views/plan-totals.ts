import type { DispatchLine } from "../api-types.ts";

/** Quantities of a plan summed per item type, in the order item types first appear in its lines. */
export function planTotals(lines: readonly Pick<DispatchLine, "itemTypeCode" | "quantity">[]) {
  const totals = new Map<string, number>();
  for (const line of lines)
    totals.set(line.itemTypeCode, (totals.get(line.itemTypeCode) ?? 0) + line.quantity);
  return [...totals].map(([itemTypeCode, quantity]) => ({ itemTypeCode, quantity }));
}
