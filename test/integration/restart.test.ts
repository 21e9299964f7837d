import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../server/db/database.ts";
import { readDemoCredentials } from "../../server/security/demo-credentials.ts";
import { senmlWeight, startTestPlatform, tempDataDir, waitFor } from "../helpers/platform.ts";
import { apiGet, type RunningProcess, startServerProcess } from "../helpers/process.ts";

const getJson = async (url: string) => (await apiGet(url)).json() as Promise<any>;

describe("stopping and starting the platform", () => {
  let server: RunningProcess | undefined;
  afterEach(async () => {
    await server?.stop("SIGKILL");
    server = undefined;
  });

  it("shuts down cleanly on SIGTERM and finds every acknowledged reading after a restart", async () => {
    const dataDir = tempDataDir();
    server = await startServerProcess(dataDir);
    const sitesBefore = await getJson(`${server.httpUrl}/api/sites`);

    // The demo's first start wrote the devices' secrets where the simulators (and this test) read them.
    const client = await mqtt.connectAsync(server.mqttUrl, {
      clientId: "restart-test",
      username: "NX-K05-SH1",
      password: readDemoCredentials(dataDir)["NX-K05-SH1"]?.password,
      reconnectPeriod: 0,
    });
    const base = Math.floor(Date.now() / 1000) - 3600;
    const sent = 300;
    await Promise.all(
      Array.from({ length: sent }, (_, i) =>
        client.publishAsync(
          "sites/NX-K05/shelf/NX-K05-SH1",
          senmlWeight("NX-K05-SH1", 12 + 7 * 1.2, base + i),
          { qos: 1 },
        ),
      ),
    );
    await client.endAsync();
    // Every message above has its PUBACK; stop at once, while the processor may still be draining.
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.output()).toMatch(/stopped cleanly/);

    server = await startServerProcess(dataDir);
    const from = new Date(base * 1000).toISOString();
    const readings = await waitFor(async () => {
      const body = await getJson(`${server?.httpUrl}/api/readings?device=NX-K05-SH1&from=${from}&limit=1000`);
      return body.points.length === sent ? body.points : undefined;
    }, `${sent} readings after restart`);
    expect(readings).toHaveLength(sent);
    const stock = await getJson(`${server.httpUrl}/api/sites/NX-K05/stock`);
    expect(stock.items.find((i: { itemTypeCode: string }) => i.itemTypeCode === "FIRSTAID").sensedQty).toBe(
      7,
    );
    // The demo is loaded once: a restart keeps the network as it was, not a second copy.
    expect(await getJson(`${server.httpUrl}/api/sites`)).toEqual(sitesBefore);
    const health = await getJson(`${server.httpUrl}/api/health`);
    expect(health.ingest).toMatchObject({ stored: sent, pending: 0 });
  });

  it("stores journal rows that an earlier run acknowledged but had not processed", async () => {
    const dataDir = tempDataDir();
    const first = await startTestPlatform({ dataDir });
    await first.stop();

    // As if the process had died right after the PUBACK: the row is journaled, nothing else happened.
    const database = openDatabase(dataDir);
    database.sqlite
      .prepare(
        "INSERT INTO ingest_journal (received_at, client_id, topic, payload, state) VALUES (?, ?, ?, ?, 0)",
      )
      .run(
        Date.now(),
        "crashed-run",
        "sites/NX-K06/shelf/NX-K06-SH1",
        Buffer.from(senmlWeight("NX-K06-SH1", 12 + 4 * 1.2, Math.floor(Date.now() / 1000) - 60)),
      );
    database.close();

    const second = await startTestPlatform({ dataDir });
    try {
      const line = await waitFor(async () => {
        const item = await second.stockLine("NX-K06", "FIRSTAID");
        return item.sensedQty === null ? undefined : item;
      }, "the replayed reading");
      expect(line.sensedQty).toBe(4);
      expect((await second.http("/api/health")).body.ingest).toMatchObject({ stored: 1, pending: 0 });
    } finally {
      await second.stop();
    }
  });

  it("replays a backlog of one shelf in one batch: movements in order, late readings ignored, counts right", async () => {
    const dataDir = tempDataDir();
    const first = await startTestPlatform({ dataDir });
    await first.stop();

    const database = openDatabase(dataDir);
    const insert = database.sqlite.prepare(
      "INSERT INTO ingest_journal (received_at, client_id, topic, payload, state) VALUES (?, ?, ?, ?, 0)",
    );
    const topic = "sites/NX-K08/shelf/NX-K08-SH1";
    const t0 = Math.floor(Date.now() / 1000) - 100;
    // 10 kits, noise, 3 taken, a late reading from before the removal, then 2 put back.
    const readings: Array<[number, number]> = [
      [10, t0],
      [10.6, t0 + 1],
      [7, t0 + 2],
      [10, t0 + 1],
      [9, t0 + 3],
    ];
    for (const [kits, at] of readings) {
      insert.run(Date.now(), "backlog", topic, Buffer.from(senmlWeight("NX-K08-SH1", 12 + kits * 1.2, at)));
    }
    insert.run(Date.now(), "backlog", topic, Buffer.from("not json"));
    database.close();

    const second = await startTestPlatform({ dataDir });
    try {
      await second.drained();
      expect((await second.stockLine("NX-K08", "FIRSTAID")).sensedQty).toBe(9);
      const movements = (await second.http("/api/shelf-movements?siteCode=NX-K08")).body;
      expect(movements.map((m: { fromUnits: number; toUnits: number }) => [m.fromUnits, m.toUnits])).toEqual([
        [7, 9],
        [10, 7],
      ]);
      expect((await second.http("/api/health")).body.ingest).toMatchObject({
        stored: 5,
        pending: 0,
        deadLetters: 1,
      });
      // Counts kept up to date in memory agree with the journal itself.
      const { sqlite } = second.platform.deps.database;
      expect(sqlite.prepare("SELECT state, count(*) AS n FROM ingest_journal GROUP BY state").all()).toEqual([
        { state: 1, n: 5 },
        { state: 2, n: 1 },
      ]);
    } finally {
      await second.stop();
    }
  });
});
