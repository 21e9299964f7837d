/**
 * Units on a weight shelf from its load-cell weight. A reading a little below the tare (sensor drift)
 * counts as empty rather than negative.
 */
export function shelfUnits(weightKg: number, tareKg: number, unitWeightKg: number): number {
  if (!(unitWeightKg > 0)) throw new RangeError(`unit weight must be positive, got ${unitWeightKg}`);
  const units = Math.round((weightKg - tareKg) / unitWeightKg);
  return Math.max(units, 0);
}

/**
 * The count a keeper sees, with hysteresis: a weight near the midpoint between two counts (noise,
 * a hand resting on the shelf) keeps the previous count. The count changes only once the weight
 * is more than half a unit plus `marginUnits` away from it.
 */
export function shelfCount(
  previousUnits: number | null,
  weightKg: number,
  tareKg: number,
  unitWeightKg: number,
  marginUnits = 0.2,
): number {
  const nearest = shelfUnits(weightKg, tareKg, unitWeightKg);
  if (previousUnits === null) return nearest;
  const exact = (weightKg - tareKg) / unitWeightKg;
  return Math.abs(exact - previousUnits) < 0.5 + marginUnits ? previousUnits : nearest;
}
