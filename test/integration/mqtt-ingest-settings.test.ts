import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MqttIngest } from "../../server/ingest/mqtt-ingest.ts";

const silent = { info() {}, warn() {}, error() {} };

describe("the ingest as a client of an external broker, misconfigured", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it("reports a CONNECT it cannot build (a password without a user name) instead of ending the process", async () => {
    // A real TCP peer standing in for the broker: it only needs to accept the connection.
    const server = net.createServer((socket) => socket.on("error", () => {}));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as net.AddressInfo).port;
    const ingest = new MqttIngest({
      url: `mqtt://127.0.0.1:${port}`,
      clientId: "reserve-ingest",
      password: "secret-without-a-user",
      sink: { accept: (_message, done) => done(null) },
      log: silent,
      retryMs: { min: 50, max: 100 },
    });
    ingest.start();
    cleanups.push(() => ingest.stop());
    await expect
      .poll(() => ingest.status().lastError, { timeout: 5000 })
      .toMatch(/the ingest's CONNECT cannot be sent: Username is required to use password/);
    expect(ingest.status().connected).toBe(false);
  });
});
