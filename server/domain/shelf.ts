/**
 * Units on a weight shelf from its load-cell weight. A reading a little below the tare (sensor drift)
 * counts as empty rather than negative.
 */
export function shelfUnits(weightKg: number, tareKg: number, unitWeightKg: number): number {
  if (!(unitWeightKg > 0)) throw new RangeError(`unit weight must be positive, got ${unitWeightKg}`);
  const units = Math.round((weightKg - tareKg) / unitWeightKg);
  return Math.max(units, 0);
}
