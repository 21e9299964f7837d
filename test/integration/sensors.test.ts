import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { senmlWeight, startTestPlatform, type TestPlatform, waitFor } from "../helpers/platform.ts";

describe("shelves, environment sensors and device status", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  it("keeps a shelf count steady through noise and records a removal as a movement", async () => {
    const announced: unknown[] = [];
    const unsubscribe = t.platform.deps.events.on("shelf.movement", (m) => announced.push(m));
    const client = t.fleet();
    const topic = "sites/NX-K09/shelf/NX-K09-SH1";
    const t0 = Math.floor(Date.now() / 1000) - 100;
    // 10 kits of 1.2 kg on a 12 kg tare, then noise around 10.6 kits' worth, then 3 kits taken.
    const weights = [12 + 10 * 1.2, 12 + 10.6 * 1.2, 12 + 9.4 * 1.2, 12 + 10.65 * 1.2, 12 + 7 * 1.2];
    for (const [i, kg] of weights.entries()) {
      await client.publishAsync(topic, senmlWeight("NX-K09-SH1", kg, t0 + i), { qos: 1 });
    }
    await t.drained();
    expect((await t.stockLine("NX-K09", "FIRSTAID")).sensedQty).toBe(7);
    const movements = (await t.http("/api/shelf-movements?siteCode=NX-K09")).body;
    expect(movements).toEqual([
      expect.objectContaining({
        deviceId: "NX-K09-SH1",
        itemTypeCode: "FIRSTAID",
        fromUnits: 10,
        toUnits: 7,
        delta: -3,
      }),
    ]);
    expect(announced).toEqual([
      {
        deviceId: "NX-K09-SH1",
        siteCode: "NX-K09",
        itemTypeCode: "FIRSTAID",
        fromUnits: 10,
        toUnits: 7,
        at: (t0 + 4) * 1000,
      },
    ]);
    unsubscribe();
  });

  it("records an excursion after 3 readings above a stored item type's limit, with start, peak, end, evidence and batches", async () => {
    const client = t.fleet();
    const topic = "sites/NX-C01/env/NX-C01-ENV1";
    const t0 = Math.floor(Date.now() / 1000) - 600;
    const senml = (temp: number, at: number) =>
      JSON.stringify([
        { bn: "urn:dev:env:NX-C01-ENV1:", bt: at, n: "temp", u: "Cel", v: temp },
        { n: "hum", u: "%RH", v: 50 },
      ]);
    await client.publishAsync(topic, senml(21, t0), { qos: 1 });
    await client.publishAsync(topic, senml(26.5, t0 + 60), { qos: 1 });
    // The flat LoRaWAN form from the same sensor, as a network server would forward it.
    await client.publishAsync(
      topic,
      JSON.stringify({ temperature: 28.2, humidity: 52, battery: 90, time: t0 + 120 }),
      { qos: 1 },
    );
    // Two readings outside are not yet an excursion (EXCURSION_MIN_READINGS 3, 600 s); a third is.
    await t.drained();
    expect((await t.http("/api/excursions?siteCode=NX-C01")).body).toEqual([]);
    await client.publishAsync(topic, senml(27, t0 + 150), { qos: 1 });
    await t.drained();
    const open = (await t.http("/api/excursions?siteCode=NX-C01&open=true")).body;
    // Medicine kits (2-25 °C) are out of their range; helmets (up to 40 °C) are not.
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      itemTypeCode: "MEDKIT",
      measurement: "temp",
      bound: "max",
      limitValue: 25,
      peakValue: 28.2,
      startedAt: new Date((t0 + 60) * 1000).toISOString(),
      endedAt: null,
      evidence: {
        readings: [
          { time: new Date((t0 + 60) * 1000).toISOString(), value: 26.5 },
          { time: new Date((t0 + 120) * 1000).toISOString(), value: 28.2 },
          { time: new Date((t0 + 150) * 1000).toISOString(), value: 27 },
        ],
        peak: { time: new Date((t0 + 120) * 1000).toISOString(), value: 28.2 },
      },
    });
    const medkitBatches = t.platform.deps.database.sqlite
      .prepare("SELECT id FROM batches WHERE site_code = 'NX-C01' AND item_type_code = 'MEDKIT' ORDER BY id")
      .all()
      .map((b) => (b as { id: number }).id);
    expect(open[0].batchIds).toEqual(medkitBatches);

    // Every medicine-kit batch stored through it waits for a quality check until someone records one.
    const checks = (await t.http("/api/quality-checks?siteCode=NX-C01&open=true")).body;
    expect(checks.map((c: { batchId: number }) => c.batchId).sort((a: number, b: number) => a - b)).toEqual(
      medkitBatches,
    );
    const [first] = checks;
    const recorded = await t.send("POST", `/api/quality-checks/${first.id}/result`, {
      result: "pass",
      note: "seals intact",
    });
    expect(recorded.status).toBe(204);
    expect((await t.http("/api/quality-checks?siteCode=NX-C01&open=true")).body).toHaveLength(
      checks.length - 1,
    );
    const batches = (await t.http("/api/batches?siteCode=NX-C01&itemTypeCode=MEDKIT")).body;
    expect(batches.find((b: { batchId: number }) => b.batchId === first.batchId).qualityCheckPending).toBe(
      false,
    );

    await client.publishAsync(topic, senml(22, t0 + 180), { qos: 1 });
    await t.drained();
    const closed = (await t.http("/api/excursions?siteCode=NX-C01")).body;
    expect(closed[0]).toMatchObject({ peakValue: 28.2, endedAt: new Date((t0 + 180) * 1000).toISOString() });
    const points = (await t.http("/api/readings?device=NX-C01-ENV1&measurement=battery")).body.points;
    expect(points).toEqual([expect.objectContaining({ value: 90, unit: "%" })]);
  });

  it("marks a device online from its heartbeat and offline from its last will", async () => {
    const { mqttUrl } = t.platform;
    const topic = "sites/NX-K10/status/NX-K10-SH1";
    const device = await mqtt.connectAsync(mqttUrl, {
      clientId: "NX-K10-SH1",
      username: "NX-K10-SH1",
      password: await t.secretOf("NX-K10-SH1"),
      reconnectPeriod: 0,
      will: { topic, payload: Buffer.from('{"online":false}'), qos: 1, retain: false },
    });
    await device.publishAsync(topic, '{"online":true}', { qos: 1 });
    const online = await waitFor(async () => {
      const [d] = (await t.http("/api/devices?siteCode=NX-K10&kind=shelf")).body;
      return d.online === true ? d : undefined;
    }, "online");
    expect(online.statusAt).not.toBeNull();
    // The connection drops without a DISCONNECT: the broker publishes the will.
    device.stream.destroy();
    await waitFor(async () => {
      const [d] = (await t.http("/api/devices?siteCode=NX-K10&kind=shelf")).body;
      return d.online === false ? d : undefined;
    }, "offline after the last will");
  });

  it("shows the journal with counts by state", async () => {
    const { counts, items } = (await t.http("/api/journal?limit=5")).body;
    expect(counts.pending).toBe(0);
    // 5 shelf readings, 5 environment messages, the heartbeat and the last will.
    expect(counts.stored).toBe(12);
    expect(items).toHaveLength(5);
    expect(items[0]).toMatchObject({ state: "stored", topic: expect.stringMatching(/^sites\//) });
    expect((await t.http("/api/journal?state=lost")).status).toBe(400);
  });
});
