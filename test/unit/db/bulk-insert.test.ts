import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { prepareBulkInsert } from "../../../server/db/database.ts";

describe("bulk insert", () => {
  it("inserts every row in order, in whole chunks and the rest one by one, with consecutive ids", () => {
    const sqlite = new Database(":memory:");
    sqlite.exec("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT NOT NULL, b INTEGER)");
    const insert = prepareBulkInsert(sqlite, "INSERT INTO t (a, b) VALUES (?, ?)", 2, 4);
    const rows = Array.from({ length: 11 }, (_, i) => [`row ${i}`, i % 3 === 0 ? null : i]);
    const last = sqlite.transaction(() => insert(rows.flat()))();
    expect(last).toBe(11);
    expect(sqlite.prepare("SELECT id, a, b FROM t ORDER BY id").all()).toEqual(
      rows.map(([a, b], i) => ({ id: i + 1, a, b })),
    );
    expect(() => insert(["odd"])).toThrow(/whole rows/);
    expect(() => prepareBulkInsert(sqlite, "INSERT INTO t (a, b) VALUES (?, ?)", 3)).toThrow(/3 parameters/);
  });

  it("applies an upsert clause to rows that repeat a key within one statement", () => {
    const sqlite = new Database(":memory:");
    sqlite.exec("CREATE TABLE r (k TEXT PRIMARY KEY, v REAL NOT NULL) WITHOUT ROWID");
    const upsert = prepareBulkInsert(
      sqlite,
      "INSERT INTO r (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
      2,
      4,
    );
    upsert(["x", 1, "y", 2, "x", 3, "z", 4, "y", 5]);
    expect(sqlite.prepare("SELECT k, v FROM r ORDER BY k").all()).toEqual([
      { k: "x", v: 3 },
      { k: "y", v: 5 },
      { k: "z", v: 4 },
    ]);
  });
});
