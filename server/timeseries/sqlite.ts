import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { prepareBulkInsert, tuneForIngest } from "../db/database.ts";
import type { KeyedReading, ReadingQuery, StoredPoint, TimeSeriesStore } from "./store.ts";

const CREATE_READINGS = (table: string) => `CREATE TABLE IF NOT EXISTS ${table} (
      device_id   TEXT    NOT NULL,
      measurement TEXT    NOT NULL,
      time        INTEGER NOT NULL,
      journal_id  INTEGER NOT NULL,
      seq         INTEGER NOT NULL,
      site_code   TEXT    NOT NULL,
      kind        TEXT    NOT NULL,
      unit        TEXT,
      value       REAL    NOT NULL,
      PRIMARY KEY (device_id, measurement, time, journal_id, seq)
    ) WITHOUT ROWID`;

/**
 * The embedded time-series store: its own SQLite file, so bulky readings never slow the relational
 * store, with a WITHOUT ROWID table clustered by series and time.
 *
 * Key: (device, measurement, time, journal row id, position among the message's readings of that
 * measurement). Distinct readings always differ in the last two, so none overwrites another (50
 * flat messages in one millisecond are 50 points), and a replayed journal row hits its own keys.
 */
export function createSqliteTimeSeries(dataDir: string): TimeSeriesStore {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, "timeseries.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  tuneForIngest(db);
  migrate(db);
  const insert = prepareBulkInsert(
    db,
    `INSERT INTO readings (device_id, measurement, time, journal_id, seq, site_code, kind, unit, value)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (device_id, measurement, time, journal_id, seq)
     DO UPDATE SET value = excluded.value, unit = excluded.unit`,
    9,
  );
  const insertAll = db.transaction((readings: readonly KeyedReading[]) => {
    const values: unknown[] = [];
    for (const r of readings) {
      values.push(
        r.deviceId,
        r.measurement,
        r.time,
        r.journalId,
        r.seq,
        r.siteCode,
        r.kind,
        r.unit ?? null,
        r.value,
      );
    }
    insert(values);
  });
  const selectAll = db.prepare(
    `SELECT measurement, unit, value, time FROM readings
     WHERE device_id = ? AND time BETWEEN ? AND ? ORDER BY time, measurement, journal_id, seq LIMIT ?`,
  );
  const selectOne = db.prepare(
    `SELECT measurement, unit, value, time FROM readings
     WHERE device_id = ? AND measurement = ? AND time BETWEEN ? AND ? ORDER BY time, journal_id, seq LIMIT ?`,
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

/**
 * Brings a timeseries.db of an earlier version to the keyed table, in place and in one
 * transaction (so a crash leaves the old table whole). Its rows were unique by device, measurement
 * and time and carry no identity: they become journal id 0, position 0, which no new reading has
 * (journal ids start at 1). Limit: a journal row that an earlier version had written to the store
 * but not yet marked stored when it stopped (a crash) is written once more under its real key.
 */
function migrate(db: Database.Database): void {
  const columns = db.prepare("SELECT name FROM pragma_table_info('readings')").all() as Array<{
    name: string;
  }>;
  if (columns.length === 0) {
    db.exec(CREATE_READINGS("readings"));
    return;
  }
  if (columns.some((c) => c.name === "journal_id")) return;
  db.transaction(() => {
    db.exec(CREATE_READINGS("readings_keyed"));
    db.exec(`INSERT INTO readings_keyed (device_id, measurement, time, journal_id, seq, site_code, kind, unit, value)
             SELECT device_id, measurement, time, 0, 0, site_code, kind, unit, value FROM readings`);
    db.exec("DROP TABLE readings");
    db.exec("ALTER TABLE readings_keyed RENAME TO readings");
  })();
}
