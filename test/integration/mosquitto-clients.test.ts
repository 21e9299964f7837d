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

  it("stores an environment reading sent at QoS 1 from the command line", async () => {
    const port = new URL(t.platform.mqttUrl).port;
    const payload =
      '[{"bn":"urn:dev:env:NX-B03-ENV1:","n":"temp","u":"Cel","v":23.5},{"n":"hum","u":"%RH","v":51}]';
    await run("mosquitto_pub", [
      "-h",
      "127.0.0.1",
      "-p",
      port,
      "-V",
      "mqttv311",
      "-q",
      "1",
      "-i",
      "tech-laptop",
      "-t",
      "sites/NX-B03/env/NX-B03-ENV1",
      "-m",
      payload,
    ]);
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
});
