import { describe, expect, it } from "vitest";
import {
  type EnvReading,
  type Excursion,
  type ExcursionChanges,
  evaluateExcursions,
  type PendingBreach,
  type StorageLimits,
} from "../../../server/domain/excursion.ts";

const MIN = 60_000;
const rule = { minReadings: 3, minDurationS: 600 };
const limits: StorageLimits[] = [
  { itemTypeCode: "MEDKIT", minTempC: 2, maxTempC: 25, maxRhPct: 65, ...rule },
  { itemTypeCode: "HELMET", minTempC: -20, maxTempC: 40, maxRhPct: 80, ...rule },
];
const temp = (value: number, time: number): EnvReading => ({ measurement: "temp", value, time });
const hum = (value: number, time: number): EnvReading => ({ measurement: "hum", value, time });

/** One sensor's excursions as the projector keeps them: each reading judged, the changes applied. */
function sensor(withLimits: readonly StorageLimits[] = limits) {
  const excursions: Excursion[] = [];
  const latest = new Map<string, number>();
  let pending: PendingBreach[] = [];
  const evidence = new Map<number, unknown>();
  let nextId = 1;
  return {
    excursions,
    evidence,
    get pending() {
      return pending;
    },
    judge(reading: EnvReading): ExcursionChanges {
      const changes = evaluateExcursions(
        {
          latestAt: latest.get(reading.measurement) ?? null,
          excursions: excursions.filter(
            (e) => e.endedAt === null || (e.startedAt <= reading.time && reading.time < e.endedAt),
          ),
          pending,
        },
        reading,
        withLimits,
      );
      for (const o of changes.opened) {
        const id = nextId++;
        const { evidence: proof, ...excursion } = o;
        excursions.push({ id, ...excursion, endedAt: null });
        evidence.set(id, proof);
      }
      for (const p of changes.peaks) {
        const e = excursions.find((x) => x.id === p.id) as Excursion;
        e.peakValue = p.peak.value;
      }
      for (const c of changes.closed)
        (excursions.find((x) => x.id === c.id) as Excursion).endedAt = c.endedAt;
      pending = [...pending.filter((p) => p.measurement !== reading.measurement), ...changes.pending];
      latest.set(reading.measurement, changes.latestAt);
      return changes;
    },
  };
}

describe("environment excursions", () => {
  it("takes one reading out of range for noise: a pending breach, cleared by the next reading back inside", () => {
    const s = sensor();
    const first = s.judge(temp(27.5, 0));
    expect(first.opened).toEqual([]);
    expect(first.pending).toEqual([
      {
        itemTypeCode: "MEDKIT",
        measurement: "temp",
        bound: "max",
        limitValue: 25,
        startedAt: 0,
        count: 1,
        evidence: { readings: [{ time: 0, value: 27.5 }], peak: { time: 0, value: 27.5 } },
      },
    ]);
    expect(s.judge(temp(22, MIN)).pending).toEqual([]);
    s.judge(temp(28, 2 * MIN));
    s.judge(temp(21, 3 * MIN));
    expect(s.excursions).toEqual([]);
  });

  it("opens after 3 consecutive readings outside, starting at the first, with them as evidence", () => {
    const s = sensor();
    s.judge(temp(26, 0));
    s.judge(temp(29, MIN));
    const third = s.judge(temp(27, 2 * MIN));
    expect(third.opened).toEqual([
      {
        itemTypeCode: "MEDKIT",
        measurement: "temp",
        bound: "max",
        limitValue: 25,
        peakValue: 29,
        startedAt: 0,
        evidence: {
          readings: [
            { time: 0, value: 26 },
            { time: MIN, value: 29 },
            { time: 2 * MIN, value: 27 },
          ],
          peak: { time: MIN, value: 29 },
        },
      },
    ]);
    expect(third.pending).toEqual([]);
    // Helmets (up to 40 °C) are fine.
    expect(s.excursions.map((e) => e.itemTypeCode)).toEqual(["MEDKIT"]);
  });

  it("opens after 600 s outside with fewer readings (a sensor that reports every 15 minutes)", () => {
    const s = sensor();
    s.judge(temp(26, 0));
    expect(s.judge(temp(26.5, 15 * MIN)).opened).toEqual([
      expect.objectContaining({ itemTypeCode: "MEDKIT", startedAt: 0, peakValue: 26.5 }),
    ]);
  });

  it("follows each item type's own rule", () => {
    const strict = [{ ...(limits[0] as StorageLimits), minReadings: 1 }, limits[1] as StorageLimits];
    const s = sensor(strict);
    expect(s.judge(temp(45, 0)).opened).toEqual([expect.objectContaining({ itemTypeCode: "MEDKIT" })]);
    expect(s.pending).toEqual([expect.objectContaining({ itemTypeCode: "HELMET", count: 1 })]);
  });

  it("raises the peak while it lasts and closes it at the first reading back inside", () => {
    const s = sensor();
    for (const [i, v] of [26, 27, 26.5].entries()) s.judge(temp(v, i * MIN));
    const [excursion] = s.excursions;
    expect(s.judge(temp(29, 3 * MIN)).peaks).toEqual([
      { id: excursion?.id, peak: { time: 3 * MIN, value: 29 } },
    ]);
    expect(s.judge(temp(26, 4 * MIN)).peaks).toEqual([]);
    expect(s.judge(temp(24, 5 * MIN)).closed).toEqual([{ id: excursion?.id, endedAt: 5 * MIN }]);
    expect(s.excursions).toEqual([
      expect.objectContaining({ startedAt: 0, endedAt: 5 * MIN, peakValue: 29 }),
    ]);
  });

  it("lets a late reading neither open nor close one, only raise the peak of one whose span holds it", () => {
    const s = sensor();
    for (const [i, v] of [26, 27, 26.5].entries()) s.judge(temp(v, 10 * MIN + i * MIN));
    // Older than everything judged, back inside: it must not end the excursion before it began.
    const early = s.judge(temp(21, 5 * MIN));
    expect(early).toMatchObject({ opened: [], closed: [], peaks: [], latestAt: 12 * MIN });
    expect(s.excursions[0]).toMatchObject({ startedAt: 10 * MIN, endedAt: null });
    s.judge(temp(22, 20 * MIN));
    // Late ones inside the span [10, 20) raise the peak; outside it (or inside the limit) nothing.
    expect(s.judge(temp(31, 15 * MIN)).peaks).toEqual([{ id: 1, peak: { time: 15 * MIN, value: 31 } }]);
    expect(s.judge(temp(35, 19 * MIN)).peaks).toHaveLength(1);
    expect(s.judge(temp(40, 8 * MIN))).toMatchObject({ opened: [], peaks: [], pending: [] });
    // Late readings out of range never start a pending breach either.
    expect(s.judge(temp(30, 18 * MIN)).pending).toEqual([]);
    expect(s.excursions).toEqual([
      expect.objectContaining({ startedAt: 10 * MIN, endedAt: 20 * MIN, peakValue: 35 }),
    ]);
  });

  it("keeps temperature and humidity apart", () => {
    const s = sensor();
    for (const i of [0, 1, 2]) s.judge(temp(27, i * MIN));
    for (const i of [3, 4, 5]) s.judge(hum(70, i * MIN));
    expect(s.excursions.map((e) => [e.measurement, e.endedAt])).toEqual([
      ["temp", null],
      ["hum", null],
    ]);
    // A humidity reading neither closes the temperature excursion nor counts for it.
    expect(s.judge(hum(50, 6 * MIN)).closed).toEqual([{ id: 2, endedAt: 6 * MIN }]);
  });

  it("tracks cold below the minimum with the lowest value as the peak", () => {
    const s = sensor();
    for (const [i, v] of [1, -1, 0.5].entries()) s.judge(temp(v, i * MIN));
    expect(s.excursions).toEqual([
      expect.objectContaining({ bound: "min", limitValue: 2, peakValue: -1, startedAt: 0, endedAt: null }),
    ]);
    expect(s.evidence.get(1)).toMatchObject({ peak: { time: MIN, value: -1 } });
  });
});
