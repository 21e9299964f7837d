import net from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInfluxTimeSeries } from "../../server/timeseries/influxdb.ts";
import type { KeyedReading, TimeSeriesStore } from "../../server/timeseries/store.ts";
import { influxdAvailable, type RunningInfluxd, startInfluxd } from "../helpers/influxd.ts";

const log = pino({ level: "silent" });
const HOUR = 3600 * 1000;

/** Runs InfluxQL against the server directly, not through the store under test. */
async function influxql(url: string, database: string, q: string): Promise<any> {
  const response = await fetch(`${url}/query`, {
    method: "POST",
    body: new URLSearchParams({ db: database, q }),
  });
  expect(response.status).toBe(200);
  return response.json();
}

async function countValues(url: string, database: string, measurement: string, device: string) {
  const body = await influxql(
    url,
    database,
    `SELECT count("value") FROM "${measurement}" WHERE "device" = '${device}'`,
  );
  return (body.results[0].series?.[0]?.values[0][1] as number | undefined) ?? 0;
}

/** POST /write requests the server has answered so far (its own statistics). */
async function writeRequests(url: string): Promise<number> {
  const vars = (await (await fetch(`${url}/debug/vars`)).json()) as Record<string, any>;
  const httpd = Object.entries(vars).find(([key]) => key.startsWith("httpd"))?.[1];
  return httpd.values.writeReq as number;
}

/** Each reading its own journal row, as when every message carries one. */
let lastJournalId = 0;
const identity = () => ({ journalId: ++lastJournalId, seq: 0 });

function shelf(deviceId: string, siteCode: string, value: number, time: number): KeyedReading {
  return { deviceId, siteCode, kind: "shelf", measurement: "weight", unit: "kg", value, time, ...identity() };
}

// Without influxd this suite must fail on CI (where it is installed on purpose) and may skip elsewhere.
describe.skipIf(!influxdAvailable() && !process.env.CI)(
  "InfluxDB time-series store (real influxd 1.x)",
  () => {
    let server: RunningInfluxd;
    let databaseCounter = 0;
    const newStore = (batchSize?: number): { store: TimeSeriesStore; database: string } => {
      const database = `store_test_${++databaseCounter}`;
      const store = createInfluxTimeSeries({
        url: server.url,
        database,
        username: undefined,
        password: undefined,
        log,
        ...(batchSize === undefined ? {} : { batchSize }),
      });
      return { store, database };
    };

    beforeAll(async () => {
      server = await startInfluxd();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("does not touch the network until asked, and finds nothing in a database not yet created", async () => {
      const store = createInfluxTimeSeries({
        url: "http://127.0.0.1:1",
        database: "nowhere",
        username: undefined,
        password: undefined,
        log,
      });
      expect(store.name).toBe("influxdb");
      await store.close();

      const { store: fresh } = newStore();
      expect(await fresh.query({ deviceId: "NX-K01-SH1", from: 0, to: Date.now(), limit: 10 })).toEqual([]);
    });

    it("reads back what two devices wrote: values, units, times, measurement filter, window and limit", async () => {
      const { store } = newStore();
      const base = Date.now() - HOUR;
      const readings: KeyedReading[] = [
        shelf("NX-K01-SH1", "NX-K01", 12.5, base),
        shelf("NX-K01-SH1", "NX-K01", 12.25, base + 1000),
        shelf("NX-K01-SH1", "NX-K01", 11.875, base + 2000),
        {
          deviceId: "NX-K01-EN1",
          siteCode: "NX-K01",
          kind: "env",
          measurement: "temp",
          unit: "Cel",
          value: 21.5,
          time: base,
          ...identity(),
        },
        {
          deviceId: "NX-K01-EN1",
          siteCode: "NX-K01",
          kind: "env",
          measurement: "hum",
          unit: "%RH",
          value: 43,
          time: base,
          ...identity(),
        },
        {
          deviceId: "NX-K01-EN1",
          siteCode: "NX-K01",
          kind: "env",
          measurement: "temp",
          unit: "Cel",
          value: -3.25,
          time: base + 60000,
          ...identity(),
        },
        {
          deviceId: "NX-K01-EN1",
          siteCode: "NX-K01",
          kind: "status",
          measurement: "online",
          unit: undefined,
          value: 1,
          time: base + 1,
          ...identity(),
        },
        shelf("NX-K02-SH1", "NX-K02", 30, base + 500),
      ];
      await store.write(readings);
      const window = { from: base - 1000, to: base + HOUR, limit: 100 };

      expect(await store.query({ deviceId: "NX-K01-SH1", ...window })).toEqual([
        { measurement: "weight", unit: "kg", value: 12.5, time: base },
        { measurement: "weight", unit: "kg", value: 12.25, time: base + 1000 },
        { measurement: "weight", unit: "kg", value: 11.875, time: base + 2000 },
      ]);
      // Sorted by time, then measurement; a reading without a unit has unit null.
      expect(await store.query({ deviceId: "NX-K01-EN1", ...window })).toEqual([
        { measurement: "hum", unit: "%RH", value: 43, time: base },
        { measurement: "temp", unit: "Cel", value: 21.5, time: base },
        { measurement: "online", unit: null, value: 1, time: base + 1 },
        { measurement: "temp", unit: "Cel", value: -3.25, time: base + 60000 },
      ]);
      expect(await store.query({ deviceId: "NX-K01-EN1", ...window, measurement: "temp" })).toEqual([
        { measurement: "temp", unit: "Cel", value: 21.5, time: base },
        { measurement: "temp", unit: "Cel", value: -3.25, time: base + 60000 },
      ]);
      expect(await store.query({ deviceId: "NX-K02-SH1", ...window })).toEqual([
        { measurement: "weight", unit: "kg", value: 30, time: base + 500 },
      ]);
      // Both ends of the window are inclusive.
      expect(
        (await store.query({ deviceId: "NX-K01-SH1", from: base + 1000, to: base + 2000, limit: 100 })).map(
          (p) => p.time,
        ),
      ).toEqual([base + 1000, base + 2000]);
      // The limit counts points over all measurements, earliest first.
      expect(await store.query({ deviceId: "NX-K01-EN1", ...window, limit: 3 })).toEqual([
        { measurement: "hum", unit: "%RH", value: 43, time: base },
        { measurement: "temp", unit: "Cel", value: 21.5, time: base },
        { measurement: "online", unit: null, value: 1, time: base + 1 },
      ]);
      expect(await store.query({ deviceId: "NX-K01-SH1", ...window, limit: 1 })).toHaveLength(1);
      expect(await store.query({ deviceId: "NX-K01-SH1", ...window, measurement: "temp" })).toEqual([]);
      expect(await store.query({ deviceId: "NX-K09-SH1", ...window })).toEqual([]);
      // A quote in a device id is a string to InfluxQL, not the end of one.
      expect(await store.query({ deviceId: "x' OR device =~ /.*/ OR device = 'y", ...window })).toEqual([]);
    });

    it("stores a batch written twice once: same series and timestamp overwrite", async () => {
      const { store, database } = newStore();
      const base = Date.now() - HOUR;
      const readings = Array.from({ length: 50 }, (_, i) =>
        shelf("NX-K03-SH1", "NX-K03", 10 + i / 4, base + i * 1000),
      );
      await store.write(readings);
      await store.write(readings);
      expect(await countValues(server.url, database, "weight", "NX-K03-SH1")).toBe(50);
      const points = await store.query({ deviceId: "NX-K03-SH1", from: base, to: base + HOUR, limit: 1000 });
      expect(points.map((p) => p.value)).toEqual(readings.map((r) => r.value));
    });

    it("keeps distinct readings of one series in the same millisecond apart, and a replay rewrites them", async () => {
      const { store, database } = newStore();
      const at = Date.now() - HOUR;
      // 50 messages of one reading each at one millisecond, and one message of 20 readings there too
      // (positions 0-19), whose ids sit where position and row offsets could meet if they overlapped.
      const single = Array.from({ length: 50 }, (_, i) => ({
        ...shelf("NX-K10-SH1", "NX-K10", 1 + i / 8, at),
        journalId: 999_950 + i,
        seq: 0,
      }));
      const pack = Array.from({ length: 20 }, (_, s) => ({
        ...shelf("NX-K10-SH1", "NX-K10", 100 + s, at),
        journalId: 1_000_000,
        seq: s,
      }));
      await store.write([...single, ...pack]);
      expect(await countValues(server.url, database, "weight", "NX-K10-SH1")).toBe(70);
      await store.write([...pack, ...single]);
      expect(await countValues(server.url, database, "weight", "NX-K10-SH1")).toBe(70);
      // Read back in milliseconds: the sub-millisecond digits never move a point to the next one.
      const points = await store.query({ deviceId: "NX-K10-SH1", from: at, to: at, limit: 1000 });
      expect(points).toHaveLength(70);
      expect(new Set(points.map((p) => p.time))).toEqual(new Set([at]));
      expect(points.map((p) => p.value).sort((a, b) => a - b)).toEqual(
        [...single, ...pack].map((r) => r.value).sort((a, b) => a - b),
      );
    });

    it("writes more points than one request holds, in several requests", async () => {
      const { store, database } = newStore(5000);
      const base = Date.now() - 2 * HOUR;
      const readings = Array.from({ length: 12000 }, (_, i) =>
        shelf("NX-K04-SH1", "NX-K04", i / 8, base + i * 100),
      );
      await store.write([readings[0] as KeyedReading]); // creates the database
      const before = await writeRequests(server.url);
      await store.write(readings);
      expect((await writeRequests(server.url)) - before).toBe(3); // 5000 + 5000 + 2000
      expect(await countValues(server.url, database, "weight", "NX-K04-SH1")).toBe(12000);
      const points = await store.query({
        deviceId: "NX-K04-SH1",
        from: base,
        to: base + 2 * HOUR,
        limit: 100000,
      });
      expect(points).toHaveLength(12000);
      expect(points[0]).toEqual({ measurement: "weight", unit: "kg", value: 0, time: base });
      expect(points[11999]).toEqual({
        measurement: "weight",
        unit: "kg",
        value: 11999 / 8,
        time: base + 1199900,
      });
    });

    it("rejects a write while influxd is down, and stores it once after a restart", async () => {
      const { store, database } = newStore();
      const base = Date.now() - HOUR;
      const first = [shelf("NX-K05-SH1", "NX-K05", 20, base)];
      await store.write(first);

      await server.kill();
      const readings = Array.from({ length: 20 }, (_, i) =>
        shelf("NX-K05-SH1", "NX-K05", 21 + i, base + (i + 1) * 1000),
      );
      const started = Date.now();
      const outcome = await Promise.race([
        store.write(readings).then(
          () => "resolved",
          (error: Error) => error,
        ),
        new Promise((resolve) => setTimeout(() => resolve("still waiting after 5 s"), 5000)),
      ]);
      expect(outcome).toBeInstanceOf(Error);
      // ECONNREFUSED, or "socket hang up" when the request went out on a kept-alive connection.
      expect((outcome as Error).message).toMatch(/^InfluxDB write of points 1-20 of 20 failed: /);
      expect(Date.now() - started).toBeLessThan(5000);
      await expect(
        store.query({ deviceId: "NX-K05-SH1", from: base, to: base + HOUR, limit: 10 }),
      ).rejects.toThrow(/InfluxDB query failed/);

      await server.restart();
      // Right away: the client keeps no "host down" state between attempts.
      await store.write(readings);
      // The processor writes everything again after a failure: still one copy of each.
      await store.write([...first, ...readings]);
      expect(await countValues(server.url, database, "weight", "NX-K05-SH1")).toBe(21);
      const points = await store.query({ deviceId: "NX-K05-SH1", from: base, to: base + HOUR, limit: 100 });
      expect(points.map((p) => p.value)).toEqual([20, ...readings.map((r) => r.value)]);
    });

    it("gives up on a server that accepts the connection but never answers, after the request timeout", async () => {
      const sockets: net.Socket[] = [];
      const silent = net.createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      const address = silent.address() as net.AddressInfo;
      try {
        const store = createInfluxTimeSeries({
          url: `http://127.0.0.1:${address.port}`,
          database: "hung",
          username: undefined,
          password: undefined,
          requestTimeoutMs: 300,
          log,
        });
        const started = Date.now();
        await expect(store.write([shelf("NX-K08-SH1", "NX-K08", 1, Date.now())])).rejects.toThrow(
          /timed out/,
        );
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it("leaves out a reading InfluxDB cannot hold (after 2262) instead of blocking every later one", async () => {
      const { store, database } = newStore();
      const base = Date.now() - HOUR;
      await store.write([
        shelf("NX-K09-SH1", "NX-K09", 1, base),
        shelf("NX-K09-SH1", "NX-K09", 2, Date.UTC(3000, 0, 1)),
        shelf("NX-K09-SH1", "NX-K09", 3, base + 1),
      ]);
      expect(await countValues(server.url, database, "weight", "NX-K09-SH1")).toBe(2);
    });

    it("creates the database again if it disappears while the store is running", async () => {
      const { store, database } = newStore();
      const base = Date.now() - HOUR;
      await store.write([shelf("NX-K06-SH1", "NX-K06", 1, base)]);
      await influxql(server.url, database, `DROP DATABASE "${database}"`);
      // The first write learns the database is gone; the retry creates it.
      await expect(store.write([shelf("NX-K06-SH1", "NX-K06", 2, base + 1)])).rejects.toThrow(
        /database not found/,
      );
      await store.write([shelf("NX-K06-SH1", "NX-K06", 2, base + 1)]);
      expect(await store.query({ deviceId: "NX-K06-SH1", from: base, to: base + 10, limit: 10 })).toEqual([
        { measurement: "weight", unit: "kg", value: 2, time: base + 1 },
      ]);
    });
  },
);
