import { describe, expect, it } from "vitest";
import { shelfUnits } from "../../../server/domain/shelf.ts";
import { decodeMessage } from "../../../server/ingest/decoders/index.ts";
import { stepEnv, stepShelf } from "../../../simulators/devices.ts";

const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length] as number;
};

describe("simulated devices", () => {
  const shelf = {
    deviceId: "NX-C01-SH1",
    siteCode: "NX-C01",
    tareKg: 12,
    unitWeightKg: 1.2,
    units: 40,
    noiseKg: 0.05,
    removalChance: 0.1,
  };

  it("publishes a SenML weight the platform decodes back to the simulated count", () => {
    const { state, messages } = stepShelf(shelf, Date.UTC(2026, 10, 20), sequence(0.9, 0.99));
    expect(state.units).toBe(40);
    expect(messages[0]?.topic).toBe("sites/NX-C01/shelf/NX-C01-SH1");
    const decoded = decodeMessage(
      { siteCode: "NX-C01", kind: "shelf", deviceId: "NX-C01-SH1" },
      Buffer.from(messages[0]?.payload ?? ""),
      Date.now(),
    );
    const weight = decoded.readings[0]?.value ?? Number.NaN;
    expect(shelfUnits(weight, 12, 1.2)).toBe(40);
  });

  it("takes units off the shelf when a removal happens", () => {
    const { state } = stepShelf(shelf, Date.now(), sequence(0.05, 0.5, 0.5));
    expect(state.units).toBeLessThan(40);
  });

  it("keeps the environment walk within physical bounds", () => {
    let env = {
      deviceId: "E1",
      siteCode: "NX-C01",
      temperatureC: 49.9,
      baseTemperatureC: 49.9,
      humidityPct: 99.9,
      excursionChance: 0,
      excursionSteps: 0,
    };
    for (let i = 0; i < 50; i += 1) env = stepEnv(env, Date.now(), () => 1).state;
    expect(env.temperatureC).toBeLessThanOrEqual(50);
    expect(env.humidityPct).toBeLessThanOrEqual(100);
  });
});
