import type { TopicKind } from "../../../broker/topics.ts";
import type { ReadingLimits } from "../../domain/reading-limits.ts";
import { DecodeError } from "./decode-error.ts";
import { decodeFlatEnv } from "./env-flat.ts";
import { parseDeviceJson } from "./json.ts";
import { checkEnvRecord, checkReadingTime, checkShelfRecord } from "./plausibility.ts";
import { decodeRfid, type TagRead } from "./rfid.ts";
import { decodeSenml, decodeSenmlPack } from "./senml.ts";

export { DecodeError } from "./decode-error.ts";
export type { TagRead } from "./rfid.ts";

/** One stored time-series point. */
export interface Reading {
  deviceId: string;
  siteCode: string;
  kind: TopicKind;
  measurement: string;
  unit: string | undefined;
  value: number;
  /** UNIX milliseconds. */
  time: number;
  /**
   * The reading's identity, set by the processor (not the decoders) when it builds a batch for the
   * time-series store: the journal row it came from, and its position among that message's
   * readings of the same measurement. Both are the same on every replay of the row.
   */
  journalId?: number;
  seq?: number;
}

export interface DecodedMessage {
  siteCode: string;
  deviceId: string;
  kind: TopicKind;
  readings: Reading[];
  /** RFID messages: the tag reads, for the presence rules (the time series keeps a count). */
  tagReads?: TagRead[];
}

type DeviceTopic = { siteCode: string; kind: TopicKind; deviceId: string };

/**
 * Decodes one device message by the kind its topic names, and checks that what it says is
 * plausible: units the kind takes, values within the limits (a shelf's own capacity, or the
 * limits' default when it has none recorded), and times within the clock window around the
 * receive time. Throws DecodeError with a reason a person can act on; the caller sends the message
 * to the dead letters. `receivedAtMs` is the journal's, so a replay gives the same verdict.
 */
export function decodeMessage(
  topic: DeviceTopic,
  payload: Buffer,
  receivedAtMs: number,
  limits: ReadingLimits,
  shelfCapacityKg: number | null = null,
): DecodedMessage {
  const decoded = decodeByKind(topic, payload, receivedAtMs, limits, shelfCapacityKg);
  // Loops, not closures: every reading passes here.
  for (const reading of decoded.readings) {
    // Finite parts can add up to Infinity (SenML bv + v, RFID read counts); no store takes it.
    if (!Number.isFinite(reading.value)) {
      throw new DecodeError(`reading ${reading.measurement} is ${reading.value}, not a finite number`);
    }
    checkReadingTime(reading.time, receivedAtMs, limits);
  }
  // The series keeps the earliest tag read of a message; presence uses every one.
  const tagReads = decoded.tagReads;
  if (tagReads) for (const read of tagReads) checkReadingTime(read.time, receivedAtMs, limits);
  return decoded;
}

function decodeByKind(
  topic: DeviceTopic,
  payload: Buffer,
  receivedAtMs: number,
  limits: ReadingLimits,
  shelfCapacityKg: number | null,
): DecodedMessage {
  const { siteCode, deviceId, kind } = topic;
  switch (kind) {
    case "shelf": {
      const records = decodeSenml(payload, receivedAtMs, deviceId);
      const capacityKg = shelfCapacityKg ?? limits.defaultShelfCapacityKg;
      const readings: Reading[] = [];
      for (const record of records) {
        const checked = checkShelfRecord(record, capacityKg);
        readings.push(reading(topic, checked.measurement, checked.unit, checked.value, record.time));
      }
      return { siteCode, deviceId, kind, readings };
    }
    case "env": {
      // SenML packs are arrays; LoRaWAN network servers forward the flat {"temperature", ...} object.
      const body = parseDeviceJson(payload);
      const readings: Reading[] = [];
      if (Array.isArray(body)) {
        for (const record of decodeSenmlPack(body, receivedAtMs, deviceId)) {
          const checked = checkEnvRecord(record, limits);
          readings.push(reading(topic, checked.measurement, checked.unit, checked.value, record.time));
        }
      } else {
        for (const r of decodeFlatEnv(asObject(body), receivedAtMs, limits)) {
          readings.push(reading(topic, r.measurement, r.unit, r.value, r.time));
        }
      }
      return { siteCode, deviceId, kind, readings };
    }
    case "status": {
      const body = asObject(parseDeviceJson(payload));
      if (typeof body.online !== "boolean") throw new DecodeError('status message needs a boolean "online"');
      // Timed by its arrival: a heartbeat or last will carries no device clock to check.
      return {
        siteCode,
        deviceId,
        kind,
        readings: [reading(topic, "online", undefined, body.online ? 1 : 0, receivedAtMs)],
      };
    }
    case "rfid": {
      const { tagReads } = decodeRfid(payload, receivedAtMs);
      // The series keeps how many reads each message carried (tag identities would be unbounded
      // series cardinality); which tag was where is the presence projection's business.
      const reads = tagReads.reduce((sum, r) => sum + r.reads, 0);
      const time = tagReads.reduce((first, r) => Math.min(first, r.time), tagReads[0]?.time ?? receivedAtMs);
      return {
        siteCode,
        deviceId,
        kind,
        readings: [reading(topic, "tag_reads", undefined, reads, time)],
        tagReads,
      };
    }
  }
}

function reading(
  topic: DeviceTopic,
  measurement: string,
  unit: string | undefined,
  value: number,
  time: number,
): Reading {
  return {
    deviceId: topic.deviceId,
    siteCode: topic.siteCode,
    kind: topic.kind,
    measurement,
    unit,
    value,
    time,
  };
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new DecodeError("payload must be a JSON object");
  }
  return body as Record<string, unknown>;
}
