import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { type BetterSQLite3Database, drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "./schema.ts";

export type Db = BetterSQLite3Database<typeof schema>;

export interface AppDatabase {
  /** The raw connection, for prepared statements on hot paths. */
  sqlite: Database.Database;
  db: Db;
  close(): void;
}

const migrationsFolder = new URL("./migrations", import.meta.url).pathname;

export interface OpenOptions {
  /** normal: a committed transaction survives a process crash; full: also a power loss. */
  synchronous?: "normal" | "full";
}

/** Opens (creating if needed) the relational store under dataDir and applies pending migrations. */
export function openDatabase(dataDir: string, options: OpenOptions = {}): AppDatabase {
  fs.mkdirSync(dataDir, { recursive: true });
  const sqlite = new Database(path.join(dataDir, "reserve.db"));
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  tuneForIngest(sqlite);
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  return {
    sqlite,
    db,
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}

/**
 * Settings for a database the ingest writes to all the time. A WAL checkpoint runs inside the commit
 * that crosses wal_autocheckpoint and syncs twice: at the default 1,000 pages (4 MB) that is every
 * few hundred group commits, and the event loop (the broker's acknowledgements) waits for the disk.
 * 10,000 pages make that ten times rarer for a WAL of up to ~40 MB. A bigger page cache keeps the
 * journal's and projections' hot pages in memory; temporary b-trees (sorts) stay in memory too.
 */
export function tuneForIngest(sqlite: Database.Database): void {
  sqlite.pragma("wal_autocheckpoint = 10000");
  sqlite.pragma("cache_size = -32000");
  sqlite.pragma("temp_store = MEMORY");
}

/**
 * A multi-row INSERT: `sql` is the statement for one row, whose `VALUES (?, ...)` is repeated for up
 * to `chunk` rows per statement. On a hot path most of an insert's cost is the statement's own (bind,
 * step, reset), so one statement per 32 rows costs several times less than one per row.
 * Call with the rows' values flattened; returns the rowid of the last row inserted. Within one
 * transaction the rows of an AUTOINCREMENT table get consecutive rowids, in order.
 */
export function prepareBulkInsert(
  sqlite: Database.Database,
  sql: string,
  columns: number,
  chunk = 32,
): (values: readonly unknown[]) => number {
  const match = /VALUES\s*(\([?,\s]+\))/i.exec(sql);
  if (!match?.[1] || match[1].split("?").length - 1 !== columns) {
    throw new Error(`bulk insert needs one VALUES (?, ...) of ${columns} parameters: ${sql}`);
  }
  const group = match[1];
  const one = sqlite.prepare(sql);
  const many = sqlite.prepare(sql.replace(group, Array.from({ length: chunk }, () => group).join(", ")));
  const width = columns * chunk;
  return (values) => {
    if (values.length % columns !== 0) throw new Error("bulk insert values are not whole rows");
    let lastRowid = 0;
    let at = 0;
    for (; at + width <= values.length; at += width) {
      lastRowid = Number(many.run(values.slice(at, at + width)).lastInsertRowid);
    }
    for (; at < values.length; at += columns) {
      lastRowid = Number(one.run(values.slice(at, at + columns)).lastInsertRowid);
    }
    return lastRowid;
  };
}
