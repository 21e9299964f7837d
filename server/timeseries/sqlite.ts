import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { prepareBulkInsert, tuneForIngest } from "../db/database.ts";
import type { Reading } from "../ingest/decoders/index.ts";
import type { ReadingQuery, StoredPoint, TimeSeriesStore } from "./store.ts";

/**
 * The embedded time-series store: its own SQLite file, so bulky readings never slow the relational
 * store, with a WITHOUT ROWID table clustered by series and time.
 */
export function createSqliteTimeSeries(dataDir: string): TimeSeriesStore {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, "timeseries.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  tuneForIngest(db);
  db.exec(`CREATE TABLE IF NOT EXISTS readings (
      device_id   TEXT    NOT NULL,
      measurement TEXT    NOT NULL,
      time        INTEGER NOT NULL,
      site_code   TEXT    NOT NULL,
      kind        TEXT    NOT NULL,
      unit        TEXT,
      value       REAL    NOT NULL,
      PRIMARY KEY (device_id, measurement, time)
    ) WITHOUT ROWID`);
  const insert = prepareBulkInsert(
    db,
    `INSERT INTO readings (device_id, measurement, time, site_code, kind, unit, value)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (device_id, measurement, time) DO UPDATE SET value = excluded.value, unit = excluded.unit`,
    7,
  );
  const insertAll = db.transaction((readings: readonly Reading[]) => {
    const values: unknown[] = [];
    for (const r of readings) {
      values.push(r.deviceId, r.measurement, r.time, r.siteCode, r.kind, r.unit ?? null, r.value);
    }
    insert(values);
  });
  const selectAll = db.prepare(
    `SELECT measurement, unit, value, time FROM readings
     WHERE device_id = ? AND time BETWEEN ? AND ? ORDER BY time, measurement LIMIT ?`,
  );
  const selectOne = db.prepare(
    `SELECT measurement, unit, value, time FROM readings
     WHERE device_id = ? AND measurement = ? AND time BETWEEN ? AND ? ORDER BY time LIMIT ?`,
  );
  return {
    name: "sqlite",
    async write(readings) {
      if (readings.length > 0) insertAll(readings);
    },
    async query(q: ReadingQuery) {
      const rows =
        q.measurement === undefined
          ? selectAll.all(q.deviceId, q.from, q.to, q.limit)
          : selectOne.all(q.deviceId, q.measurement, q.from, q.to, q.limit);
      return rows as StoredPoint[];
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
