/**
 * Environment excursions: a storeroom outside an item type's storage conditions. One excursion per
 * (item type, measurement, bound) is open at a time; it ends at the first reading back inside.
 * Pure: the caller persists opened, updated and closed excursions.
 */

export interface StorageLimits {
  itemTypeCode: string;
  minTempC: number | null;
  maxTempC: number | null;
  maxRhPct: number | null;
}

export interface EnvReading {
  measurement: "temp" | "hum";
  value: number;
  time: number;
}

export interface OpenExcursion {
  id: number;
  itemTypeCode: string;
  measurement: "temp" | "hum";
  bound: "max" | "min";
  limitValue: number;
  peakValue: number;
}

export interface ExcursionChanges {
  opened: Array<Omit<OpenExcursion, "id"> & { startedAt: number }>;
  peaks: Array<{ id: number; peakValue: number }>;
  closed: Array<{ id: number; endedAt: number }>;
}

/** Which limits a reading breaks, one entry per item type and bound. */
function breaches(reading: EnvReading, limits: readonly StorageLimits[]) {
  const found: Array<{ itemTypeCode: string; bound: "max" | "min"; limitValue: number }> = [];
  for (const l of limits) {
    if (reading.measurement === "temp") {
      if (l.maxTempC !== null && reading.value > l.maxTempC)
        found.push({ itemTypeCode: l.itemTypeCode, bound: "max", limitValue: l.maxTempC });
      if (l.minTempC !== null && reading.value < l.minTempC)
        found.push({ itemTypeCode: l.itemTypeCode, bound: "min", limitValue: l.minTempC });
    } else if (l.maxRhPct !== null && reading.value > l.maxRhPct) {
      found.push({ itemTypeCode: l.itemTypeCode, bound: "max", limitValue: l.maxRhPct });
    }
  }
  return found;
}

export function evaluateExcursions(
  open: readonly OpenExcursion[],
  reading: EnvReading,
  limits: readonly StorageLimits[],
): ExcursionChanges {
  const changes: ExcursionChanges = { opened: [], peaks: [], closed: [] };
  const current = breaches(reading, limits);
  const key = (x: { itemTypeCode: string; bound: string }) => `${x.itemTypeCode}|${x.bound}`;
  const breached = new Map(current.map((b) => [key(b), b]));
  for (const excursion of open) {
    if (excursion.measurement !== reading.measurement) continue;
    if (!breached.has(key(excursion))) {
      changes.closed.push({ id: excursion.id, endedAt: reading.time });
      continue;
    }
    breached.delete(key(excursion));
    const worse =
      excursion.bound === "max" ? reading.value > excursion.peakValue : reading.value < excursion.peakValue;
    if (worse) changes.peaks.push({ id: excursion.id, peakValue: reading.value });
  }
  for (const b of breached.values()) {
    changes.opened.push({
      ...b,
      measurement: reading.measurement,
      peakValue: reading.value,
      startedAt: reading.time,
    });
  }
  return changes;
}
