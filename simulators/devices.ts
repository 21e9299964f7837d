/**
 * Simulated warehouse hardware. Each device is a pure step(state, now, random) -> { state, messages };
 * the MQTT driver (driver.ts) only publishes what the steps return, so the behaviour is testable
 * without a broker.
 */
import { deviceTopic } from "../broker/topics.ts";

export interface SimMessage {
  topic: string;
  payload: string;
}

export interface ShelfSimState {
  deviceId: string;
  siteCode: string;
  tareKg: number;
  unitWeightKg: number;
  units: number;
  /** Load-cell noise, kg (uniform +-). */
  noiseKg: number;
  /** Chance per step that a keeper takes one or more units off the shelf. */
  removalChance: number;
}

export function stepShelf(
  state: ShelfSimState,
  now: number,
  random: () => number,
): { state: ShelfSimState; messages: SimMessage[] } {
  let units = state.units;
  if (units > 0 && random() < state.removalChance) units -= 1 + Math.floor(random() * Math.min(3, units));
  const weight = state.tareKg + units * state.unitWeightKg + (random() * 2 - 1) * state.noiseKg;
  const pack = [
    {
      bn: `urn:dev:shelf:${state.deviceId}:`,
      bt: Math.round(now / 1000),
      n: "weight",
      u: "kg",
      v: Math.round(weight * 1000) / 1000,
    },
  ];
  return {
    state: { ...state, units },
    messages: [
      { topic: deviceTopic(state.siteCode, "shelf", state.deviceId), payload: JSON.stringify(pack) },
    ],
  };
}

export interface EnvSimState {
  deviceId: string;
  siteCode: string;
  temperatureC: number;
  humidityPct: number;
  /** The level the walk drifts back to. */
  baseTemperatureC: number;
  /** Chance per step that a heat excursion starts (a failed air conditioner: +12 °C). */
  excursionChance: number;
  /** Steps left in the current excursion. */
  excursionSteps: number;
}

/**
 * A slow random walk of storeroom temperature and humidity that drifts back to its base, with the
 * occasional excursion, kept within physical bounds.
 */
export function stepEnv(
  state: EnvSimState,
  now: number,
  random: () => number,
): { state: EnvSimState; messages: SimMessage[] } {
  let excursionSteps = state.excursionSteps > 0 ? state.excursionSteps - 1 : 0;
  if (excursionSteps === 0 && random() < state.excursionChance)
    excursionSteps = 5 + Math.floor(random() * 10);
  const target = state.baseTemperatureC + (excursionSteps > 0 ? 12 : 0);
  const drift = (target - state.temperatureC) * 0.3;
  const temperatureC = clamp(state.temperatureC + drift + (random() - 0.5) * 0.4, -30, 50);
  const humidityPct = clamp(state.humidityPct + (random() - 0.5) * 1.5, 5, 100);
  const pack = [
    {
      bn: `urn:dev:env:${state.deviceId}:`,
      bt: Math.round(now / 1000),
      n: "temp",
      u: "Cel",
      v: Math.round(temperatureC * 10) / 10,
    },
    { n: "hum", u: "%RH", v: Math.round(humidityPct) },
  ];
  return {
    state: { ...state, temperatureC, humidityPct, excursionSteps },
    messages: [{ topic: deviceTopic(state.siteCode, "env", state.deviceId), payload: JSON.stringify(pack) }],
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export interface SimTag {
  epcHex: string;
  /** Storage antenna the tag sits under. */
  antenna: number;
}

export interface ReaderSimState {
  deviceId: string;
  siteCode: string;
  format: "zebra" | "impinj";
  /** Storage antennas (for stray reads) and the portal's outside/inside antennas. */
  storageAntennas: number[];
  portal: { outside: number; inside: number } | null;
  tags: SimTag[];
  eventNum: number;
  /** Chance per step that a tag is read at all. */
  readChance: number;
  /** Chance per read that a neighbouring antenna also catches the tag, weaker. */
  strayChance: number;
  /** Chance per step that one tag is carried out through the portal. */
  removalChance: number;
  /** Tag reads per message (Zebra batching); Impinj sends one event per message. */
  batchSize: number;
}

interface SimRead {
  epcHex: string;
  antenna: number;
  rssi: number;
  time: number;
}

/**
 * One inventory cycle of an RFID reader: each tag is read (or missed) under its antenna, some also
 * stray onto a neighbour, and now and then one leaves through the portal (inside, then outside).
 */
export function stepReader(
  state: ReaderSimState,
  now: number,
  random: () => number,
): { state: ReaderSimState; messages: SimMessage[] } {
  const reads: SimRead[] = [];
  let tags = state.tags;
  for (const tag of tags) {
    if (random() > state.readChance) continue;
    reads.push({
      epcHex: tag.epcHex,
      antenna: tag.antenna,
      rssi: Math.round(-62 + random() * 10),
      time: now,
    });
    const neighbours = state.storageAntennas.filter((a) => a !== tag.antenna);
    if (neighbours.length > 0 && random() < state.strayChance) {
      const stray = neighbours[Math.floor(random() * neighbours.length)] as number;
      reads.push({ epcHex: tag.epcHex, antenna: stray, rssi: Math.round(-74 + random() * 6), time: now });
    }
  }
  if (state.portal && tags.length > 0 && random() < state.removalChance) {
    const leaving = tags[Math.floor(random() * tags.length)] as SimTag;
    tags = tags.filter((t) => t !== leaving);
    reads.push(
      { epcHex: leaving.epcHex, antenna: state.portal.inside, rssi: -55, time: now + 200 },
      { epcHex: leaving.epcHex, antenna: state.portal.outside, rssi: -56, time: now + 1200 },
    );
  }
  let eventNum = state.eventNum;
  const topic = deviceTopic(state.siteCode, "rfid", state.deviceId);
  const messages: SimMessage[] = [];
  if (state.format === "zebra") {
    for (let i = 0; i < reads.length; i += state.batchSize) {
      const events = reads.slice(i, i + state.batchSize).map((r) => ({
        type: "INVENTORY",
        timestamp: zebraTimestamp(r.time),
        data: {
          idHex: r.epcHex.toLowerCase(),
          format: "epc",
          antenna: r.antenna,
          peakRssi: r.rssi,
          eventNum: ++eventNum,
          reads: 1,
        },
      }));
      messages.push({ topic, payload: JSON.stringify(events) });
    }
  } else {
    for (const r of reads) {
      messages.push({
        topic,
        payload: JSON.stringify({
          timestamp: new Date(r.time).toISOString().replace("Z", "123456Z"),
          hostname: `impinj-${state.deviceId.toLowerCase()}`,
          eventType: "tagInventory",
          tagInventoryEvent: {
            epc: Buffer.from(r.epcHex, "hex").toString("base64"),
            epcHex: r.epcHex,
            antennaPort: r.antenna,
            peakRssiCdbm: r.rssi * 100,
            frequency: 922250,
          },
        }),
      });
    }
  }
  return { state: { ...state, tags, eventNum }, messages };
}

/** Zebra's format: milliseconds and an offset without a colon, here China Standard Time (+0800). */
function zebraTimestamp(time: number): string {
  const local = new Date(time + 8 * 3600 * 1000).toISOString().replace("Z", "");
  return `${local}+0800`;
}
