import { describe, expect, it } from "vitest";
import {
  evaluateExcursions,
  type OpenExcursion,
  type StorageLimits,
} from "../../../server/domain/excursion.ts";

const limits: StorageLimits[] = [
  { itemTypeCode: "MEDKIT", minTempC: 2, maxTempC: 25, maxRhPct: 65 },
  { itemTypeCode: "HELMET", minTempC: -20, maxTempC: 40, maxRhPct: 80 },
];

describe("environment excursions", () => {
  it("opens one excursion per item type whose limit the reading breaks", () => {
    const changes = evaluateExcursions([], { measurement: "temp", value: 27.5, time: 1000 }, limits);
    expect(changes.opened).toEqual([
      {
        itemTypeCode: "MEDKIT",
        bound: "max",
        limitValue: 25,
        measurement: "temp",
        peakValue: 27.5,
        startedAt: 1000,
      },
    ]);
  });

  it("raises the peak while it lasts and closes it at the first reading back inside", () => {
    const open: OpenExcursion[] = [
      { id: 7, itemTypeCode: "MEDKIT", measurement: "temp", bound: "max", limitValue: 25, peakValue: 27.5 },
    ];
    expect(evaluateExcursions(open, { measurement: "temp", value: 29, time: 2000 }, limits)).toEqual({
      opened: [],
      peaks: [{ id: 7, peakValue: 29 }],
      closed: [],
    });
    expect(evaluateExcursions(open, { measurement: "temp", value: 26, time: 2500 }, limits).peaks).toEqual(
      [],
    );
    expect(evaluateExcursions(open, { measurement: "temp", value: 24, time: 3000 }, limits).closed).toEqual([
      { id: 7, endedAt: 3000 },
    ]);
  });

  it("leaves temperature excursions alone on a humidity reading", () => {
    const open: OpenExcursion[] = [
      { id: 7, itemTypeCode: "MEDKIT", measurement: "temp", bound: "max", limitValue: 25, peakValue: 27.5 },
    ];
    const changes = evaluateExcursions(open, { measurement: "hum", value: 70, time: 3000 }, limits);
    expect(changes.closed).toEqual([]);
    expect(changes.opened).toEqual([
      expect.objectContaining({ itemTypeCode: "MEDKIT", measurement: "hum", bound: "max", limitValue: 65 }),
    ]);
  });

  it("tracks cold below the minimum with the lowest value as the peak", () => {
    const first = evaluateExcursions([], { measurement: "temp", value: 1, time: 1000 }, limits);
    expect(first.opened[0]).toMatchObject({ bound: "min", limitValue: 2 });
    const open: OpenExcursion[] = [{ id: 1, ...(first.opened[0] as Omit<OpenExcursion, "id">) }];
    expect(evaluateExcursions(open, { measurement: "temp", value: -1, time: 2000 }, limits).peaks).toEqual([
      { id: 1, peakValue: -1 },
    ]);
  });
});
