import { describe, expect, it } from "vitest";
import { DecodeError, decodeMessage } from "../../../server/ingest/decoders/index.ts";

const AT = Date.UTC(2026, 10, 20, 8, 0, 0);
const topic = (kind: "shelf" | "env" | "status" | "rfid") => ({ siteCode: "NX-C01", kind, deviceId: "D1" });

describe("device message decoding by topic kind", () => {
  it("turns a shelf pack into weight readings tagged with site and device", () => {
    const decoded = decodeMessage(topic("shelf"), Buffer.from('[{"n":"load","u":"g","v":5000}]'), AT);
    expect(decoded.readings).toEqual([
      {
        deviceId: "D1",
        siteCode: "NX-C01",
        kind: "shelf",
        measurement: "weight",
        unit: "kg",
        value: 5,
        time: AT,
      },
    ]);
  });

  it("refuses a shelf pack without a mass", () => {
    expect(() => decodeMessage(topic("shelf"), Buffer.from('[{"n":"temp","u":"Cel","v":20}]'), AT)).toThrow(
      "shelf pack has no weight record in kg or g",
    );
  });

  it("keeps every environment record under its own measurement", () => {
    const decoded = decodeMessage(
      topic("env"),
      Buffer.from('[{"bn":"urn:dev:env:D1:","n":"temp","u":"Cel","v":21.5},{"n":"hum","u":"%RH","v":48}]'),
      AT,
    );
    expect(decoded.readings.map((r) => [r.measurement, r.unit, r.value])).toEqual([
      ["temp", "Cel", 21.5],
      ["hum", "%RH", 48],
    ]);
  });

  it("reads heartbeats and last wills as an online series", () => {
    expect(decodeMessage(topic("status"), Buffer.from('{"online":false}'), AT).readings[0]?.value).toBe(0);
    expect(() => decodeMessage(topic("status"), Buffer.from('{"online":"yes"}'), AT)).toThrow(
      /boolean "online"/,
    );
  });

  it("says plainly that RFID reads are not decoded yet rather than dropping them", () => {
    expect(() => decodeMessage(topic("rfid"), Buffer.from("{}"), AT)).toThrow(DecodeError);
  });
});

describe("reading times", () => {
  it("refuses a reading dated after 2262, which no time-series store here can hold", () => {
    expect(() =>
      decodeMessage(topic("env"), Buffer.from('[{"n":"temp","u":"Cel","v":20,"bt":9300000000}]'), AT),
    ).toThrow(/outside 1970 to 2262/);
  });
});
