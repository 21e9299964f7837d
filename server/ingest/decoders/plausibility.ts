/**
 * Which units each kind of device may send, and whether a value and its time are plausible. Pure:
 * the limits (settings, a shelf's capacity) and the receive time are passed in, so a replay of the
 * journal reaches the same verdict as the first pass. Every refusal is a DecodeError with a reason.
 */

import {
  BATTERY_RANGE_PCT,
  type ReadingLimits,
  shelfWeightRange,
  type ValueRange,
} from "../../domain/reading-limits.ts";
import { DecodeError } from "./decode-error.ts";
import type { SenmlReading } from "./senml.ts";

/** A reading's measurement, unit and value once its kind's rules accept it. */
export interface CheckedValue {
  measurement: string;
  unit: string;
  value: number;
}

/**
 * An environment pack's records: each unit is one measurement under one name. Kelvin, °F and the
 * like are refused, not converted: a sensor sending them to a platform documented as Cel is
 * misconfigured, and whatever else it gets wrong is better fixed at the sensor. `%EL` (RFC 8428's
 * remaining battery level) is stored as the flat form's battery in `%`, so both land in one series.
 */
const ENV_UNITS: Record<string, { measurement: string; storedUnit: string }> = {
  Cel: { measurement: "temp", storedUnit: "Cel" },
  "%RH": { measurement: "hum", storedUnit: "%RH" },
  "%EL": { measurement: "battery", storedUnit: "%" },
};
const ENV_UNIT_LIST = "Cel, %RH or %EL";
const ENV_NAME_LIST = "temp in Cel, hum in %RH or battery in %EL";

/**
 * A shelf record: a mass, whatever its name (a load cell reports one thing). The SenML decoder has
 * turned g into kg already (RFC 8428 registers both; the factor is exact by definition).
 */
export function checkShelfRecord(reading: SenmlReading, capacityKg: number): CheckedValue {
  const at = `record ${reading.record}`;
  if (reading.unit !== "kg") {
    throw new DecodeError(
      reading.unit === undefined
        ? `${at} has no unit; a shelf sends kg or g`
        : `${at}: unit ${quote(reading.unit)} is not accepted on a shelf; send kg or g`,
    );
  }
  const range = shelfWeightRange(capacityKg);
  if (!(reading.value >= range.min && reading.value <= range.max)) {
    throw new DecodeError(
      `${at}: weight ${reading.value} kg is outside ${rangeText(range)} kg, the plausible range of a shelf of ${capacityKg} kg capacity`,
    );
  }
  return { measurement: "weight", unit: "kg", value: reading.value };
}

/** An environment record: temp in Cel, hum in %RH or battery in %EL, each within its range. */
export function checkEnvRecord(reading: SenmlReading, limits: ReadingLimits): CheckedValue {
  const at = `record ${reading.record}`;
  const unit = reading.unit;
  if (unit === undefined) throw new DecodeError(`${at} has no unit; env takes ${ENV_UNIT_LIST}`);
  // Own keys only: a unit such as "constructor" must not find Object.prototype's.
  const accepted = Object.hasOwn(ENV_UNITS, unit) ? ENV_UNITS[unit] : undefined;
  if (!accepted) {
    throw new DecodeError(`${at}: unit ${quote(unit)} is not accepted on env; send ${ENV_UNIT_LIST}`);
  }
  if (reading.measurement !== accepted.measurement) {
    throw new DecodeError(
      `${at}: ${quote(reading.measurement)} in ${unit} is not an env measurement; send ${ENV_NAME_LIST}`,
    );
  }
  checkRange(`${at}: ${accepted.measurement}`, reading.value, envRange(accepted.measurement, limits), unit);
  return { measurement: accepted.measurement, unit: accepted.storedUnit, value: reading.value };
}

/** The range of an environment measurement, shared by the SenML and the flat form. */
export function envRange(measurement: string, limits: ReadingLimits): ValueRange {
  if (measurement === "temp") return limits.temperatureC;
  if (measurement === "hum") return limits.humidityPct;
  return BATTERY_RANGE_PCT;
}

export function checkRange(what: string, value: number, range: ValueRange, unit: string): void {
  if (!(value >= range.min && value <= range.max)) {
    throw new DecodeError(`${what} ${value} is outside ${rangeText(range)} ${unit}`);
  }
}

/**
 * A reading time against the message's receive time (the journal's, so replays agree): refused
 * when the device clock is ahead by more than the skew allowed, or the reading older than a
 * device's offline buffer plausibly holds. Either way the reading would move state wrongly: a
 * reading from 2200 would make every later real one look late.
 */
export function checkReadingTime(timeMs: number, receivedAtMs: number, limits: ReadingLimits): void {
  if (timeMs > receivedAtMs + limits.maxClockSkewMs) {
    throw new DecodeError(
      `reading time ${isoTime(timeMs)} is ${seconds(timeMs - receivedAtMs)} s after the message arrived (${isoTime(receivedAtMs)}); ` +
        `the device clock is wrong: at most ${seconds(limits.maxClockSkewMs)} s ahead is accepted (MAX_CLOCK_SKEW_S)`,
    );
  }
  if (!(timeMs >= receivedAtMs - limits.maxReadingAgeMs)) {
    throw new DecodeError(
      `reading time ${isoTime(timeMs)} is ${seconds(receivedAtMs - timeMs)} s before the message arrived (${isoTime(receivedAtMs)}); ` +
        `at most ${seconds(limits.maxReadingAgeMs)} s old is accepted (MAX_READING_AGE_S)`,
    );
  }
}

function rangeText(range: ValueRange): string {
  return `${range.min}..${range.max}`;
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}

/** ISO 8601 where the date can say it (years up to 275760), else the raw milliseconds. */
function isoTime(ms: number): string {
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${ms} ms`;
}

/** A unit or name as sent, clipped so a 20,000-character one does not flood the reason. */
function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}
