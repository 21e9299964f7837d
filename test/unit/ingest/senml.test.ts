import { describe, expect, it } from "vitest";
import {
  DecodeError,
  decodeSenml as decodeFrom,
  MAX_SENML_RECORDS,
} from "../../../server/ingest/decoders/senml.ts";

const RECEIVED = Date.UTC(2026, 10, 20, 8, 0, 0);
/** The pack as if it came on the topic of NX-C01-S03, the device the samples name. */
const decodeSenml = (payload: string, receivedAtMs: number) =>
  decodeFrom(payload, receivedAtMs, "NX-C01-S03");

describe("SenML packs (RFC 8428)", () => {
  it("joins base name and name, and takes absolute base time in seconds", () => {
    const [reading] = decodeSenml(
      '[{"bn":"urn:dev:shelf:NX-C01-S03:","bt":1795600000,"n":"weight","u":"kg","v":118.4}]',
      RECEIVED,
    );
    expect(reading).toEqual({
      record: 0,
      name: "urn:dev:shelf:NX-C01-S03:weight",
      measurement: "weight",
      unit: "kg",
      value: 118.4,
      time: 1795600000 * 1000,
    });
  });

  it("carries base name, time and unit over to later records and adds record times to the base time", () => {
    const readings = decodeSenml(
      JSON.stringify([
        { bn: "urn:dev:env:NX-C01-S03:", bt: 1795600000, n: "temp", u: "Cel", v: 21.5 },
        { n: "hum", u: "%RH", v: 48, t: 10 },
        { bu: "Cel", n: "temp", v: 22, t: 60 },
      ]),
      RECEIVED,
    );
    expect(readings.map((r) => [r.name, r.unit, r.value, r.time])).toEqual([
      ["urn:dev:env:NX-C01-S03:temp", "Cel", 21.5, 1795600000000],
      ["urn:dev:env:NX-C01-S03:hum", "%RH", 48, 1795600010000],
      ["urn:dev:env:NX-C01-S03:temp", "Cel", 22, 1795600060000],
    ]);
  });

  it("treats times below 2^28 as relative to when the message arrived", () => {
    const [noTime, past] = decodeSenml(
      '[{"n":"w","u":"kg","v":1},{"n":"w","u":"kg","v":2,"t":-30}]',
      RECEIVED,
    );
    expect(noTime?.time).toBe(RECEIVED);
    expect(past?.time).toBe(RECEIVED - 30_000);
  });

  it("converts grams to kilograms so a weight series has one unit", () => {
    const [reading] = decodeSenml('[{"n":"weight","u":"g","v":118400}]', RECEIVED);
    expect(reading?.unit).toBe("kg");
    expect(reading?.value).toBeCloseTo(118.4, 9);
  });

  it("adds the base value to each value", () => {
    const [a, b] = decodeSenml(
      '[{"bv":100,"n":"weight","u":"kg","v":2.5},{"n":"weight","u":"kg","v":-1,"t":1}]',
      RECEIVED,
    );
    expect([a?.value, b?.value]).toEqual([102.5, 99]);
  });

  it.each([
    ["not JSON", "{oops", /not JSON/],
    ["an object instead of a pack", '{"n":"weight","v":1}', /JSON array/],
    ["an empty pack", "[]", /empty/],
    ["a record that is not an object", "[1]", /record 0 is not an object/],
    ["a must-understand field", '[{"n":"w","v":1,"foo_":1}]', /must-understand field "foo_"/],
    ["a string value", '[{"n":"w","vs":"heavy"}]', /only numeric values/],
    ["a value that is not a number", '[{"n":"w","v":"12"}]', /record 0\.v must be a finite number/],
    ["a huge number", '[{"n":"w","v":1e400}]', /finite number/],
    ["a name with a space", '[{"n":"my weight","v":1}]', /not a valid SenML name/],
    ["a name as a number", '[{"n":5,"v":1}]', /record 0\.n must be a string/],
    ["a record without value", '[{"bn":"x:"},{"n":"w"}]', /record 1 has no value/],
    ["only base fields", '[{"bn":"x:","bt":1795600000}]', /carries no values/],
    ["a time out of range", '[{"n":"w","v":1,"bt":1e300}]', /time out of range/],
  ])("rejects %s with a reason", (_label, payload, reason) => {
    expect(() => decodeSenml(payload, RECEIVED)).toThrow(DecodeError);
    expect(() => decodeSenml(payload, RECEIVED)).toThrow(reason);
  });
});

describe("whose readings a SenML pack carries", () => {
  it("takes names under the sender's own device URN, and plain measurement names", () => {
    const names = (payload: unknown[]) => decodeSenml(JSON.stringify(payload), RECEIVED).map((r) => r.name);
    expect(names([{ bn: "urn:dev:shelf:NX-C01-S03:", n: "weight", u: "kg", v: 1 }])).toEqual([
      "urn:dev:shelf:NX-C01-S03:weight",
    ]);
    expect(names([{ bn: "urn:dev:ow:NX-C01-S03/", n: "weight", u: "kg", v: 1 }])).toEqual([
      "urn:dev:ow:NX-C01-S03/weight",
    ]);
    expect(
      names([
        { n: "weight", u: "kg", v: 1 },
        { bn: "bay-3:", n: "weight", u: "kg", v: 2 },
      ]),
    ).toEqual(["weight", "bay-3:weight"]);
  });

  it.each([
    [
      "a base name of another device",
      [{ bn: "urn:dev:shelf:NX-C01-S04:", n: "weight", u: "kg", v: 1 }],
      'record 0: name "urn:dev:shelf:NX-C01-S04:weight" names device "NX-C01-S04", not the sender "NX-C01-S03"',
    ],
    [
      "another device named in a later record's name",
      [
        { bn: "urn:dev:shelf:NX-C01-S03:", n: "weight", u: "kg", v: 1 },
        { bn: "", n: "urn:dev:shelf:NX-C02-S01:weight", u: "kg", v: 2 },
      ],
      'record 1: name "urn:dev:shelf:NX-C02-S01:weight" names device "NX-C02-S01", not the sender "NX-C01-S03"',
    ],
    [
      "another device in upper-case URN letters",
      [{ bn: "URN:DEV:shelf:NX-C01-S04:", n: "weight", u: "kg", v: 1 }],
      'record 0: name "URN:DEV:shelf:NX-C01-S04:weight" names device "NX-C01-S04", not the sender "NX-C01-S03"',
    ],
    [
      "the sender's id with more after it",
      [{ bn: "urn:dev:shelf:NX-C01-S03", n: "weight", u: "kg", v: 1 }],
      'record 0: name "urn:dev:shelf:NX-C01-S03weight" names device "NX-C01-S03weight", not the sender "NX-C01-S03"',
    ],
    [
      "a device URN without a device part",
      [{ bn: "urn:dev:", n: "weight", u: "kg", v: 1 }],
      'record 0: name "urn:dev:weight" does not name a device as urn:dev:{kind}:{id}:',
    ],
  ])("refuses %s", (_label, pack, reason) => {
    expect(() => decodeSenml(JSON.stringify(pack), RECEIVED)).toThrow(DecodeError);
    expect(() => decodeSenml(JSON.stringify(pack), RECEIVED)).toThrow(reason);
  });
});

describe("the size and shape of a SenML pack", () => {
  const records = (n: number) =>
    JSON.stringify(Array.from({ length: n }, (_, i) => ({ n: "weight", u: "kg", v: 1, t: -i })));

  it("takes 1,000 records in one pack", () => {
    expect(MAX_SENML_RECORDS).toBe(1000);
    expect(decodeSenml(records(MAX_SENML_RECORDS), RECEIVED)).toHaveLength(MAX_SENML_RECORDS);
  });

  it("refuses a pack of 1,001 records before looking at them", () => {
    expect(() => decodeSenml(records(1001), RECEIVED)).toThrow(
      "SenML pack has 1001 records; at most 1000 are accepted in one message",
    );
  });

  it("refuses deep nesting with a reason, not a stack overflow", () => {
    const deep = `[{"n":"weight","u":"kg","v":${"[".repeat(100_000)}${"]".repeat(100_000)}}]`;
    expect(() => decodeSenml(deep, RECEIVED)).toThrow("payload nests deeper than 32 levels");
  });
});
