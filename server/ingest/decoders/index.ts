import type { TopicKind } from "../../../broker/topics.ts";
import { DecodeError, decodeSenml } from "./senml.ts";

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
}

export interface DecodedMessage {
  siteCode: string;
  deviceId: string;
  kind: TopicKind;
  readings: Reading[];
}

/**
 * Decodes one device message by the kind its topic names. Throws DecodeError with a reason a
 * person can act on; the caller sends the message to the dead letters.
 */
export function decodeMessage(
  topic: { siteCode: string; kind: TopicKind; deviceId: string },
  payload: Buffer,
  receivedAtMs: number,
): DecodedMessage {
  const { siteCode, deviceId, kind } = topic;
  const point = (measurement: string, unit: string | undefined, value: number, time: number): Reading => ({
    deviceId,
    siteCode,
    kind,
    measurement,
    unit,
    value,
    time,
  });
  switch (kind) {
    case "shelf": {
      const records = decodeSenml(payload, receivedAtMs);
      if (!records.some((r) => r.unit === "kg")) {
        throw new DecodeError("shelf pack has no weight record in kg or g");
      }
      const readings = records.map((r) =>
        point(r.unit === "kg" ? "weight" : r.measurement, r.unit, r.value, r.time),
      );
      return { siteCode, deviceId, kind, readings };
    }
    case "env": {
      const records = decodeSenml(payload, receivedAtMs);
      return {
        siteCode,
        deviceId,
        kind,
        readings: records.map((r) => point(r.measurement, r.unit, r.value, r.time)),
      };
    }
    case "status": {
      const body = parseObject(payload);
      if (typeof body.online !== "boolean") throw new DecodeError('status message needs a boolean "online"');
      return {
        siteCode,
        deviceId,
        kind,
        readings: [point("online", undefined, body.online ? 1 : 0, receivedAtMs)],
      };
    }
    case "rfid":
      throw new DecodeError("RFID reader messages are not decoded yet (planned: Zebra and Impinj formats)");
  }
}

function parseObject(payload: Buffer): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(payload.toString("utf8"));
  } catch (error) {
    throw new DecodeError(`payload is not JSON: ${(error as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new DecodeError("payload must be a JSON object");
  }
  return body as Record<string, unknown>;
}
