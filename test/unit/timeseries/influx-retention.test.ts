import { describe, expect, it } from "vitest";
import { retentionChanges, retentionStatements } from "../../../server/timeseries/influx-retention.ts";

// What a Debian influxd 1.6 answers once README's statements have run (SHOW RETENTION POLICIES,
// SHOW CONTINUOUS QUERIES: the query re-printed without the quotes it was written with).
const policies = [
  { name: "autogen", duration: "0s", default: false },
  { name: "raw", duration: "2160h0m0s", default: true },
  { name: "hourly", duration: "17520h0m0s", default: false },
];
const queries = [
  {
    name: "hourly",
    query:
      "CREATE CONTINUOUS QUERY hourly ON reserve BEGIN SELECT mean(value) AS mean, min(value) AS min, max(value) AS max, count(value) AS n INTO reserve.hourly.:MEASUREMENT FROM reserve.raw./.*/ GROUP BY time(1h), * END",
  },
];

describe("InfluxDB retention statements", () => {
  it("creates the database first, then what is configured, and nothing for days of 0", () => {
    expect(retentionStatements("reserve", { rawDays: 0, hourlyDays: 0 })).toEqual([
      'CREATE DATABASE "reserve"',
    ]);
    const statements = retentionStatements("reserve", { rawDays: 90, hourlyDays: 730 });
    expect(statements[0]).toBe('CREATE DATABASE "reserve"');
    expect(statements).toHaveLength(4);
    // Aggregating without a raw policy reads the database's default one.
    expect(retentionStatements("reserve", { rawDays: 0, hourlyDays: 730 })[2]).toContain(
      'FROM "reserve"../.*/',
    );
  });

  it("changes nothing on a server that already matches", () => {
    expect(retentionChanges("reserve", { rawDays: 90, hourlyDays: 730 }, { policies, queries })).toEqual([]);
  });

  it("alters a changed duration and re-creates a changed query, leaving unconfigured policies alone", () => {
    expect(retentionChanges("reserve", { rawDays: 30, hourlyDays: 730 }, { policies, queries })).toEqual([
      'ALTER RETENTION POLICY "raw" ON "reserve" DURATION 30d REPLICATION 1 SHARD DURATION 1d DEFAULT',
    ]);
    expect(retentionChanges("reserve", { rawDays: 0, hourlyDays: 730 }, { policies, queries })).toEqual([
      'DROP CONTINUOUS QUERY "hourly" ON "reserve"',
      retentionStatements("reserve", { rawDays: 0, hourlyDays: 730 })[2],
    ]);
    expect(retentionChanges("reserve", { rawDays: 0, hourlyDays: 0 }, { policies, queries })).toEqual([]);
    expect(
      retentionChanges(
        "reserve",
        { rawDays: 90, hourlyDays: 730 },
        { policies: policies.slice(0, 1), queries: [] },
      ),
    ).toEqual(retentionStatements("reserve", { rawDays: 90, hourlyDays: 730 }).slice(1));
  });
});
