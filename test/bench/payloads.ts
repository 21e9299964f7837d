/**
 * Pre-encoded QoS 1 PUBLISH packets for the load generator. Each device gets a few variants of its
 * message (weights that move the shelf count now and then, RFID batches over its tags), encoded
 * once with mqtt-packet; per message only the packet id and the timestamp text are patched in.
 * Timestamps are written at a fixed width, so a variant's byte layout never changes.
 */
import { generate } from "mqtt-packet";

/** What a connection publishes; plain data, so it can be posted to the generator's worker. */
export type MessageSpec =
  | {
      /** SenML weight readings of one weight shelf (the projection counts units from them). */
      kind: "shelf";
      deviceId: string;
      tareKg: number;
      unitWeightKg: number;
      /** The count the shelf shows; every `changeEvery` messages one unit is taken off or put back. */
      baseUnits: number;
      changeEvery: number;
    }
  | {
      /** Zebra IoT Connector arrays of tag reads, cycling through `epcs`. */
      kind: "rfid";
      deviceId: string;
      epcs: string[];
      readsPerMessage: number;
      /** Storage antennas the tags are read on (tag i on antennas[i % length]; a tag never moves). */
      antennas: number[];
    }
  | {
      /** SenML temperature and humidity within every item type's storage limits. */
      kind: "env";
      deviceId: string;
    };

/** One PUBLISH packet, with where its packet id and timestamp text go. */
export interface PacketTemplate {
  bytes: Buffer;
  packetIdAt: number;
  timeSlots: number[];
}

export interface MessageSource {
  variants: PacketTemplate[];
  /** The timestamp as the payload writes it, exactly `TIME_WIDTH[kind]` characters. */
  formatTime(ms: number): string;
}

/** SenML time: UNIX seconds with milliseconds, "1795600000.123" (14 characters until 2286). */
export function senmlTime(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${s}.${String(ms - s * 1000).padStart(3, "0")}`;
}

/** Zebra time: "2026-11-20T08:15:02.120+0000" (28 characters), as the IoT Connector writes it. */
export function zebraTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}+0000`;
}

const PLACEHOLDER = "#";
/** Widths of the time slots: "1795600000.123" (to 2286), "2026-11-20T08:15:02.120+0000". */
const SENML_TIME = PLACEHOLDER.repeat(14);
const ZEBRA_TIME = PLACEHOLDER.repeat(28);

/** A shelf weight that gives `units` on the shelf, as fixed-width JSON (leading spaces are valid JSON). */
function weightText(kg: number): string {
  return kg.toFixed(3).padStart(9, " ");
}

export function senmlWeightPayload(deviceId: string, weightKg: number, time: string): string {
  return `[{"bn":"urn:dev:shelf:${deviceId}:","bt":${time},"n":"weight","u":"kg","v":${weightText(weightKg)}}]`;
}

/** The payloads of one device: each a JSON text with PLACEHOLDER runs where the time goes. */
function payloadVariants(spec: MessageSpec): { texts: string[]; formatTime(ms: number): string } {
  switch (spec.kind) {
    case "shelf": {
      const time = SENML_TIME;
      const texts: string[] = [];
      for (let j = 0; j < 2 * spec.changeEvery; j++) {
        // Half the cycle one unit is off the shelf; the rest is load-cell noise of up to 0.08 unit,
        // well inside the 0.7-unit hysteresis, so the count changes twice per cycle.
        const units = spec.baseUnits - (j < spec.changeEvery ? 0 : 1);
        const noise = (((j * 37) % 9) - 4) * 0.02 * spec.unitWeightKg;
        texts.push(senmlWeightPayload(spec.deviceId, spec.tareKg + units * spec.unitWeightKg + noise, time));
      }
      return { texts, formatTime: senmlTime };
    }
    case "env": {
      const time = SENML_TIME;
      const texts = [18.5, 19.0, 19.5, 20.0].map(
        (celsius, j) =>
          `[{"bn":"urn:dev:env:${spec.deviceId}:","bt":${time},"n":"temp","u":"Cel","v":${celsius}},{"n":"hum","u":"%RH","v":${45 + j}}]`,
      );
      return { texts, formatTime: senmlTime };
    }
    case "rfid": {
      const time = ZEBRA_TIME;
      const n = spec.readsPerMessage;
      const texts: string[] = [];
      // Message k reads tags k*n .. k*n+n-1 (wrapping): every tag is read once per cycle.
      for (let start = 0; start < spec.epcs.length; start += n) {
        const events: string[] = [];
        for (let j = 0; j < n; j++) {
          const i = (start + j) % spec.epcs.length;
          const antenna = spec.antennas[i % spec.antennas.length] as number;
          const rssi = -48 - (i % 12);
          events.push(
            `{"type":"SIMPLE","timestamp":"${time}","data":{"idHex":"${spec.epcs[i]}","format":"epc","antenna":${antenna},"peakRssi":${rssi}}}`,
          );
        }
        texts.push(`[${events.join(",")}]`);
      }
      return { texts, formatTime: zebraTime };
    }
  }
}

/** A time shorter than its slot (only before 2001) is padded with spaces, valid after a JSON number. */
function timeFormatter(width: number, format: (ms: number) => string): (ms: number) => string {
  return (ms) => format(ms).padEnd(width, " ");
}

/** Encodes a device's message variants as QoS 1 PUBLISH packets on its topic. */
export function buildSource(topic: string, spec: MessageSpec): MessageSource {
  const { texts, formatTime } = payloadVariants(spec);
  let width = 0;
  const variants = texts.map((text) => {
    const payload = Buffer.from(text, "utf8");
    const bytes = generate({
      cmd: "publish",
      topic,
      payload,
      qos: 1,
      messageId: 1,
      retain: false,
      dup: false,
    });
    // The packet id sits just before the payload (MQTT 3.1.1 §3.3.2).
    const payloadAt = bytes.length - payload.length;
    const timeSlots: number[] = [];
    const run = /#+/g;
    for (let m = run.exec(text); m; m = run.exec(text)) {
      // Payloads are ASCII, so character offsets are byte offsets.
      timeSlots.push(payloadAt + m.index);
      width = m[0].length;
    }
    return { bytes, packetIdAt: payloadAt - 2, timeSlots };
  });
  return { variants, formatTime: timeFormatter(width, formatTime) };
}
