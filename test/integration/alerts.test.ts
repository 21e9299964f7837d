import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../server/domain/random.ts";
import { type ReaderSimState, stepReader } from "../../simulators/devices.ts";
import { startTestPlatform, type TestPlatform, waitFor } from "../helpers/platform.ts";
import { openEventStream } from "../helpers/sse.ts";

describe("alerts and the live event stream", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ env: { ALERT_INTERVAL_MS: "60000" } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it("raises a low-stock alert on the stream within seconds of tagged items leaving through the portal", async () => {
    const radios = await t.siteTags("NX-B01", "RADIO");
    const standard = await t.stockLine("NX-B01", "RADIO");
    expect(radios).toHaveLength(standard.bookQty);

    let reader: ReaderSimState = {
      deviceId: "NX-B01-RD1",
      siteCode: "NX-B01",
      format: "zebra",
      storageAntennas: [1, 2],
      portal: { outside: 3, inside: 4 },
      tags: radios.map((epcHex: string, i: number) => ({ epcHex, antenna: 1 + (i % 2) })),
      eventNum: 0,
      readChance: 1,
      strayChance: 0,
      removalChance: 0,
      batchSize: 50,
    };
    const client = t.fleet();
    const random = seededRandom(11);
    const cycle = async (at: number) => {
      const step = stepReader(reader, at, random);
      reader = step.state;
      for (const m of step.messages) await client.publishAsync(m.topic, m.payload, { qos: 1 });
    };
    const start = Date.now() - 60_000;
    await cycle(start);
    await cycle(start + 1000);
    await t.drained();
    const before = await t.stockLine("NX-B01", "RADIO");
    expect(before).toMatchObject({ sensedQty: radios.length, basis: "sensed" });
    const alertsBefore = (await t.http("/api/alerts?siteCode=NX-B01")).body;
    expect(alertsBefore.filter((a: { subject: string }) => a.subject === "item:RADIO")).toEqual([]);

    const stream = await openEventStream(`${t.platform.httpUrl}/api/events`, await t.headers());
    try {
      // Enough radios leave through the dock to fall below the branch standard.
      const leaving = radios.length - standard.requiredQty + 3;
      reader = { ...reader, removalChance: 1, readChance: 0 };
      for (let i = 0; i < leaving; i += 1) await cycle(start + 10_000 + i * 5000);
      const alert = await waitFor(
        () => {
          const e = stream.events.find((x) => x.event === "alert" && x.data.alert.subject === "item:RADIO");
          return e?.data;
        },
        "a RADIO alert on the stream",
        5000,
      );
      expect(alert).toMatchObject({
        change: "raised",
        alert: { kind: "stock-low", severity: "warning", siteCode: "NX-B01", acknowledgedAt: null },
      });
      expect(
        stream.events.some(
          (e) => e.event === "stock" && e.data.siteCode === "NX-B01" && e.data.itemTypeCode === "RADIO",
        ),
      ).toBe(true);
      expect(await t.stockLine("NX-B01", "RADIO")).toMatchObject({
        sensedQty: radios.length - leaving,
        status: "low",
      });

      const listed = (await t.http("/api/alerts?siteCode=NX-B01")).body.find(
        (a: { subject: string }) => a.subject === "item:RADIO",
      );
      const acknowledged = await t.as("keeper-b01").send("POST", `/api/alerts/${listed.id}/acknowledge`, {});
      expect(acknowledged.status).toBe(200);
      expect(acknowledged.body).toMatchObject({ acknowledgedBy: "keeper-b01", clearedAt: null });
      await waitFor(
        () => stream.events.find((e) => e.event === "alert" && e.data.change === "acknowledged"),
        "acknowledged on the stream",
      );
    } finally {
      stream.close();
    }
  });

  it("answers an unknown alert with 404 and a malformed id with 400", async () => {
    const post = (id: string, body: unknown) => t.send("POST", `/api/alerts/${id}/acknowledge`, body);
    expect((await post("999999", {})).status).toBe(404);
    const bad = await post("one", {});
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/params\/id/);
  });
});
