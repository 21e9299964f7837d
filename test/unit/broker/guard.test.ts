import type { Client } from "aedes";
import { describe, expect, it } from "vitest";
import { BrokerGuard, type DeviceAuthenticator } from "../../../broker/auth.ts";
import { DATA_TOPIC_FILTERS, MEMBER_TOPIC_FILTERS, memberTopic } from "../../../broker/topics.ts";

/** The guard's decisions for the ingest service account, which connects to cluster members. */
const devices: DeviceAuthenticator = {
  async authenticate(username, password) {
    return username === "NX-K01-SH1" && password?.toString() === "device-secret"
      ? { ok: true, device: { deviceId: "NX-K01-SH1", siteCode: "NX-K01", kind: "shelf" } }
      : { ok: false, reason: "no" };
  },
};
const accepted: string[] = [];
const guard = () =>
  new BrokerGuard(
    devices,
    {
      accept: (m, done) => {
        accepted.push(m.topic);
        done(null);
      },
    },
    { warn: () => {} },
    {
      maxConnections: 10,
      connected: () => 0,
      rate: null,
      ingestAccount: { username: "reserve-ingest", password: "ingest-password-0123" },
    },
  );
const client = (id: string) => ({ id }) as unknown as Client;
const connect = (g: BrokerGuard, c: Client, username: string, password: string) =>
  new Promise<boolean>((resolve) =>
    g.authenticate(c, username, Buffer.from(password), (error, ok) => resolve(!error && Boolean(ok))),
  );
const subscribe = (g: BrokerGuard, c: Client, topic: string) =>
  new Promise<boolean>((resolve) =>
    g.authorizeSubscribe(c, { topic, qos: 1 }, (_error, sub) => resolve(sub !== null && sub !== undefined)),
  );
const publish = (g: BrokerGuard, c: Client, topic: string) =>
  new Promise<string | null>((resolve) =>
    g.authorizePublish(
      c,
      { cmd: "publish", topic, payload: Buffer.from("[]"), qos: 1, retain: false, dup: false, messageId: 1 },
      (error) => resolve(error ? error.message : null),
    ),
  );

describe("the ingest service account on a broker", () => {
  it("connects with its own password only", async () => {
    const g = guard();
    expect(await connect(g, client("a"), "reserve-ingest", "ingest-password-0123")).toBe(true);
    expect(await connect(g, client("b"), "reserve-ingest", "ingest-password-0124")).toBe(false);
    expect(await connect(g, client("c"), "reserve-ingest", "")).toBe(false);
  });

  it("subscribes to every device's data and nothing else, and publishes nothing", async () => {
    const g = guard();
    const ingest = client("ingest");
    await connect(g, ingest, "reserve-ingest", "ingest-password-0123");
    for (const filter of DATA_TOPIC_FILTERS) expect(await subscribe(g, ingest, filter)).toBe(true);
    expect(await subscribe(g, ingest, "#")).toBe(false);
    expect(await subscribe(g, ingest, "sites/+/cmd/+")).toBe(false);
    expect(await subscribe(g, ingest, "$SYS/#")).toBe(false);
    expect(await publish(g, ingest, "sites/NX-K01/shelf/NX-K01-SH1")).toMatch(/publishes nothing/);
  });

  it("does not give a device the ingest's rights", async () => {
    const g = guard();
    const device = client("dev");
    expect(await connect(g, device, "NX-K01-SH1", "device-secret")).toBe(true);
    expect(await subscribe(g, device, "sites/+/shelf/+")).toBe(false);
    expect(await publish(g, device, "sites/NX-K01/shelf/NX-K01-SH1")).toBeNull();
    expect(accepted).toContain("sites/NX-K01/shelf/NX-K01-SH1");
  });

  it("lets the ingest read the members' stamped topics, and no device write one", async () => {
    const g = guard();
    const ingest = client("ingest-2");
    await connect(g, ingest, "reserve-ingest", "ingest-password-0123");
    for (const filter of MEMBER_TOPIC_FILTERS) expect(await subscribe(g, ingest, filter)).toBe(true);
    const device = client("dev-2");
    await connect(g, device, "NX-K01-SH1", "device-secret");
    // A device that could would choose its own receipt times.
    const forged = memberTopic(0, "sites/NX-K01/shelf/NX-K01-SH1");
    expect(await publish(g, device, forged)).toMatch(/may not publish/);
    expect(accepted).not.toContain(forged);
  });
});
