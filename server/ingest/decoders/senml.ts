/**
 * SenML JSON (RFC 8428) packs from weight shelves and environment sensors.
 * Pure: the time a relative record refers to is computed from the message's receive time, so a
 * replay of the journal gives the same readings as the first pass. Which units and values a kind
 * of device may send is checked by the caller (plausibility.ts).
 */

import { DecodeError } from "./decode-error.ts";
import { parseDeviceJson } from "./json.ts";

export { DecodeError } from "./decode-error.ts";

export interface SenmlReading {
  /** Index of the record in the pack, for reasons that point at it. */
  record: number;
  /** Full name: base name + name (RFC 8428 §4.5.1). */
  name: string;
  /** The last `:`- or `/`-separated part of the name, e.g. "weight" or "temp". */
  measurement: string;
  unit: string | undefined;
  value: number;
  /** UNIX milliseconds. */
  time: number;
}

/** Times below 2^28 are relative to "now" (RFC 8428 §4.5.3). */
const RELATIVE_TIME_LIMIT = 2 ** 28;
/** RFC 8428 §4.5.1: names start with a letter or digit and use only these characters. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9\-:./_]*$/;

/**
 * Records in one pack: more than a shelf or sensor sends at once (a device catching up on a
 * backlog sends it in several packs). Like RFID's event cap, a bigger pack is a fault or an
 * attack, refused before its records are looked at.
 */
export const MAX_SENML_RECORDS = 1000;

/**
 * RFC 9039 device URNs: `urn:dev:{type}:{id}...`; the platform's devices name themselves
 * `urn:dev:{kind}:{deviceId}:`. Compared without regard to case, as URN schemes and NIDs are
 * (RFC 8141 §3.1), so "URN:DEV:" does not slip past.
 */
const DEVICE_URN_PREFIX = "urn:dev:";

/** Units converted on the way in, so a stored series has one unit. */
const UNIT_CONVERSIONS: Record<string, { unit: string; factor: number }> = {
  g: { unit: "kg", factor: 0.001 },
};

/**
 * `sender` is the device id of the topic the pack came on: a name under `urn:dev:` must name that
 * device, so a device cannot file readings as another one's.
 */
export function decodeSenml(payload: Buffer | string, receivedAtMs: number, sender: string): SenmlReading[] {
  return decodeSenmlPack(parseDeviceJson(payload), receivedAtMs, sender);
}

/** The same, for a pack already parsed from JSON. */
export function decodeSenmlPack(pack: unknown, receivedAtMs: number, sender: string): SenmlReading[] {
  if (!Array.isArray(pack)) throw new DecodeError("SenML pack must be a JSON array of records");
  if (pack.length === 0) throw new DecodeError("SenML pack is empty");
  if (pack.length > MAX_SENML_RECORDS) {
    throw new DecodeError(
      `SenML pack has ${pack.length} records; at most ${MAX_SENML_RECORDS} are accepted in one message`,
    );
  }

  let baseName = "";
  let baseTime = 0;
  let baseUnit: string | undefined;
  let baseValue = 0;
  const readings: SenmlReading[] = [];

  // A loop, not forEach: no closure per message on this hot path.
  for (let index = 0; index < pack.length; index += 1) {
    const record: unknown = pack[index];
    const at = `record ${index}`;
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      throw new DecodeError(`${at} is not an object`);
    }
    const r = record as Record<string, unknown>;
    for (const key of Object.keys(r)) {
      // RFC 8428 §4.4: fields ending in "_" must be understood, so a pack carrying one is rejected.
      if (key.endsWith("_")) throw new DecodeError(`${at} has must-understand field "${key.slice(0, 40)}"`);
    }
    if (r.bver !== undefined && (typeof r.bver !== "number" || r.bver > 10)) {
      throw new DecodeError(`${at}: unsupported SenML version ${JSON.stringify(r.bver)}`);
    }
    if (r.bn !== undefined) baseName = expectString(r.bn, `${at}.bn`);
    if (r.bt !== undefined) baseTime = expectNumber(r.bt, `${at}.bt`);
    if (r.bu !== undefined) baseUnit = expectString(r.bu, `${at}.bu`);
    if (r.bv !== undefined) baseValue = expectNumber(r.bv, `${at}.bv`);

    const hasValue =
      r.v !== undefined ||
      r.vs !== undefined ||
      r.vb !== undefined ||
      r.vd !== undefined ||
      r.s !== undefined;
    if (!hasValue) {
      // A record carrying only base fields is allowed; it just sets the context.
      if (r.n !== undefined || r.u !== undefined || r.t !== undefined) {
        throw new DecodeError(`${at} has no value (v, vs, vb, vd or s)`);
      }
      continue;
    }
    if (r.vs !== undefined || r.vb !== undefined || r.vd !== undefined) {
      throw new DecodeError(`${at}: only numeric values (v) are accepted, not vs, vb or vd`);
    }
    if (r.v === undefined) throw new DecodeError(`${at}: a sum (s) without a value (v) is not a reading`);

    const name = baseName + (r.n === undefined ? "" : expectString(r.n, `${at}.n`));
    if (!NAME_PATTERN.test(name))
      throw new DecodeError(`${at}: name "${name.slice(0, 80)}" is not a valid SenML name`);
    const foreign = foreignDeviceName(name, sender);
    if (foreign !== null) throw new DecodeError(`${at}: ${foreign}`);
    const rawUnit = r.u === undefined ? baseUnit : expectString(r.u, `${at}.u`);
    const rawValue = baseValue + expectNumber(r.v, `${at}.v`);
    // Own keys only: a unit such as "constructor" or "__proto__" must not find Object.prototype's.
    const conversion =
      rawUnit === undefined || !Object.hasOwn(UNIT_CONVERSIONS, rawUnit)
        ? undefined
        : UNIT_CONVERSIONS[rawUnit];
    const time = baseTime + (r.t === undefined ? 0 : expectNumber(r.t, `${at}.t`));
    const timeMs = Math.abs(time) < RELATIVE_TIME_LIMIT ? receivedAtMs + time * 1000 : time * 1000;
    if (!Number.isFinite(timeMs) || timeMs < 0 || timeMs > 8.64e15)
      throw new DecodeError(`${at}: time out of range`);

    readings.push({
      record: index,
      name,
      measurement: lastNamePart(name),
      unit: conversion ? conversion.unit : rawUnit,
      value: conversion ? rawValue * conversion.factor : rawValue,
      time: Math.round(timeMs),
    });
  }
  if (readings.length === 0) throw new DecodeError("SenML pack carries no values");
  return readings;
}

/**
 * Null when the name is the sender's own or no device URN at all (then it is just a measurement
 * name); otherwise why it is refused. The device part is the segment after `urn:dev:{type}:`, up to
 * the next `:` or `/`.
 */
function foreignDeviceName(name: string, sender: string): string | null {
  if (name.length < DEVICE_URN_PREFIX.length) return null;
  if (name.slice(0, DEVICE_URN_PREFIX.length).toLowerCase() !== DEVICE_URN_PREFIX) return null;
  const typeEnd = name.indexOf(":", DEVICE_URN_PREFIX.length);
  if (typeEnd > DEVICE_URN_PREFIX.length) {
    let idEnd = typeEnd + 1;
    while (idEnd < name.length && name[idEnd] !== ":" && name[idEnd] !== "/") idEnd += 1;
    const id = name.slice(typeEnd + 1, idEnd);
    if (id === sender) return null;
    if (id.length > 0) {
      return `name "${name.slice(0, 80)}" names device "${id.slice(0, 64)}", not the sender "${sender}"`;
    }
  }
  return `name "${name.slice(0, 80)}" does not name a device as urn:dev:{kind}:{id}:`;
}

/** The last non-empty `:`- or `/`-separated part of a name ("urn:dev:shelf:X:weight" -> "weight"). */
function lastNamePart(name: string): string {
  let end = name.length;
  while (end > 0 && (name[end - 1] === ":" || name[end - 1] === "/")) end -= 1;
  if (end === 0) return name;
  let start = end;
  while (start > 0 && name[start - 1] !== ":" && name[start - 1] !== "/") start -= 1;
  return name.slice(start, end);
}

function expectString(value: unknown, field: string): string {
  if (typeof value !== "string") throw new DecodeError(`${field} must be a string`);
  return value;
}

function expectNumber(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new DecodeError(`${field} must be a finite number`);
  return value;
}
