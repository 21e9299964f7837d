import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../server/db/database.ts";
import { tempDataDir } from "../helpers/platform.ts";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const seed = (dataDir: string, ...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "server/db/seed-cli.ts", ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir },
  });

describe("npm run seed", () => {
  it("loads the demo once, refuses to load over data, and --reset reloads it from scratch", async () => {
    const dataDir = tempDataDir();
    const first = await seed(dataDir);
    expect(first.stdout).toMatch(/demo network loaded .*: 58 sites, 17 item types, \d+ batches, 122 devices/);

    const again = await seed(dataDir).then(
      () => "succeeded",
      (error: { code: number; stderr: string }) => `${error.code}: ${error.stderr}`,
    );
    expect(again).toMatch(/^1: .*already holds data; run `npm run seed -- --reset`/);

    // Local changes (a stock movement, a dead letter) disappear on reset; the network is whole again.
    let database = openDatabase(dataDir);
    database.sqlite
      .prepare(
        "INSERT INTO stock_ledger (site_code, item_type_code, kind, quantity, occurred_at) VALUES ('NX-C01', 'HELMET', 'issue', -5, 0)",
      )
      .run();
    database.sqlite
      .prepare(
        "INSERT INTO dead_letters (received_at, topic, payload, reason) VALUES (0, 'x', x'00', 'test')",
      )
      .run();
    const before = database.sqlite.prepare("SELECT count(*) AS n FROM stock_ledger").get() as { n: number };
    database.close();

    await seed(dataDir, "--reset");
    database = openDatabase(dataDir);
    try {
      const count = (table: string) =>
        (database.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      expect(count("stock_ledger")).toBe(before.n - 1);
      expect(count("dead_letters")).toBe(0);
      expect(count("incidents")).toBe(0);
      expect(count("sites")).toBe(58);
      expect(count("devices")).toBe(122);
    } finally {
      database.close();
    }
  });
});
