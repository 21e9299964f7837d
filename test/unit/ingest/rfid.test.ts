import { describe, expect, it } from "vitest";
import { decodeRfid, parseIsoTimestampMs } from "../../../server/ingest/decoders/rfid.ts";
import { DecodeError } from "../../../server/ingest/decoders/senml.ts";

const RECEIVED = Date.UTC(2026, 10, 20, 9, 0, 0);
const decode = (payload: unknown) =>
  decodeRfid(Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload)), RECEIVED);

// The samples of device-formats.md, verbatim.
const ZEBRA_SINGLE = `{"type":"SIMPLE","timestamp":"2026-11-20T08:15:02.120+0000",
 "data":{"idHex":"3074257bf7194e4000001a85","format":"epc","antenna":2,"peakRssi":-58,"eventNum":41,"reads":3}}`;
const ZEBRA_BATCH_EVENT = {
  type: "INVENTORY",
  timestamp: "2026-11-20T08:15:03.004+0800",
  data: {
    idHex: "3036142C8C008F8000053244",
    format: "epc",
    antenna: 1,
    peakRssi: -61,
    eventNum: 42,
    channel: 922.25,
    PC: "3000",
  },
};
const IMPINJ_TAG = `{"timestamp":"2026-11-20T00:15:02.123456789Z","hostname":"impinj-14-2b-7c","eventType":"tagInventory",
 "tagInventoryEvent":{"epc":"MHQle/cZTkAAABqF","epcHex":"3074257BF7194E4000001A85",
                      "antennaPort":1,"peakRssiCdbm":-5800,"frequency":922250,"lastSeenTime":"2026-11-20T00:15:02.1Z"}}`;

const zebra = (data: Record<string, unknown>, timestamp: unknown = "2026-11-20T08:15:02.120+0000") => ({
  type: "SIMPLE",
  timestamp,
  data: { format: "epc", ...data },
});
const impinjTag = (tag: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  timestamp: "2026-11-20T00:15:02.123456789Z",
  hostname: "impinj-14-2b-7c",
  eventType: "tagInventory",
  tagInventoryEvent: tag,
  ...extra,
});

describe("Zebra IoT Connector events", () => {
  it("decodes the single-event sample, upper-casing the lower-case idHex", () => {
    expect(decode(ZEBRA_SINGLE)).toEqual({
      format: "zebra",
      tagReads: [
        {
          epcHex: "3074257BF7194E4000001A85",
          antenna: 2,
          rssiDbm: -58,
          time: Date.UTC(2026, 10, 20, 8, 15, 2, 120),
          reads: 3,
        },
      ],
      statusEvents: [],
    });
  });

  it("decodes a batch, with +0800 giving the UTC instant eight hours earlier", () => {
    const decoded = decode([ZEBRA_BATCH_EVENT, zebra({ idHex: "e2801190a5021f80055817ca", antenna: 4 })]);
    expect(decoded.format).toBe("zebra");
    expect(decoded.tagReads).toEqual([
      {
        epcHex: "3036142C8C008F8000053244",
        antenna: 1,
        rssiDbm: -61,
        time: Date.UTC(2026, 10, 20, 0, 15, 3, 4),
        reads: 1,
      },
      {
        epcHex: "E2801190A5021F80055817CA",
        antenna: 4,
        rssiDbm: null,
        time: Date.UTC(2026, 10, 20, 8, 15, 2, 120),
        reads: 1,
      },
    ]);
  });

  it.each([
    ["+0000", "2026-11-20T08:15:02.120+0000", Date.UTC(2026, 10, 20, 8, 15, 2, 120)],
    ["+0800", "2026-11-20T08:15:02.120+0800", Date.UTC(2026, 10, 20, 0, 15, 2, 120)],
    ["-0600", "2026-11-20T08:15:02.120-0600", Date.UTC(2026, 10, 20, 14, 15, 2, 120)],
    ["-0600 across midnight", "2026-11-19T21:30:00.000-0600", Date.UTC(2026, 10, 20, 3, 30, 0, 0)],
    ["+0530", "2026-11-20T08:15:02.120+0530", Date.UTC(2026, 10, 20, 2, 45, 2, 120)],
    ["Z", "2026-11-20T08:15:02.120Z", Date.UTC(2026, 10, 20, 8, 15, 2, 120)],
    ["+08:00", "2026-11-20T08:15:02.120+08:00", Date.UTC(2026, 10, 20, 0, 15, 2, 120)],
    ["no fraction", "2026-11-20T08:15:02+0000", Date.UTC(2026, 10, 20, 8, 15, 2, 0)],
  ])("reads offset %s as the right UTC instant", (_label, timestamp, expected) => {
    const [read] = decode(zebra({ idHex: "3074257BF7194E4000001A85" }, timestamp)).tagReads;
    expect(read?.time).toBe(expected);
  });

  it("needs only idHex in data; antenna and RSSI are null, reads 1", () => {
    const decoded = decode({
      type: "SIMPLE",
      timestamp: "2026-11-20T08:15:02.120+0000",
      data: { idHex: "E2801190" },
    });
    expect(decoded.tagReads).toEqual([
      {
        epcHex: "E2801190",
        antenna: null,
        rssiDbm: null,
        time: Date.UTC(2026, 10, 20, 8, 15, 2, 120),
        reads: 1,
      },
    ]);
  });

  it("is recognised by data.idHex even without a type", () => {
    const decoded = decode({ timestamp: "2026-11-20T08:15:02.120+0000", data: { idHex: "E2801190" } });
    expect(decoded.format).toBe("zebra");
  });
});

describe("Impinj IoT device interface events", () => {
  it("decodes the tag inventory sample: nanoseconds kept to the millisecond, centi-dBm to dBm", () => {
    expect(decode(IMPINJ_TAG)).toEqual({
      format: "impinj",
      tagReads: [
        {
          epcHex: "3074257BF7194E4000001A85",
          antenna: 1,
          rssiDbm: -58,
          time: Date.UTC(2026, 10, 20, 0, 15, 2, 123),
          reads: 1,
        },
      ],
      statusEvents: [],
    });
  });

  it("takes the EPC from base64 alone, equal to its hex", () => {
    const [read] = decode(impinjTag({ epc: "MHQle/cZTkAAABqF", antennaPort: 2 })).tagReads;
    expect(read?.epcHex).toBe("3074257BF7194E4000001A85");
  });

  it("takes the EPC from lower-case epcHex alone", () => {
    const [read] = decode(impinjTag({ epcHex: "3074257bf7194e4000001a85" })).tagReads;
    expect(read).toEqual({
      epcHex: "3074257BF7194E4000001A85",
      antenna: null,
      rssiDbm: null,
      time: Date.UTC(2026, 10, 20, 0, 15, 2, 123),
      reads: 1,
    });
  });

  it("converts fractional centi-dBm exactly", () => {
    const [read] = decode(impinjTag({ epcHex: "E2801190", peakRssiCdbm: -6125 })).tagReads;
    expect(read?.rssiDbm).toBe(-61.25);
  });

  it("accepts older firmware without eventType", () => {
    const { eventType: _omitted, ...old } = impinjTag({ epc: "MHQle/cZTkAAABqF" });
    const decoded = decode(old);
    expect(decoded.format).toBe("impinj");
    expect(decoded.tagReads.map((r) => r.epcHex)).toEqual(["3074257BF7194E4000001A85"]);
  });

  it.each([
    ["9 digits", "2026-11-20T00:15:02.999999999Z", Date.UTC(2026, 10, 20, 0, 15, 2, 999)],
    ["6 digits", "2026-11-20T00:15:02.000500Z", Date.UTC(2026, 10, 20, 0, 15, 2, 0)],
    ["1 digit", "2026-11-20T00:15:02.1Z", Date.UTC(2026, 10, 20, 0, 15, 2, 100)],
    ["7 digits and an offset", "2026-11-20T08:15:02.1234567+08:00", Date.UTC(2026, 10, 20, 0, 15, 2, 123)],
  ])("truncates a %s fraction to milliseconds", (_label, timestamp, expected) => {
    const [read] = decode(impinjTag({ epcHex: "E2801190" }, { timestamp })).tagReads;
    expect(read?.time).toBe(expected);
  });

  it("separates status events from tag reads and keeps their detail", () => {
    const decoded = decode([
      {
        timestamp: "2026-11-20T00:15:00Z",
        eventType: "inventoryStatus",
        inventoryStatusEvent: { status: "running" },
      },
      JSON.parse(IMPINJ_TAG),
      {
        timestamp: "2026-11-20T00:15:05.5Z",
        hostname: "impinj-14-2b-7c",
        eventType: "antennaDisconnected",
        antennaDisconnectedEvent: { antennaPort: 3 },
      },
      {
        timestamp: "2026-11-20T00:16:00Z",
        inventoryTerminatedEvent: { preset: "default", reason: "stopped" },
      },
    ]);
    expect(decoded.format).toBe("impinj");
    expect(decoded.tagReads.map((r) => [r.epcHex, r.antenna, r.time])).toEqual([
      ["3074257BF7194E4000001A85", 1, Date.UTC(2026, 10, 20, 0, 15, 2, 123)],
    ]);
    expect(decoded.statusEvents).toEqual([
      { type: "inventoryStatusEvent", time: Date.UTC(2026, 10, 20, 0, 15, 0), detail: { status: "running" } },
      {
        type: "antennaDisconnectedEvent",
        time: Date.UTC(2026, 10, 20, 0, 15, 5, 500),
        detail: { antennaPort: 3 },
      },
      {
        type: "inventoryTerminatedEvent",
        time: Date.UTC(2026, 10, 20, 0, 16, 0),
        detail: { preset: "default", reason: "stopped" },
      },
    ]);
  });

  it("dates a status event without a timestamp at the receive time", () => {
    const decoded = decode({ antennaConnectedEvent: { antennaPort: 2 } });
    expect(decoded).toEqual({
      format: "impinj",
      tagReads: [],
      statusEvents: [{ type: "antennaConnectedEvent", time: RECEIVED, detail: { antennaPort: 2 } }],
    });
  });
});

describe("rejected reader messages", () => {
  const many = (n: number) => Array.from({ length: n }, () => zebra({ idHex: "E2801190" }));

  it("accepts 10,000 events and rejects 10,001", () => {
    expect(decode(many(10_000)).tagReads).toHaveLength(10_000);
    expect(() => decode(many(10_001))).toThrow(/10001 reader events in one message; at most 10000/);
  });

  it.each([
    ["not JSON", "{oops", /payload is not JSON/],
    ["an empty array", [], /empty array of reader events/],
    [
      "an object of neither format",
      { hello: "world" },
      /not a Zebra or Impinj reader event: event 0 has keys/,
    ],
    ["a number", 42, /not a Zebra or Impinj reader event: event 0 is 42/],
    ["an array holding a string", [zebra({ idHex: "E2801190" }), "x"], /event 1 is "x"/],
    [
      "a mixed batch",
      [zebra({ idHex: "E2801190" }), impinjTag({ epcHex: "E2801190" })],
      /event 1 is in impinj format but event 0 is zebra/,
    ],
    [
      "a non-hex idHex, naming the event",
      [zebra({ idHex: "E2801190" }), zebra({ idHex: "E2801190" }), zebra({ idHex: "3074ZZZZ" })],
      /event 2: data.idHex "3074ZZZZ" is not an even number of 8 to 124 hex digits/,
    ],
    ["an odd-length idHex", zebra({ idHex: "E280119" }), /event 0: data.idHex "E280119" is not/],
    ["a numeric idHex", zebra({ idHex: 12345678 }), /event 0: data.idHex 12345678 is not/],
    [
      "Zebra data without idHex",
      { type: "SIMPLE", timestamp: "2026-11-20T08:15:02Z", data: {} },
      /idHex is missing/,
    ],
    [
      "a missing Zebra timestamp",
      { type: "SIMPLE", data: { idHex: "E2801190", format: "epc" } },
      /event 0: timestamp is missing/,
    ],
    [
      "a timestamp without offset",
      zebra({ idHex: "E2801190" }, "2026-11-20T08:15:02.120"),
      /event 0: timestamp "2026-11-20T08:15:02.120" is not an ISO 8601 date-time with a UTC offset/,
    ],
    [
      "a 31st of November",
      zebra({ idHex: "E2801190" }, "2026-11-31T08:15:02Z"),
      /timestamp .* is not an ISO/,
    ],
    ["a numeric timestamp", zebra({ idHex: "E2801190" }, 1795600000), /timestamp 1795600000 is not an ISO/],
    [
      "a string antenna",
      zebra({ idHex: "E2801190", antenna: "2" }),
      /data.antenna must be a number, not "2"/,
    ],
    [
      "a fractional antenna",
      zebra({ idHex: "E2801190", antenna: 1.5 }),
      /data.antenna must be a whole antenna/,
    ],
    ["a string RSSI", zebra({ idHex: "E2801190", peakRssi: "-58" }), /data.peakRssi must be a number/],
    ["zero reads", zebra({ idHex: "E2801190", reads: 0 }), /data.reads must be a whole number of at least 1/],
    [
      "epc and epcHex that disagree",
      impinjTag({ epc: "MHQle/cZTkAAABqF", epcHex: "3074257BF7194E4000001A86" }),
      /epc \(3074257BF7194E4000001A85 from base64\) and epcHex \(3074257BF7194E4000001A86\) disagree/,
    ],
    ["a tag with neither epc nor epcHex", impinjTag({ antennaPort: 1 }), /neither epc nor epcHex/],
    ["a bad base64 epc", impinjTag({ epc: "MHQle/cZ*kAAABqF" }), /tagInventoryEvent.epc .* is not base64/],
    ["a non-hex epcHex", impinjTag({ epcHex: "not hex!" }), /tagInventoryEvent.epcHex "not hex!" is not/],
    [
      "a string antennaPort",
      impinjTag({ epcHex: "E2801190", antennaPort: "1" }),
      /tagInventoryEvent.antennaPort must be a number/,
    ],
    [
      "a string peakRssiCdbm",
      impinjTag({ epcHex: "E2801190", peakRssiCdbm: "-5800" }),
      /tagInventoryEvent.peakRssiCdbm must be a number/,
    ],
    [
      "an Impinj tag event without timestamp",
      impinjTag({ epcHex: "E2801190" }, { timestamp: undefined }),
      /timestamp is missing/,
    ],
    [
      "an invalid status timestamp",
      { timestamp: "yesterday", inventoryStatusEvent: {} },
      /event 0: timestamp "yesterday" is not an ISO/,
    ],
    [
      "eventType tagInventory without its object",
      { timestamp: "2026-11-20T00:15:02Z", eventType: "tagInventory" },
      /tagInventory without a tagInventoryEvent object/,
    ],
    [
      "an eventType that does not match the event object",
      { timestamp: "2026-11-20T00:15:02Z", eventType: "inventoryStatus", antennaConnectedEvent: {} },
      /eventType "inventoryStatus" does not match its event object antennaConnectedEvent/,
    ],
    [
      "two event objects in one event",
      { timestamp: "2026-11-20T00:15:02Z", antennaConnectedEvent: {}, inventoryStatusEvent: {} },
      /carries 2 events/,
    ],
  ])("rejects %s with a reason", (_label, payload, reason) => {
    expect(() => decode(payload)).toThrow(DecodeError);
    expect(() => decode(payload)).toThrow(reason);
  });
});

describe("ISO 8601 timestamps", () => {
  it.each([
    ["2026-11-20T08:15:02.120+0000", Date.UTC(2026, 10, 20, 8, 15, 2, 120)],
    ["2026-02-28T23:59:59.999-0100", Date.UTC(2026, 2, 1, 0, 59, 59, 999)],
    ["2028-02-29T00:00:00Z", Date.UTC(2028, 1, 29)],
  ])("parses %s", (text, expected) => {
    expect(parseIsoTimestampMs(text)).toBe(expected);
  });

  it.each([
    "2026-02-29T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-11-20T24:00:00Z",
    "2026-11-20T08:60:00Z",
    "2026-11-20T08:15:02.1234567890Z",
    "2026-11-20T08:15:02+080",
    "2026-11-20 08:15:02Z",
    "0099-11-20T08:15:02Z",
    "",
  ])("refuses %s", (text) => {
    expect(parseIsoTimestampMs(text)).toBeNull();
  });

  it("knows the last day of every month as the calendar does, leap years included", () => {
    for (let year = 1970; year <= 2400; year += 1) {
      for (let month = 1; month <= 12; month += 1) {
        const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
        const day = (d: number) =>
          `${year}-${String(month).padStart(2, "0")}-${String(d).padStart(2, "0")}T00:00:00Z`;
        expect(parseIsoTimestampMs(day(last))).toBe(Date.UTC(year, month - 1, last));
        expect(parseIsoTimestampMs(day(last + 1))).toBeNull();
      }
    }
  });
});
