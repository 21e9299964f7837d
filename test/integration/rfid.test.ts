import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeSgtin96 } from "../../server/ingest/decoders/epc.ts";
import { startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

/** Zebra IoT Connector batch: one event per read, offset without a colon. */
function zebraBatch(reads: Array<{ epc: string; antenna: number; rssi?: number; at: number }>): string {
  return JSON.stringify(
    reads.map((r, i) => ({
      type: "INVENTORY",
      timestamp: new Date(r.at).toISOString().replace("Z", "+0000"),
      data: {
        idHex: r.epc.toLowerCase(),
        format: "epc",
        antenna: r.antenna,
        peakRssi: r.rssi ?? -58,
        eventNum: i,
        reads: 1,
      },
    })),
  );
}

describe("RFID reads to tag presence, stock and ledger", () => {
  let t: TestPlatform;
  let radios: string[];
  const base = Date.now() - 60_000;

  beforeAll(async () => {
    t = await startTestPlatform();
    const { ranges } = (await t.http("/api/tags?siteCode=NX-C01")).body;
    const range = ranges.find((r: { itemTypeCode: string }) => r.itemTypeCode === "RADIO");
    radios = Array.from({ length: 6 }, (_, i) =>
      encodeSgtin96(range.gtin14, range.companyPrefixDigits, range.serialFrom + i),
    );
  });
  afterAll(async () => {
    await t.stop();
  });

  const radioLine = (site: string) => t.stockLine(site, "RADIO");
  const publish = async (site: string, payload: string) => {
    const client = t.fleet();
    await client.publishAsync(`sites/${site}/rfid/${site}-RD1`, payload, { qos: 1 });
    await t.drained();
  };

  it("counts a tag present after the minimum reads, in the zone of its antenna", async () => {
    const before = await radioLine("NX-C01");
    expect(before.sensedQty).toBeNull();
    // One sweep is not enough (minimum 2 reads), a second one is.
    const sweep = (at: number) => radios.slice(0, 5).map((epc) => ({ epc, antenna: 1, at }));
    await publish("NX-C01", zebraBatch(sweep(base)));
    expect((await radioLine("NX-C01")).sensedQty).toBeNull();
    await publish("NX-C01", zebraBatch(sweep(base + 1000)));
    const after = await radioLine("NX-C01");
    expect(after).toMatchObject({ sensedQty: 5, basis: "sensed", bookQty: before.bookQty });
    const present = (await t.http("/api/sites/NX-C01/tags?present=true")).body;
    expect(present.map((p: { epc: string; zone: string }) => [p.epc, p.zone])).toEqual(
      radios.slice(0, 5).map((e) => [e, "Aisle A"]),
    );
  });

  it("ignores reads under the RSSI floor", async () => {
    const faint = [0, 1, 2].map((i) => ({
      epc: radios[5] as string,
      antenna: 2,
      rssi: -85,
      at: base + 2000 + i,
    }));
    await publish("NX-C01", zebraBatch(faint));
    expect((await radioLine("NX-C01")).sensedQty).toBe(5);
  });

  it("writes an issue when a tag goes out through the dock and a transfer when it comes in at another depot", async () => {
    const epc = radios[0] as string;
    const c01 = await radioLine("NX-C01");
    const c02 = await radioLine("NX-C02");
    await publish(
      "NX-C01",
      zebraBatch([
        { epc, antenna: 4, at: base + 5000 },
        { epc, antenna: 3, at: base + 6000 },
      ]),
    );
    expect(await radioLine("NX-C01")).toMatchObject({ sensedQty: 4, bookQty: c01.bookQty - 1 });
    const moved = (await t.http("/api/sites/NX-C01/tags")).body.find((p: { epc: string }) => p.epc === epc);
    expect(moved).toMatchObject({ present: false, inTransitFrom: "NX-C01" });

    // At the south depot, an Impinj reader sees it come in (outside antenna 3, then inside 4).
    const impinj = (antennaPort: number, at: number) =>
      JSON.stringify({
        timestamp: `${new Date(at).toISOString().slice(0, -1)}123456Z`,
        eventType: "tagInventory",
        tagInventoryEvent: { epcHex: epc, antennaPort, peakRssiCdbm: -5600 },
      });
    await publish("NX-C02", impinj(3, base + 60_000));
    await publish("NX-C02", impinj(4, base + 61_000));
    expect((await radioLine("NX-C02")).bookQty).toBe(c02.bookQty + 1);
    const ledger = t.platform.deps.database.sqlite
      .prepare(
        "SELECT site_code AS site, kind, quantity, counterpart_site_code AS counterpart, device_id AS device FROM stock_ledger WHERE tag_epc = ? ORDER BY id",
      )
      .all(epc);
    expect(ledger).toEqual([
      { site: "NX-C01", kind: "issue", quantity: -1, counterpart: null, device: "NX-C01-RD1" },
      { site: "NX-C02", kind: "transfer", quantity: 1, counterpart: "NX-C01", device: "NX-C02-RD1" },
    ]);
  });

  it("keeps reads of unknown tags and lists them with the reason", async () => {
    const unregistered = encodeSgtin96("08719139005740", 7, 340548);
    await publish(
      "NX-C01",
      zebraBatch([
        { epc: unregistered, antenna: 1, at: base + 7000 },
        { epc: "E2801190A5021F80055817CA", antenna: 1, at: base + 7000 },
        { epc: "E2801190A5021F80055817CA", antenna: 2, at: base + 7100 },
      ]),
    );
    const { total, items } = (await t.http("/api/tags/unknown?siteCode=NX-C01")).body;
    expect(total).toBe(2);
    const byEpc = Object.fromEntries(items.map((i: { epc: string }) => [i.epc, i]));
    expect(byEpc[unregistered]).toMatchObject({
      readCount: 1,
      reason: "GTIN 08719139005740 serial 340548 is in no registered range",
    });
    expect(byEpc.E2801190A5021F80055817CA).toMatchObject({
      readCount: 2,
      reason: expect.stringMatching(/not an SGTIN-96/),
    });
  });
});

describe("tag registration", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  const post = async (path: string, body: string, type = "application/json") => {
    const response = await fetch(`${t.platform.httpUrl}${path}`, {
      method: "POST",
      headers: { ...(await t.headers()), "content-type": type },
      body,
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  it("registers ranges and raw tags from CSV, after which their reads count as stock", async () => {
    const csv = [
      "gtin14,serial_from,serial_to,item_type,site,units,epc",
      "08719139005740,1,100,HELMET,NX-B01,1,",
      ",,,VEST,NX-B01,1,E2801190A5021F80055817CA",
    ].join("\n");
    expect(await post("/api/tags/import", csv, "text/csv")).toEqual({
      status: 201,
      body: { ranges: 1, tags: 1 },
    });

    const client = t.fleet();
    const at = Date.now() - 5000;
    const helmet = encodeSgtin96("08719139005740", 7, 42);
    const vest = "E2801190A5021F80055817CA";
    for (const offset of [0, 1000]) {
      const reads = [helmet, vest].map((epc) => ({ epc, antenna: 2, at: at + offset }));
      await client.publishAsync("sites/NX-B01/rfid/NX-B01-RD1", zebraBatch(reads), { qos: 1 });
    }
    await t.drained();
    // Only part of the helmets and vests are tagged: the tags vouch for themselves, the book for the
    // rest. 100 helmet tags are registered here and 1 was read, so 99 tagged helmets are missing.
    const helmets = await t.stockLine("NX-B01", "HELMET");
    expect(helmets).toMatchObject({ sensedQty: 1, basis: "reconciled", onHandQty: helmets.bookQty - 99 });
    const vests = await t.stockLine("NX-B01", "VEST");
    expect(vests).toMatchObject({ sensedQty: 1, basis: "reconciled", onHandQty: vests.bookQty });
    expect((await t.http("/api/tags/unknown")).body.total).toBe(0);

    // A reader nobody registered is not a source of stock: it cannot even connect.
    const refused = await mqtt
      .connectAsync(t.platform.mqttUrl, { username: "NX-K01-RD9", password: "guess", reconnectPeriod: 0 })
      .then(
        () => null,
        (err: { code?: number }) => err,
      );
    expect(refused?.code).toBe(4);
  });

  it("counts a tag whose reads were unknown once its range is registered", async () => {
    const client = t.fleet();
    const at = Date.now() - 5000;
    const tag = encodeSgtin96("08719139005740", 7, 5001);
    const read = (offset: number) =>
      client.publishAsync(
        "sites/NX-B02/rfid/NX-B02-RD1",
        zebraBatch([{ epc: tag, antenna: 1, at: at + offset }]),
        { qos: 1 },
      );
    await read(0);
    await read(100);
    await t.drained();
    expect((await t.http("/api/tags/unknown?siteCode=NX-B02")).body.items).toEqual([
      expect.objectContaining({ epc: tag, readCount: 2 }),
    ]);
    const before = (await t.stockLine("NX-B02", "HELMET")).sensedQty;

    const range = {
      gtin14: "08719139005740",
      serialFrom: 5000,
      serialTo: 5009,
      itemTypeCode: "HELMET",
      siteCode: "NX-B02",
    };
    expect((await post("/api/tags", JSON.stringify({ ranges: [range] }))).status).toBe(201);
    await read(1000);
    await read(1100);
    await t.drained();
    expect((await t.stockLine("NX-B02", "HELMET")).sensedQty).toBe((before ?? 0) + 1);
  });

  it("refuses a bad CSV with every problem and its line, registering nothing", async () => {
    const csv = ["gtin14,serial_from,serial_to,item_type,colour", "0871913900574,1,2,HELMET,red"].join("\n");
    const refused = await post("/api/tags/import", csv, "text/csv");
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe("CSV header has unknown columns: colour");

    const rows = [
      "gtin14,serial_from,serial_to,item_type",
      "0871913900574,1,2,HELMET",
      "08719139005740,x,2,HELMET",
      "08719139005740,5,9,",
    ].join("\n");
    const bad = await post("/api/tags/import", rows, "text/csv");
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/line 3: serial_from must be a whole number/);
    expect(bad.body.message).toMatch(/line 4: item_type is empty/);
    const { ranges } = (await t.http("/api/tags?siteCode=NX-K02")).body;
    expect(ranges).toEqual([]);
  });

  it("refuses overlapping ranges and unknown item types with 400", async () => {
    const range = { gtin14: "08719139005740", serialFrom: 1000, serialTo: 2000, itemTypeCode: "VEST" };
    expect((await post("/api/tags", JSON.stringify({ ranges: [range] }))).status).toBe(201);
    const overlap = await post(
      "/api/tags",
      JSON.stringify({ ranges: [{ ...range, serialFrom: 1500, serialTo: 2500 }] }),
    );
    expect(overlap.status).toBe(400);
    expect(overlap.body.message).toMatch(/ranges\[0\] overlaps registered range/);
    const unknownType = await post(
      "/api/tags",
      JSON.stringify({ tags: [{ epc: "E28011900000000000000001", itemTypeCode: "CANNON" }] }),
    );
    expect(unknownType).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/does not exist/) },
    });
    const badGtin = await post("/api/tags", JSON.stringify({ ranges: [{ ...range, gtin14: "123" }] }));
    expect(badGtin.status).toBe(400);
    expect(badGtin.body.message).toMatch(/body\/ranges\/0\/gtin14/);
  });
});

describe("antenna mapping", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  const put = (device: string, body: unknown) => t.send("PUT", `/api/devices/${device}/antennas`, body);

  it("puts a tag in the zone its antenna is mapped to, and refuses mappings that make no sense", async () => {
    const mapping = [
      { antenna: 1, role: "storage", zone: "Cage 1" },
      { antenna: 7, role: "portal-outside", zone: "Gate" },
      { antenna: 8, role: "portal-inside", zone: "Gate" },
    ];
    expect(await put("NX-B02-RD1", mapping)).toEqual({
      status: 200,
      body: { deviceId: "NX-B02-RD1", antennas: 3 },
    });
    const [reader] = (await t.http("/api/devices?siteCode=NX-B02&kind=rfid")).body;
    expect(reader.antennas).toEqual(mapping);

    const { ranges } = (await t.http("/api/tags?siteCode=NX-B02")).body;
    const epc = encodeSgtin96(ranges[0].gtin14, ranges[0].companyPrefixDigits, ranges[0].serialFrom);
    const client = t.fleet();
    const at = Date.now() - 10_000;
    for (const offset of [0, 500]) {
      await client.publishAsync(
        "sites/NX-B02/rfid/NX-B02-RD1",
        zebraBatch([{ epc, antenna: 1, at: at + offset }]),
        { qos: 1 },
      );
    }
    await t.drained();
    const [tag] = (await t.http("/api/sites/NX-B02/tags?present=true")).body;
    expect(tag).toMatchObject({ epc, zone: "Cage 1" });

    expect(
      (await put("NX-B02-RD1", [{ antenna: 7, role: "portal-outside", zone: "Gate" }])).body.message,
    ).toBe('body: portal "Gate" needs one portal-outside and one portal-inside antenna');
    expect((await put("NX-B02-SH1", mapping)).body.message).toBe(
      'device "NX-B02-SH1" is a shelf device, not an RFID reader',
    );
    expect((await put("NX-B02-NOPE", mapping)).status).toBe(404);
    expect((await put("NX-B02-RD1", [{ antenna: 1, role: "roof", zone: "x" }])).status).toBe(400);
  });
});

describe("departure after the configured unseen interval", () => {
  it("takes a tag out of sensed stock once it has gone unseen for PRESENCE_DEPART_AFTER_S", async () => {
    const t = await startTestPlatform({ env: { PRESENCE_DEPART_AFTER_S: "2" } });
    try {
      const { ranges } = (await t.http("/api/tags?siteCode=NX-B03")).body;
      const epc = encodeSgtin96(ranges[0].gtin14, ranges[0].companyPrefixDigits, ranges[0].serialFrom);
      const client = t.fleet();
      const at = Date.now();
      await client.publishAsync(
        "sites/NX-B03/rfid/NX-B03-RD1",
        zebraBatch([
          { epc, antenna: 2, at: at - 100 },
          { epc, antenna: 2, at },
        ]),
        { qos: 1 },
      );
      await t.drained();
      expect((await t.stockLine("NX-B03", "RADIO")).sensedQty).toBe(1);

      const { processor } = t.platform.deps;
      expect(processor.sweepDepartures(at + 1500)).toBe(0);
      expect((await t.stockLine("NX-B03", "RADIO")).sensedQty).toBe(1);
      expect(processor.sweepDepartures(at + 2500)).toBe(1);
      expect((await t.stockLine("NX-B03", "RADIO")).sensedQty).toBe(0);
      const [tag] = (await t.http("/api/sites/NX-B03/tags")).body;
      expect(tag).toMatchObject({ epc, present: false, zone: null });
    } finally {
      await t.stop();
    }
  });
});
