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
}

/** A slow random walk of storeroom temperature and humidity, kept within physical bounds. */
export function stepEnv(
  state: EnvSimState,
  now: number,
  random: () => number,
): { state: EnvSimState; messages: SimMessage[] } {
  const temperatureC = clamp(state.temperatureC + (random() - 0.5) * 0.4, -30, 50);
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
    state: { ...state, temperatureC, humidityPct },
    messages: [{ topic: deviceTopic(state.siteCode, "env", state.deviceId), payload: JSON.stringify(pack) }],
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
