import net from "node:net";
import mqttPacket from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { senmlWeight, startTestPlatform, type TestPlatform, waitFor } from "../helpers/platform.ts";

describe("a device that stops reading", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ env: { MQTT_DRAIN_TIMEOUT_MS: "500" } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it("is disconnected rather than stalling the others", async () => {
    // A device that connects, subscribes to its commands, then never reads its socket again.
    const { port } = new URL(t.platform.mqttUrl);
    const slow = net.connect(Number(port), "127.0.0.1");
    await new Promise<void>((resolve) => slow.once("connect", () => resolve()));
    const password = await t.secretOf("NX-K08-SH1");
    slow.write(
      mqttPacket.generate({
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 4,
        clean: true,
        clientId: "slow-reader",
        keepalive: 0,
        username: "NX-K08-SH1",
        password: Buffer.from(password),
      }),
    );
    slow.write(
      mqttPacket.generate({
        cmd: "subscribe",
        messageId: 1,
        subscriptions: [{ topic: "sites/NX-K08/cmd/NX-K08-SH1", qos: 0 }],
      }),
    );
    // The paused socket cannot see the broker hang up; the broker says why it did.
    const cutOff = new Promise<string>((resolve) =>
      t.broker.aedes.on("clientError", (client, error) => {
        if (client.id === "slow-reader") resolve(error.message);
      }),
    );
    const gone = new Promise<void>((resolve) =>
      t.broker.aedes.on("clientDisconnect", (client) => {
        if (client.id === "slow-reader") resolve();
      }),
    );
    await waitFor(() => (t.broker.connectedClients() > 0 ? true : undefined), "the slow device connected");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const big = Buffer.alloc(256 * 1024, 0x61);
    let sent = 0;
    const flood = setInterval(() => {
      for (let i = 0; i < 8; i += 1) {
        t.broker.aedes.publish(
          {
            cmd: "publish",
            topic: "sites/NX-K08/cmd/NX-K08-SH1",
            payload: big,
            qos: 0,
            retain: false,
            dup: false,
          },
          () => {},
        );
        sent += 1;
      }
    }, 20);

    // Meanwhile another device publishes as usual and every reading is acknowledged.
    const other = await t.connect("NX-K09-SH1");
    const base = Math.floor(Date.now() / 1000) - 600;
    for (let i = 0; i < 50; i += 1) {
      await other.publishAsync(
        "sites/NX-K09/shelf/NX-K09-SH1",
        senmlWeight("NX-K09-SH1", 12 + i * 0.01, base + i),
        {
          qos: 1,
        },
      );
    }
    expect(await cutOff).toMatch(/drain timeout/);
    await gone;
    clearInterval(flood);
    slow.destroy();
    expect(sent).toBeGreaterThan(8);
    expect(other.connected).toBe(true);
    await t.drained();
    expect((await t.http("/api/readings?device=NX-K09-SH1")).body.points).toHaveLength(50);
  });
});
