/**
 * The flat environment form LoRaWAN network servers forward once a payload formatter has decoded a
 * sensor uplink: {"temperature":21.5,"humidity":48,"battery":92}. Pure; the readings use the same
 * measurement names and units as the SenML form, so both land in one series.
 */

import type { ReadingLimits } from "../../domain/reading-limits.ts";
import { DecodeError } from "./decode-error.ts";
import { checkRange, envRange } from "./plausibility.ts";
import { parseIsoTimestampMs } from "./rfid.ts";

export interface FlatEnvReading {
  measurement: "temp" | "hum" | "battery";
  unit: "Cel" | "%RH" | "%";
  value: number;
  /** UNIX milliseconds. */
  time: number;
}

/**
 * Each field's measurement and unit. A value outside its range (the same limits as SenML's, from
 * the settings) is a sensor or formatter fault (an unscaled raw count, a Fahrenheit reading), and
 * storing it would raise false temperature excursions.
 */
const FIELDS = [
  { field: "temperature", measurement: "temp", unit: "Cel" },
  { field: "humidity", measurement: "hum", unit: "%RH" },
  { field: "battery", measurement: "battery", unit: "%" },
] as const;

/** UNIX seconds beyond this (year 5138) are almost surely milliseconds sent by mistake. */
const MAX_UNIX_SECONDS = 1e11;

export function decodeFlatEnv(
  body: Record<string, unknown>,
  receivedAtMs: number,
  limits: ReadingLimits,
): FlatEnvReading[] {
  if (body.temperature === undefined && body.humidity === undefined) {
    throw new DecodeError('flat environment message needs "temperature" or "humidity"');
  }
  const time = messageTime(body, receivedAtMs);
  const readings: FlatEnvReading[] = [];
  for (const { field, measurement, unit } of FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new DecodeError(`${field} must be a finite number, not ${describe(value)}`);
    }
    checkRange(field, value, envRange(measurement, limits), unit);
    readings.push({ measurement, unit, value, time });
  }
  return readings;
}

/** `time` or `timestamp`, as an ISO 8601 string with offset or UNIX seconds; else the receive time. */
function messageTime(body: Record<string, unknown>, receivedAtMs: number): number {
  const times = (["time", "timestamp"] as const)
    .filter((field) => body[field] !== undefined)
    .map((field) => ({ field, ms: parseTime(body[field], field) }));
  const [first, second] = times;
  if (!first) return receivedAtMs;
  if (second && second.ms !== first.ms) {
    throw new DecodeError("time and timestamp are both given and disagree");
  }
  return first.ms;
}

function parseTime(value: unknown, field: string): number {
  if (typeof value === "string") {
    const ms = parseIsoTimestampMs(value);
    if (ms === null) {
      throw new DecodeError(`${field} ${describe(value)} is not an ISO 8601 date-time with a UTC offset`);
    }
    return ms;
  }
  if (typeof value === "number" && Number.isFinite(value)) {
    if (value >= MAX_UNIX_SECONDS) {
      throw new DecodeError(`${field} ${value} looks like milliseconds; send UNIX seconds`);
    }
    if (value < 0) throw new DecodeError(`${field} ${value} is before 1970`);
    return Math.round(value * 1000);
  }
  throw new DecodeError(`${field} must be an ISO 8601 string or UNIX seconds, not ${describe(value)}`);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
