import type { TopicKind } from "../../../broker/topics.ts";
import { decodeFlatEnv } from "./env-flat.ts";
import { decodeRfid, type TagRead } from "./rfid.ts";
import { DecodeError, decodeSenml, decodeSenmlPack } from "./senml.ts";

export type { TagRead } from "./rfid.ts";
export { DecodeError } from "./senml.ts";

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

/**
 * Decodes one device message by the kind its topic names. Throws DecodeError with a reason a
 * person can act on; the caller sends the message to the dead letters.
 */
/**
 * The latest time a reading may carry: InfluxDB keeps nanoseconds in an int64 (to 2262-04-11).
 * A device with a broken clock is refused here, with a reason, rather than blocking the store.
 */
const MAX_READING_TIME_MS = 9_223_372_036_853;

export function decodeMessage(
  topic: { siteCode: string; kind: TopicKind; deviceId: string },
  payload: Buffer,
  receivedAtMs: number,
): DecodedMessage {
  const decoded = decodeByKind(topic, payload, receivedAtMs);
  for (const reading of decoded.readings) {
    if (!(reading.time >= 0 && reading.time <= MAX_READING_TIME_MS)) {
      throw new DecodeError(`reading time ${reading.time} ms is outside 1970 to 2262`);
    }
    // Finite parts can add up to Infinity (SenML bv + v, RFID read counts); no store takes it.
    if (!Number.isFinite(reading.value)) {
      throw new DecodeError(`reading ${reading.measurement} is ${reading.value}, not a finite number`);
    }
  }
  return decoded;
}

function decodeByKind(
  topic: { siteCode: string; kind: TopicKind; deviceId: string },
  payload: Buffer,
  receivedAtMs: number,
): DecodedMessage {
  const { siteCode, deviceId, kind } = topic;
  switch (kind) {
    case "shelf": {
      // Loops rather than some/map with closures: every shelf reading passes here.
      const records = decodeSenml(payload, receivedAtMs);
      const readings: Reading[] = [];
      let weighed = false;
      for (const r of records) {
        if (r.unit === "kg") weighed = true;
        readings.push(reading(topic, r.unit === "kg" ? "weight" : r.measurement, r.unit, r.value, r.time));
      }
      if (!weighed) throw new DecodeError("shelf pack has no weight record in kg or g");
      return { siteCode, deviceId, kind, readings };
    }
    case "env": {
      // SenML packs are arrays; LoRaWAN network servers forward the flat {"temperature", ...} object.
      const body = parseJson(payload);
      const records = Array.isArray(body)
        ? decodeSenmlPack(body, receivedAtMs)
        : decodeFlatEnv(asObject(body), receivedAtMs);
      return {
        siteCode,
        deviceId,
        kind,
        readings: records.map((r) => reading(topic, r.measurement, r.unit, r.value, r.time)),
      };
    }
    case "status": {
      const body = asObject(parseJson(payload));
      if (typeof body.online !== "boolean") throw new DecodeError('status message needs a boolean "online"');
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
  topic: { siteCode: string; kind: TopicKind; deviceId: string },
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

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString("utf8"));
  } catch (error) {
    throw new DecodeError(`payload is not JSON: ${(error as Error).message}`);
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new DecodeError("payload must be a JSON object");
  }
  return body as Record<string, unknown>;
}
