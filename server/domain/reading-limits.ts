/**
 * What a device reading may plausibly say, in one place: the decoders of every format (SenML, the
 * flat LoRaWAN form, RFID, status) check against these, and the settings (server/config.ts) only
 * change the numbers. A reading outside them is a faulty sensor, a misconfigured unit or a wrong
 * clock, and storing it would move stock or open excursions that never happened.
 */

export interface ValueRange {
  min: number;
  max: number;
}

export interface ReadingLimits {
  /** How far (ms) a reading may be dated after the message arrived: a device clock running ahead. */
  maxClockSkewMs: number;
  /**
   * How long (ms) before the message arrived a reading may be dated: a device or gateway that
   * buffered readings while offline sends them late, but not older than this.
   */
  maxReadingAgeMs: number;
  /** Storeroom temperature, °C. */
  temperatureC: ValueRange;
  /** Relative humidity, %. */
  humidityPct: ValueRange;
  /** The capacity of a shelf whose own (shelves.capacity_kg) is not recorded. */
  defaultShelfCapacityKg: number;
}

export const DEFAULT_READING_LIMITS: ReadingLimits = {
  maxClockSkewMs: 300_000,
  maxReadingAgeMs: 7 * 24 * 3600 * 1000,
  temperatureC: { min: -60, max: 100 },
  humidityPct: { min: 0, max: 100 },
  defaultShelfCapacityKg: 1000,
};

/**
 * Load cells are specified in percent of their rated capacity (full scale): zero drift after taring
 * and the error near full load are within a few percent of it. So a shelf reads from 2 % of its
 * capacity below zero to 2 % above its capacity; beyond that the reading is a fault (an unscaled
 * raw count, a cell pulled off its mount), not a load.
 */
export const SHELF_WEIGHT_TOLERANCE = 0.02;

/** The gross weights (kg, tare included) a shelf of this capacity can plausibly report. */
export function shelfWeightRange(capacityKg: number): ValueRange {
  const tolerance = capacityKg * SHELF_WEIGHT_TOLERANCE;
  return { min: -tolerance, max: capacityKg + tolerance };
}

/** Battery charge in percent, as the flat form sends it; SenML's %EL is the same figure. */
export const BATTERY_RANGE_PCT: ValueRange = { min: 0, max: 100 };

/** "-60..100" -> {min: -60, max: 100}; null when the text is not such a range with min < max. */
export function parseValueRange(text: string): ValueRange | null {
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!match) return null;
  const min = Number(match[1]);
  const max = Number(match[2]);
  return min < max ? { min, max } : null;
}

export function formatValueRange(range: ValueRange): string {
  return `${range.min}..${range.max}`;
}
