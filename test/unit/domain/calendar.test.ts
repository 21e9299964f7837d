import { describe, expect, it } from "vitest";
import {
  addDays,
  assertTimeZone,
  DEFAULT_TIME_ZONE,
  dayOf,
  daysBetween,
  startOfDay,
} from "../../../server/domain/calendar.ts";

const at = (iso: string) => Date.parse(iso);
const SHANGHAI = "Asia/Shanghai";
const BERLIN = "Europe/Berlin";

describe("calendar days in the deployment's time zone", () => {
  it("defaults to Beijing time, the demo network's", () => {
    expect(DEFAULT_TIME_ZONE).toBe(SHANGHAI);
  });

  it("gives an instant's day on Beijing's wall clock: the day turns at 16:00 UTC, not at midnight UTC", () => {
    expect(dayOf(at("2026-12-01T23:59:59Z"), SHANGHAI)).toBe("2026-12-02");
    expect(dayOf(at("2026-12-01T16:00:00Z"), SHANGHAI)).toBe("2026-12-02");
    expect(dayOf(at("2026-12-01T15:59:59.999Z"), SHANGHAI)).toBe("2026-12-01");
    expect(dayOf(at("2026-12-01T00:00:00Z"), SHANGHAI)).toBe("2026-12-01");
    // New Year's Eve and a leap day: the day number carries into month and year.
    expect(dayOf(at("2026-12-31T16:00:00Z"), SHANGHAI)).toBe("2027-01-01");
    expect(dayOf(at("2028-02-28T16:00:00Z"), SHANGHAI)).toBe("2028-02-29");
    expect(dayOf(at("2026-12-01T23:59:59Z"), "UTC")).toBe("2026-12-01");
    // West of Greenwich the zone's day lags UTC's.
    expect(dayOf(at("2026-12-02T07:59:59Z"), "America/Los_Angeles")).toBe("2026-12-01");
  });

  it("gives the start of a Beijing day as the instant 00:00 +08:00", () => {
    expect(startOfDay("2026-12-02", SHANGHAI)).toBe(at("2026-12-01T16:00:00Z"));
    expect(startOfDay("2027-01-01", SHANGHAI)).toBe(at("2026-12-31T16:00:00Z"));
  });

  it("follows daylight saving: Berlin's days start at 23:00 UTC in winter and 22:00 UTC in summer", () => {
    // Spring forward on 2026-03-29 at 02:00 CET -> 03:00 CEST: that day has 23 hours.
    expect(startOfDay("2026-03-29", BERLIN)).toBe(at("2026-03-28T23:00:00Z"));
    expect(startOfDay("2026-03-30", BERLIN)).toBe(at("2026-03-29T22:00:00Z"));
    expect(dayOf(at("2026-03-29T21:59:59Z"), BERLIN)).toBe("2026-03-29");
    expect(dayOf(at("2026-03-29T22:00:00Z"), BERLIN)).toBe("2026-03-30");
    // The instants either side of the change, one hour apart on the wall clock but one second in time.
    expect(dayOf(at("2026-03-29T00:59:59Z"), BERLIN)).toBe("2026-03-29");
    expect(dayOf(at("2026-03-29T01:00:00Z"), BERLIN)).toBe("2026-03-29");
    // Fall back on 2026-10-25 at 03:00 CEST -> 02:00 CET: 25 hours.
    expect(startOfDay("2026-10-25", BERLIN)).toBe(at("2026-10-24T22:00:00Z"));
    expect(startOfDay("2026-10-26", BERLIN)).toBe(at("2026-10-25T23:00:00Z"));
    expect(dayOf(at("2026-10-25T22:59:59Z"), BERLIN)).toBe("2026-10-25");
    expect(dayOf(at("2026-10-25T23:00:00Z"), BERLIN)).toBe("2026-10-26");
  });

  it("starts a day whose midnight a zone skips at the change, and a day with two midnights at the first", () => {
    // Chile springs forward at 24:00: 2026-09-06 begins at 01:00 -03 (04:00 UTC).
    expect(startOfDay("2026-09-06", "America/Santiago")).toBe(at("2026-09-06T04:00:00Z"));
    expect(dayOf(at("2026-09-06T03:59:59Z"), "America/Santiago")).toBe("2026-09-05");
    // Cuba falls back at 01:00 -> 00:00: 2026-11-01 has midnight twice; the day begins at the first.
    expect(startOfDay("2026-11-01", "America/Havana")).toBe(at("2026-11-01T04:00:00Z"));
  });

  it("counts and adds whole days on the day strings alone, whatever the zone", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
    expect(addDays("2026-03-28", 2)).toBe("2026-03-30");
    expect(daysBetween("2026-03-28", "2026-03-30")).toBe(2);
    expect(daysBetween("2026-12-01", "2026-11-23")).toBe(-8);
    expect(daysBetween("2026-12-01T23:00:00Z", "2026-12-02")).toBe(1);
    expect(() => addDays("2025-02-30", 1)).toThrow(/not a calendar date/);
    expect(() => daysBetween("12/01/2026", "2026-12-02")).toThrow(/not an ISO date/);
    expect(() => addDays("2026-12-01", 0.5)).toThrow(/whole number/);
  });

  it("refuses a zone it does not know, naming it", () => {
    expect(() => assertTimeZone("Asia/Beijing")).toThrow(/unknown time zone "Asia\/Beijing"/);
    expect(() => dayOf(0, "Mars/Olympus")).toThrow(RangeError);
    expect(() => assertTimeZone("Europe/Berlin")).not.toThrow();
  });
});
