import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../server/domain/random.ts";
import { DEFAULT_READING_LIMITS } from "../../../server/domain/reading-limits.ts";
import { shelfUnits } from "../../../server/domain/shelf.ts";
import { decodeMessage } from "../../../server/ingest/decoders/index.ts";
import { stepEnv, stepReader, stepShelf } from "../../../simulators/devices.ts";

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
    const at = Date.UTC(2026, 10, 20);
    const { state, messages } = stepShelf(shelf, at, sequence(0.9, 0.99));
    expect(state.units).toBe(40);
    expect(messages[0]?.topic).toBe("sites/NX-C01/shelf/NX-C01-SH1");
    // Its base name is its own, its unit and weight pass the platform's plausibility checks.
    const decoded = decodeMessage(
      { siteCode: "NX-C01", kind: "shelf", deviceId: "NX-C01-SH1" },
      Buffer.from(messages[0]?.payload ?? ""),
      at,
      DEFAULT_READING_LIMITS,
      300,
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

  it("publishes a SenML pack the platform takes: its own base name, Cel and %RH in range", () => {
    const at = Date.UTC(2026, 10, 20);
    const env = {
      deviceId: "NX-C01-ENV1",
      siteCode: "NX-C01",
      temperatureC: 21,
      baseTemperatureC: 21,
      humidityPct: 50,
      excursionChance: 0,
      excursionSteps: 0,
    };
    const [message] = stepEnv(env, at, () => 0.5).messages;
    const decoded = decodeMessage(
      { siteCode: "NX-C01", kind: "env", deviceId: "NX-C01-ENV1" },
      Buffer.from(message?.payload ?? ""),
      at,
      DEFAULT_READING_LIMITS,
    );
    expect(decoded.readings.map((r) => [r.measurement, r.unit, r.value, r.time])).toEqual([
      ["temp", "Cel", 21, at],
      ["hum", "%RH", 50, at],
    ]);
  });
});

describe("simulated RFID readers", () => {
  const reader = (format: "zebra" | "impinj") => ({
    deviceId: "NX-C01-RD1",
    siteCode: "NX-C01",
    format,
    storageAntennas: [1, 2],
    portal: { outside: 3, inside: 4 },
    tags: [
      { epcHex: "3074257BF7194E4000001A85", antenna: 1 },
      { epcHex: "3036142C8C008F8000053244", antenna: 2 },
    ],
    eventNum: 0,
    readChance: 0.9,
    strayChance: 0.3,
    removalChance: 0.5,
    batchSize: 50,
  });

  it("gives the same messages for the same seed", () => {
    const run = () => stepReader(reader("zebra"), 1_795_600_000_000, seededRandom(7)).messages;
    expect(run()).toEqual(run());
    expect(run()).not.toEqual(stepReader(reader("zebra"), 1_795_600_000_000, seededRandom(8)).messages);
  });

  it("publishes reads the platform decodes, in both reader formats, with a portal exit in order", () => {
    for (const format of ["zebra", "impinj"] as const) {
      // Every tag read, no strays, and one carried out through the portal.
      const certain = { ...reader(format), readChance: 1, strayChance: 0, removalChance: 1 };
      const at = 1_795_600_000_000;
      const { state, messages } = stepReader(certain, at, seededRandom(3));
      expect(state.tags).toHaveLength(1);
      const reads = messages.flatMap(
        (m) =>
          decodeMessage(
            { siteCode: "NX-C01", kind: "rfid", deviceId: "NX-C01-RD1" },
            Buffer.from(m.payload),
            at,
            DEFAULT_READING_LIMITS,
          ).tagReads ?? [],
      );
      expect(reads.map((r) => r.antenna)).toEqual([1, 2, 4, 3]);
      expect(reads[2]?.epcHex).toBe(reads[3]?.epcHex);
      expect((reads[3]?.time ?? 0) - (reads[2]?.time ?? 0)).toBe(1000);
    }
  });
});
