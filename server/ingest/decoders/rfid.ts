/**
 * RFID reader events as the readers publish them: Zebra IoT Connector data events and the Impinj
 * IoT device interface (R700/R720). The topic does not say which, so the format is told by shape.
 * Pure and faithful: no RSSI floor, read-count threshold or zone logic here; presence decides that.
 */

import { DecodeError } from "./decode-error.ts";
import { base64ToHex, normaliseEpcHex } from "./epc.ts";
import { parseDeviceJson } from "./json.ts";

export interface TagRead {
  /** Upper-case hex. */
  epcHex: string;
  antenna: number | null;
  rssiDbm: number | null;
  /** UNIX milliseconds. */
  time: number;
  /** At least 1; Zebra's "reads" when the reader reports it. */
  reads: number;
}

export interface ReaderStatusEvent {
  /** The event key, e.g. "inventoryStatusEvent", "antennaDisconnectedEvent". */
  type: string;
  /** UNIX milliseconds. */
  time: number;
  /** The event's own object, as sent. */
  detail: Record<string, unknown>;
}

export interface RfidDecoded {
  format: "zebra" | "impinj";
  tagReads: TagRead[];
  statusEvents: ReaderStatusEvent[];
}

/** More events than any reader batches; a bigger array is a fault or an attack, not a batch. */
export const MAX_RFID_EVENTS = 10_000;

type RfidFormat = RfidDecoded["format"];
type JsonObject = Record<string, unknown>;

export function decodeRfid(payload: Buffer, receivedAtMs: number): RfidDecoded {
  const body = parseDeviceJson(payload);
  const events = Array.isArray(body) ? body : [body];
  if (events.length === 0) throw new DecodeError("empty array of reader events");
  if (events.length > MAX_RFID_EVENTS) {
    throw new DecodeError(
      `${events.length} reader events in one message; at most ${MAX_RFID_EVENTS} are accepted`,
    );
  }

  let format: RfidFormat | undefined;
  const tagReads: TagRead[] = [];
  const statusEvents: ReaderStatusEvent[] = [];
  events.forEach((event: unknown, index) => {
    const at = `event ${index}`;
    if (!isObject(event)) {
      throw new DecodeError(`not a Zebra or Impinj reader event: ${at} is ${describe(event)}`);
    }
    const eventFormat = detectFormat(event);
    if (!eventFormat) {
      throw new DecodeError(
        `not a Zebra or Impinj reader event: ${at} has keys ${describe(Object.keys(event).slice(0, 8))}`,
      );
    }
    if (format && eventFormat !== format) {
      throw new DecodeError(
        `${at} is in ${eventFormat} format but event 0 is ${format}; a batch must be one format`,
      );
    }
    format = eventFormat;
    if (eventFormat === "zebra") tagReads.push(zebraTagRead(event, at));
    else {
      const decoded = impinjEvent(event, at, receivedAtMs);
      if ("epcHex" in decoded) tagReads.push(decoded);
      else statusEvents.push(decoded);
    }
  });
  // Non-empty array, so the first event set the format (or threw).
  return { format: format as RfidFormat, tagReads, statusEvents };
}

function detectFormat(event: JsonObject): RfidFormat | undefined {
  const data = event.data;
  if ((isObject(data) && data.idHex !== undefined) || (data !== undefined && event.type !== undefined)) {
    return "zebra";
  }
  if (event.tagInventoryEvent !== undefined || event.eventType !== undefined) return "impinj";
  // A status event from older firmware has neither eventType nor always a timestamp, only its key.
  if (impinjEventKeys(event).length > 0) return "impinj";
  return undefined;
}

/** Zebra IoT Connector data event: {type, timestamp, data: {idHex, format, antenna, peakRssi, reads, ...}}. */
function zebraTagRead(event: JsonObject, at: string): TagRead {
  const data = event.data;
  if (!isObject(data)) throw new DecodeError(`${at}: data must be an object`);
  if (data.idHex === undefined) throw new DecodeError(`${at}: data.idHex is missing`);
  const epcHex = typeof data.idHex === "string" ? normaliseEpcHex(data.idHex) : null;
  if (!epcHex) {
    throw new DecodeError(
      `${at}: data.idHex ${describe(data.idHex)} is not an even number of 8 to 124 hex digits`,
    );
  }
  const reads = optionalNumber(data.reads, `${at}: data.reads`);
  if (reads !== null && (!Number.isInteger(reads) || reads < 1)) {
    throw new DecodeError(`${at}: data.reads must be a whole number of at least 1, not ${reads}`);
  }
  return {
    epcHex,
    antenna: optionalAntenna(data.antenna, `${at}: data.antenna`),
    rssiDbm: optionalNumber(data.peakRssi, `${at}: data.peakRssi`),
    time: requiredTime(event.timestamp, `${at}: timestamp`),
    reads: reads ?? 1,
  };
}

/** Impinj IoT device interface event: {timestamp, hostname, eventType?, <eventType>Event: {...}}. */
function impinjEvent(event: JsonObject, at: string, receivedAtMs: number): TagRead | ReaderStatusEvent {
  if (event.eventType !== undefined && typeof event.eventType !== "string") {
    throw new DecodeError(`${at}: eventType must be a string`);
  }
  const keys = impinjEventKeys(event);
  if (event.tagInventoryEvent !== undefined && !keys.includes("tagInventoryEvent")) {
    throw new DecodeError(`${at}: tagInventoryEvent must be an object`);
  }
  if (keys.length > 1) {
    throw new DecodeError(
      `${at} carries ${keys.length} events (${keys.join(", ")}); the interface sends one`,
    );
  }
  const key = keys[0] ?? (event.eventType === undefined ? undefined : `${event.eventType}Event`);
  if (key === undefined) throw new DecodeError(`${at}: no event object`);
  if (event.eventType !== undefined && key !== `${event.eventType}Event`) {
    throw new DecodeError(`${at}: eventType "${event.eventType}" does not match its event object ${key}`);
  }

  if (key === "tagInventoryEvent") {
    const tag = event.tagInventoryEvent;
    if (!isObject(tag))
      throw new DecodeError(`${at}: eventType tagInventory without a tagInventoryEvent object`);
    const rssiCdbm = optionalNumber(tag.peakRssiCdbm, `${at}: tagInventoryEvent.peakRssiCdbm`);
    return {
      epcHex: impinjEpc(tag, at),
      antenna: optionalAntenna(tag.antennaPort, `${at}: tagInventoryEvent.antennaPort`),
      // Centi-dBm: -5800 is -58.00 dBm.
      rssiDbm: rssiCdbm === null ? null : rssiCdbm / 100,
      time: requiredTime(event.timestamp, `${at}: timestamp`),
      reads: 1,
    };
  }
  const detail = event[key];
  return {
    type: key,
    // Status events may come without a timestamp; a present but unreadable one is still an error.
    time: event.timestamp === undefined ? receivedAtMs : requiredTime(event.timestamp, `${at}: timestamp`),
    detail: isObject(detail) ? { ...detail } : {},
  };
}

/** Either `epc` (base64) or `epcHex` may be missing; when both are sent they must be the same tag. */
function impinjEpc(tag: JsonObject, at: string): string {
  let fromHex: string | null = null;
  let fromBase64: string | null = null;
  if (tag.epcHex !== undefined) {
    fromHex = typeof tag.epcHex === "string" ? normaliseEpcHex(tag.epcHex) : null;
    if (!fromHex) {
      throw new DecodeError(
        `${at}: tagInventoryEvent.epcHex ${describe(tag.epcHex)} is not an even number of 8 to 124 hex digits`,
      );
    }
  }
  if (tag.epc !== undefined) {
    const hex = typeof tag.epc === "string" ? base64ToHex(tag.epc) : null;
    fromBase64 = hex === null ? null : normaliseEpcHex(hex);
    if (!fromBase64) {
      throw new DecodeError(
        `${at}: tagInventoryEvent.epc ${describe(tag.epc)} is not base64 of a 4 to 62 byte EPC`,
      );
    }
  }
  if (fromHex && fromBase64 && fromHex !== fromBase64) {
    throw new DecodeError(
      `${at}: tagInventoryEvent.epc (${fromBase64} from base64) and epcHex (${fromHex}) disagree`,
    );
  }
  const epcHex = fromHex ?? fromBase64;
  if (!epcHex) throw new DecodeError(`${at}: tagInventoryEvent has neither epc nor epcHex`);
  return epcHex;
}

/** Keys such as "inventoryStatusEvent" holding an object: the Impinj event payloads. */
function impinjEventKeys(event: JsonObject): string[] {
  return Object.keys(event).filter((key) => key.length > 5 && key.endsWith("Event") && isObject(event[key]));
}

function optionalNumber(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new DecodeError(`${field} must be a number, not ${describe(value)}`);
  }
  return value;
}

function optionalAntenna(value: unknown, field: string): number | null {
  const antenna = optionalNumber(value, field);
  if (antenna !== null && (!Number.isInteger(antenna) || antenna < 0)) {
    throw new DecodeError(`${field} must be a whole antenna number, not ${antenna}`);
  }
  return antenna;
}

function requiredTime(value: unknown, field: string): number {
  if (value === undefined || value === null) throw new DecodeError(`${field} is missing`);
  const ms = typeof value === "string" ? parseIsoTimestampMs(value) : null;
  if (ms === null) {
    throw new DecodeError(`${field} ${describe(value)} is not an ISO 8601 date-time with a UTC offset`);
  }
  return ms;
}

const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;

/**
 * "2026-11-20T08:15:02.120+0000", "…+08:00", "…Z", with 0 to 9 fractional digits, to UNIX ms.
 * Parsed by hand because Zebra's colon-less offsets and Impinj's nanoseconds are outside what
 * Date.parse is specified to accept (ECMA-262 §21.4.3.2), and engines differ on them. Fractions
 * beyond milliseconds are truncated, not rounded, so a read never moves into the next millisecond.
 * A time without an offset is refused: reader-local time would be a guess.
 */
export function parseIsoTimestampMs(value: string): number | null {
  const m = ISO_TIMESTAMP.exec(value);
  if (!m) return null;
  // No closures here: this runs for every tag read, and a closure per call is measurable.
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  const offsetHours = Number(m[10] ?? 0);
  const offsetMinutes = Number(m[11] ?? 0);
  // Date.UTC maps years 0-99 to 1900-1999; no reader reports a year before UNIX time, so refuse it.
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return null;
  const fraction = m[7];
  const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, "0").slice(0, 3));
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000 * (m[9] === "-" ? -1 : 1);
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMs;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Gregorian calendar, as Date.UTC counts it. */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1] as number;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return leap ? 29 : 28;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A short rendering of a bad value for a reason, so a huge or odd payload does not flood the log. */
function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
