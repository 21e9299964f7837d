import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeSgtin96 } from "../../server/ingest/decoders/epc.ts";
import { startTestPlatform, type TestPlatform, waitFor } from "../helpers/platform.ts";
import { openEventStream } from "../helpers/sse.ts";

describe("incidents and dispatch for the command centre", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ env: { ALERT_INTERVAL_MS: "60000" } });
  });
  afterAll(async () => {
    await t.stop();
  });

  const sumBy = (lines: Array<{ itemTypeCode: string; quantity: number }>) => {
    const sums: Record<string, number> = {};
    for (const l of lines) sums[l.itemTypeCode] = (sums[l.itemTypeCode] ?? 0) + l.quantity;
    return sums;
  };

  it("plans a 2,000-person mobilisation: the kit in quantities, met or reported short, no dearer than nearest-first", async () => {
    const { status, body: order } = await t.send("POST", "/api/incidents", {
      name: "Yellow River flood, Qingtongxia",
      type: "flood",
      lat: 38.021,
      lon: 106.075,
      personnel: 2000,
    });
    expect(status).toBe(201);
    expect(order).toMatchObject({ state: "planned", personnel: 2000, costModel: "distance" });
    const { categories } = (await t.http("/api/catalogue")).body;
    const kit = categories.flatMap(
      (c: { itemTypes: Array<{ code: string; kitQtyPerPerson: number }> }) => c.itemTypes,
    );
    const planned = sumBy(order.lines);
    const short = Object.fromEntries(
      order.shortfall.map((s: { itemTypeCode: string; missing: number }) => [s.itemTypeCode, s.missing]),
    );
    for (const type of kit) {
      const demand = Math.ceil(2000 * type.kitQtyPerPerson - 1e-9);
      expect((planned[type.code] ?? 0) + (short[type.code] ?? 0), type.code).toBe(demand);
    }
    expect(order.totalCost).toBeLessThanOrEqual(order.greedyCost + 1e-6);
    expect(order.gainOverGreedy).toBeCloseTo(order.greedyCost - order.totalCost, 6);
    // Own lines are picked from batches (first expiry first out); every line has an ETA.
    for (const line of order.lines) {
      expect(line.etaHours).toBeGreaterThanOrEqual(0);
      if (line.sourceKind === "own") expect(line.batchId).not.toBeNull();
    }
    expect(order.arrivalHours).toBe(Math.max(...order.lines.map((l: { etaHours: number }) => l.etaHours)));
  });

  it("never allocates the same units to two incidents planned at the same moment", async () => {
    // Satellite phones are scarce: ask twice, in parallel, for more than all depots may send.
    const ask = () =>
      t.send("POST", "/api/incidents", {
        name: "Earthquake, Haiyuan",
        type: "earthquake",
        lat: 36.565,
        lon: 105.647,
        items: { SATPHONE: 500 },
      });
    const [a, b] = await Promise.all([ask(), ask()]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const allocated = (o: { lines: Array<{ sourceSiteCode: string; quantity: number }> }) => o.lines;
    const bySource: Record<string, number> = {};
    for (const line of [...allocated(a.body), ...allocated(b.body)]) {
      bySource[line.sourceSiteCode] = (bySource[line.sourceSiteCode] ?? 0) + line.quantity;
    }
    for (const [site, qty] of Object.entries(bySource)) {
      const line = await t.stockLine(site, "SATPHONE");
      // What both plans hold at a site never exceeds what was on hand there (reserved <= on hand).
      expect(line.reservedQty, site).toBeGreaterThanOrEqual(qty);
      expect(line.reservedQty, site).toBeLessThanOrEqual(line.onHandQty);
    }
    const missing = (o: { shortfall: Array<{ missing: number }> }) =>
      o.shortfall.reduce((n, s) => n + s.missing, 0);
    const planned = (o: { lines: Array<{ quantity: number }> }) =>
      o.lines.reduce((n, l) => n + l.quantity, 0);
    expect(planned(a.body) + missing(a.body)).toBe(500);
    expect(planned(b.body) + missing(b.body)).toBe(500);
    expect(missing(a.body) + missing(b.body)).toBeGreaterThan(0);
  });

  it("follows an order through approval, RFID-confirmed dispatch, delivery and closing, writing the ledger", async () => {
    // Release what the earlier plans hold: cancelling frees their reservations.
    for (const o of (await t.http("/api/dispatch-orders")).body) {
      if (o.state === "planned")
        expect((await t.send("POST", `/api/dispatch-orders/${o.id}/cancel`, {})).body.state).toBe(
          "cancelled",
        );
    }
    const before = await t.stockLine("NX-B01", "RADIO");
    const destinationBefore = (await t.stockLine("NX-S23", "RADIO"))?.bookQty ?? 0;
    // The console follows the order on the live stream: every step is announced with the order.
    const stream = await openEventStream(`${t.platform.httpUrl}/api/events`, await t.headers());
    const announced = (id: number) =>
      stream.events.filter((e) => e.event === "dispatch" && e.data.id === id).map((e) => e.data.state);
    const { body: order } = await t.send("POST", "/api/incidents", {
      name: "Search in Helan Mountains",
      type: "search and rescue",
      lat: 38.43,
      lon: 106.3,
      items: { RADIO: 3 },
      destinationSiteCode: "NX-S23",
    });
    expect(order.lines).toEqual([
      expect.objectContaining({ sourceSiteCode: "NX-B01", itemTypeCode: "RADIO", quantity: 3 }),
    ]);
    expect((await t.stockLine("NX-B01", "RADIO")).reservedQty).toBe(before.reservedQty + 3);
    expect((await t.send("POST", `/api/dispatch-orders/${order.id}/deliver`, {})).status).toBe(409);
    // Approved by another person than the one who planned it (the session's user).
    const approved = await t.as("commander").send("POST", `/api/dispatch-orders/${order.id}/approve`, {});
    expect(approved.body).toMatchObject({ state: "approved", approvedBy: "commander" });

    // Three tagged radios go out through the dock at the branch depot.
    const { ranges } = (await t.http("/api/tags?siteCode=NX-B01")).body;
    const radios = [0, 1, 2].map((i) =>
      encodeSgtin96(ranges[0].gtin14, ranges[0].companyPrefixDigits, ranges[0].serialFrom + i),
    );
    const client = t.fleet();
    const at = Date.now() - 30_000;
    const events = radios.flatMap((epc, i) => [
      {
        type: "PORTAL",
        timestamp: new Date(at + i * 100).toISOString().replace("Z", "+0000"),
        data: { idHex: epc, antenna: 4, peakRssi: -55 },
      },
      {
        type: "PORTAL",
        timestamp: new Date(at + i * 100 + 800).toISOString().replace("Z", "+0000"),
        data: { idHex: epc, antenna: 3, peakRssi: -56 },
      },
    ]);
    await client.publishAsync("sites/NX-B01/rfid/NX-B01-RD1", JSON.stringify(events), { qos: 1 });
    await t.drained();
    const shipped = (await t.http(`/api/dispatch-orders/${order.id}`)).body;
    expect(shipped.state).toBe("dispatched");
    // The portal reads moved the order: the stream says so, with the lines' progress.
    await waitFor(() => (announced(order.id).includes("dispatched") ? true : undefined), "dispatched event");
    expect(announced(order.id)).toEqual(["planned", "approved", "dispatched"]);
    const event = stream.events.find((e) => e.event === "dispatch" && e.data.state === "dispatched");
    expect(event?.data.lines[0]).toMatchObject({ itemTypeCode: "RADIO", dispatchedQty: 3 });
    expect(shipped.lines.reduce((n: number, l: { dispatchedQty: number }) => n + l.dispatchedQty, 0)).toBe(3);
    const ledger = t.platform.deps.database.sqlite
      .prepare(
        "SELECT site_code AS site, kind, quantity, reference, counterpart_site_code AS counterpart FROM stock_ledger WHERE reference = ? ORDER BY id",
      )
      .all(`dispatch:${order.id}`);
    expect(ledger).toEqual(
      radios.map(() => ({
        site: "NX-B01",
        kind: "dispatch",
        quantity: -1,
        reference: `dispatch:${order.id}`,
        counterpart: "NX-S23",
      })),
    );
    const after = await t.stockLine("NX-B01", "RADIO");
    expect(after.reservedQty).toBe(before.reservedQty);
    expect(after.bookQty).toBe(before.bookQty - 3);

    const delivered = await t.send("POST", `/api/dispatch-orders/${order.id}/deliver`, {});
    expect(delivered.body.state).toBe("delivered");
    expect((await t.stockLine("NX-S23", "RADIO")).bookQty).toBe(destinationBefore + 3);
    const received = t.platform.deps.database.sqlite
      .prepare(
        "SELECT sum(quantity) AS n, max(actor) AS actor FROM stock_ledger WHERE reference = ? AND site_code = 'NX-S23'",
      )
      .get(`dispatch:${order.id}`);
    expect(received).toEqual({ n: 3, actor: "admin" });
    const closed = await t.as("commander").send("POST", `/api/dispatch-orders/${order.id}/close`, {});
    expect(closed.body).toMatchObject({ state: "closed", closedBy: "commander" });
    await waitFor(() => (announced(order.id).includes("closed") ? true : undefined), "closed event");
    expect(announced(order.id)).toEqual(["planned", "approved", "dispatched", "delivered", "closed"]);
    stream.close();
  });

  it("confirms delivery from portal-in reads at the destination depot", async () => {
    // First an inventory sweep at the branch depot, so its sensed radios are all there again.
    const every = await t.siteTags("NX-B01");
    const sweeper = t.fleet();
    for (const offset of [0, 500]) {
      const reads = every.map((epc: string) => ({
        type: "INVENTORY",
        timestamp: new Date(Date.now() - 40_000 + offset).toISOString().replace("Z", "+0000"),
        data: { idHex: epc, antenna: 1, peakRssi: -58 },
      }));
      await sweeper.publishAsync("sites/NX-B01/rfid/NX-B01-RD1", JSON.stringify(reads), { qos: 1 });
    }
    await t.drained();
    const { body: order } = await t.send("POST", "/api/incidents", {
      name: "Reinforcement for Zhongwei",
      type: "reinforcement",
      lat: 38.43,
      lon: 106.3,
      items: { RADIO: 2 },
      destinationSiteCode: "NX-B04",
    });
    expect(order.lines).toEqual([expect.objectContaining({ sourceSiteCode: "NX-B01", quantity: 2 })]);
    await t.as("commander").send("POST", `/api/dispatch-orders/${order.id}/approve`, {});
    const { ranges } = (await t.http("/api/tags?siteCode=NX-B01")).body;
    const radios = [10, 11].map((i) =>
      encodeSgtin96(ranges[0].gtin14, ranges[0].companyPrefixDigits, ranges[0].serialFrom + i),
    );
    const client = t.fleet();
    const pass = async (site: string, first: number, second: number, at: number) => {
      const events = radios.flatMap((epc, i) => [
        {
          type: "PORTAL",
          timestamp: new Date(at + i * 100).toISOString().replace("Z", "+0000"),
          data: { idHex: epc, antenna: first },
        },
        {
          type: "PORTAL",
          timestamp: new Date(at + i * 100 + 700).toISOString().replace("Z", "+0000"),
          data: { idHex: epc, antenna: second },
        },
      ]);
      await client.publishAsync(`sites/${site}/rfid/${site}-RD1`, JSON.stringify(events), { qos: 1 });
      await t.drained();
    };
    const at = Date.now() - 20_000;
    await pass("NX-B01", 4, 3, at);
    expect((await t.http(`/api/dispatch-orders/${order.id}`)).body.state).toBe("dispatched");
    const b04 = await t.stockLine("NX-B04", "RADIO");
    await pass("NX-B04", 3, 4, at + 10_000);
    const delivered = (await t.http(`/api/dispatch-orders/${order.id}`)).body;
    expect(delivered.state).toBe("delivered");
    expect(delivered.lines[0]).toMatchObject({ dispatchedQty: 2, deliveredQty: 2 });
    expect((await t.stockLine("NX-B04", "RADIO")).bookQty).toBe(b04.bookQty + 2);
    const arrivals = t.platform.deps.database.sqlite
      .prepare(
        "SELECT kind, quantity, counterpart_site_code AS counterpart, device_id AS device FROM stock_ledger WHERE reference = ? AND site_code = 'NX-B04'",
      )
      .all(`dispatch:${order.id}`);
    expect(arrivals).toEqual(
      radios.map(() => ({ kind: "dispatch", quantity: 1, counterpart: "NX-B01", device: "NX-B04-RD1" })),
    );
  });

  it("answers bad incidents with 400 naming the field", async () => {
    const noDemand = await t.send("POST", "/api/incidents", {
      name: "x",
      type: "y",
      lat: 38,
      lon: 106,
    });
    expect(noDemand).toMatchObject({
      status: 400,
      body: { message: "body: give personnel above 0 or at least one item" },
    });
    const badItem = await t.send("POST", "/api/incidents", {
      name: "x",
      type: "y",
      lat: 38,
      lon: 106,
      items: { CANNON: 1 },
    });
    expect(badItem.body.message).toBe('body/items: item type "CANNON" does not exist');
    const badLat = await t.send("POST", "/api/incidents", {
      name: "x",
      type: "y",
      lat: 91,
      lon: 106,
      personnel: 5,
    });
    expect(badLat.body.message).toMatch(/body\/lat must be <= 90/);
  });
});
