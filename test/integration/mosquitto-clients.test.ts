import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform, waitFor } from "../helpers/platform.ts";

const run = promisify(execFile);

/**
 * A device is anything that speaks MQTT 3.1.1: here Mosquitto's own command-line client, as a
 * technician would use it to try a sensor. .ci/run installs mosquitto-clients.
 */
describe("publishing with mosquitto_pub", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t.stop();
  });

  /** One QoS 1 message from the command line, MQTT 3.1.1, as a technician would send it. */
  const mosquittoPub = async (topic: string, payload: string) => {
    const device = topic.split("/")[3] as string;
    return run("mosquitto_pub", [
      "-u",
      device,
      "-P",
      await t.secretOf(device),
      "-h",
      "127.0.0.1",
      "-p",
      new URL(t.platform.mqttUrl).port,
      "-V",
      "mqttv311",
      "-q",
      "1",
      "-t",
      topic,
      "-m",
      payload,
    ]);
  };

  it("stores an environment reading sent at QoS 1 from the command line", async () => {
    const payload =
      '[{"bn":"urn:dev:env:NX-B03-ENV1:","n":"temp","u":"Cel","v":23.5},{"n":"hum","u":"%RH","v":51}]';
    await mosquittoPub("sites/NX-B03/env/NX-B03-ENV1", payload);
    const points = await waitFor(async () => {
      const { body } = await t.http("/api/readings?device=NX-B03-ENV1");
      return body.points.length === 2 ? body.points : undefined;
    }, "two environment points");
    expect(
      points.map((p: { measurement: string; value: number; unit: string }) => [
        p.measurement,
        p.value,
        p.unit,
      ]),
    ).toEqual([
      ["hum", 51, "%RH"],
      ["temp", 23.5, "Cel"],
    ]);
    const devices = (await t.http("/api/devices?siteCode=NX-B03&kind=env")).body;
    expect(devices[0].lastSeenAt).not.toBeNull();
  });

  it("takes reader events in both formats, the documented samples as they are", async () => {
    // device-formats.md: a Zebra batch and an Impinj R700 event (the GS1 worked-example tag), as
    // they are but for the day: yesterday's, so the readings are within the platform's clock window.
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const zebra =
      '[{"type":"INVENTORY","timestamp":"2026-11-20T08:15:03.004+0800","data":{"idHex":"3036142C8C008F8000053244","format":"epc","antenna":1,"peakRssi":-61,"eventNum":42,"channel":922.25,"PC":"3000"}}]'.replaceAll(
        "2026-11-20",
        day,
      );
    const impinj =
      '{"timestamp":"2026-11-20T00:15:02.123456789Z","hostname":"impinj-14-2b-7c","eventType":"tagInventory","tagInventoryEvent":{"epc":"MHQle/cZTkAAABqF","epcHex":"3074257BF7194E4000001A85","antennaPort":1,"peakRssiCdbm":-5800,"frequency":922250,"lastSeenTime":"2026-11-20T00:15:02.1Z"}}'.replaceAll(
        "2026-11-20",
        day,
      );
    await mosquittoPub("sites/NX-C01/rfid/NX-C01-RD1", zebra);
    await mosquittoPub("sites/NX-C02/rfid/NX-C02-RD1", impinj);
    const unknown = await waitFor(async () => {
      const { body } = await t.http("/api/tags/unknown");
      return body.total === 2 ? body.items : undefined;
    }, "both tags listed");
    // Neither tag is registered in the demo: both are kept and listed, with what they are.
    expect(
      unknown
        .map((u: { epc: string; siteCode: string; reason: string }) => [u.siteCode, u.epc, u.reason])
        .sort(),
    ).toEqual([
      ["NX-C01", "3036142C8C008F8000053244", "GTIN 08719139005740 serial 340548 is in no registered range"],
      ["NX-C02", "3074257BF7194E4000001A85", "GTIN 80614141123458 serial 6789 is in no registered range"],
    ]);
    expect((await t.http("/api/dead-letters")).body.total).toBe(0);
  });
});
