import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createSqliteTimeSeries } from "../../server/timeseries/sqlite.ts";
import type { KeyedReading } from "../../server/timeseries/store.ts";
import { tempDataDir } from "../helpers/platform.ts";

const temp = (value: number, time: number, journalId: number, seq = 0): KeyedReading => ({
  deviceId: "NX-K01-ENV1",
  siteCode: "NX-K01",
  kind: "env",
  measurement: "temp",
  unit: "Cel",
  value,
  time,
  journalId,
  seq,
});
const all = { deviceId: "NX-K01-ENV1", from: 0, to: Date.now() + 3_600_000, limit: 1000 };

describe("SQLite time-series store (timeseries.db)", () => {
  it("keeps distinct readings of one device and measurement at the same millisecond, and a replay rewrites them", async () => {
    const store = createSqliteTimeSeries(tempDataDir());
    const at = Date.now() - 60_000;
    const readings = [temp(20, at, 1), temp(21, at, 2), temp(22, at, 3, 0), temp(23, at, 3, 1)];
    await store.write(readings);
    await store.write(readings);
    const points = await store.query(all);
    expect(points.map((p) => p.value)).toEqual([20, 21, 22, 23]);
    expect(new Set(points.map((p) => p.time))).toEqual(new Set([at]));
    await store.close();
  });

  it("opens a timeseries.db of an earlier version, keeps its points and stores new ones beside them", async () => {
    const dataDir = tempDataDir();
    const at = Date.now() - 60_000;
    // The table as versions before the keyed one created it.
    const old = new Database(path.join(dataDir, "timeseries.db"));
    old.exec(`CREATE TABLE readings (
        device_id TEXT NOT NULL, measurement TEXT NOT NULL, time INTEGER NOT NULL, site_code TEXT NOT NULL,
        kind TEXT NOT NULL, unit TEXT, value REAL NOT NULL, PRIMARY KEY (device_id, measurement, time)
      ) WITHOUT ROWID`);
    const insert = old.prepare(
      "INSERT INTO readings VALUES ('NX-K01-ENV1', 'temp', ?, 'NX-K01', 'env', 'Cel', ?)",
    );
    insert.run(at - 1000, 18.5);
    insert.run(at, 19.5);
    old.close();

    const store = createSqliteTimeSeries(dataDir);
    expect((await store.query(all)).map((p) => [p.time, p.value])).toEqual([
      [at - 1000, 18.5],
      [at, 19.5],
    ]);
    // A new reading at the very millisecond of an old point is a point of its own.
    await store.write([temp(20.5, at, 7)]);
    expect((await store.query(all)).map((p) => p.value)).toEqual([18.5, 19.5, 20.5]);
    await store.close();
    // Opening it again finds the migrated table as it is.
    const again = createSqliteTimeSeries(dataDir);
    expect(await again.query(all)).toHaveLength(3);
    await again.close();
  });
});
