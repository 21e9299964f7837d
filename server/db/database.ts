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
