import fs from "node:fs";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { retentionStatements } from "../../server/timeseries/influx-retention.ts";
import { createInfluxTimeSeries } from "../../server/timeseries/influxdb.ts";
import { influxdAvailable, type RunningInfluxd, startInfluxd } from "../helpers/influxd.ts";

const log = pino({ level: "silent" });
const TWO_YEARS = { rawDays: 90, hourlyDays: 730 };

/** The ```sql block of README's "Time series for two years", one statement a line. */
function readmeStatements(): string[] {
  const readme = fs.readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("### Time series for two years"));
  const block = /```sql\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block.split("\n").filter((line) => line.trim() !== "");
}

describe.skipIf(!influxdAvailable())("InfluxDB retention and downsampling (real influxd)", () => {
  let server: RunningInfluxd;
  beforeAll(async () => {
    server = await startInfluxd();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const influxql = async (q: string, method: "GET" | "POST" = "POST") => {
    const response = await fetch(`${server.url}/query?q=${encodeURIComponent(q)}`, { method });
    return (await response.json()) as {
      results: Array<{ error?: string; series?: Array<{ name?: string; values: unknown[][] }> }>;
    };
  };
  const policies = async (database: string) =>
    (
      (await influxql(`SHOW RETENTION POLICIES ON "${database}"`, "GET")).results[0]?.series?.[0]?.values ??
      []
    ).map(([name, duration, , , isDefault]) => ({ name, duration, isDefault }));
  const queries = async (database: string) =>
    ((await influxql("SHOW CONTINUOUS QUERIES", "GET")).results[0]?.series ?? [])
      .filter((s) => s.name === database)
      .flatMap((s) => s.values.map(([name]) => name));
  const expected = [
    { name: "autogen", duration: "0s", isDefault: false },
    { name: "raw", duration: "2160h0m0s", isDefault: true },
    { name: "hourly", duration: "17520h0m0s", isDefault: false },
  ];

  it("README's statements are the platform's, and work as written on a fresh server", async () => {
    expect(readmeStatements()).toEqual(retentionStatements("reserve", TWO_YEARS));
    for (const statement of readmeStatements()) {
      const answer = await influxql(statement);
      expect(answer.results[0]?.error, statement).toBeUndefined();
    }
    expect(await policies("reserve")).toEqual(expected);
    expect(await queries("reserve")).toEqual(["hourly"]);
  });

  it("sets the policies and the hourly aggregation up itself before its first write, and keeps them on restart", async () => {
    const store = () =>
      createInfluxTimeSeries({
        url: server.url,
        database: "provisioned",
        username: undefined,
        password: undefined,
        retention: TWO_YEARS,
        log,
      });
    const first = store();
    const now = Date.now();
    await first.write([
      {
        deviceId: "NX-K01-E1",
        siteCode: "NX-K01",
        kind: "env",
        measurement: "temp",
        unit: "Cel",
        value: 21,
        time: now,
        journalId: 1,
        seq: 0,
      },
    ]);
    expect(await policies("provisioned")).toEqual(expected);
    expect(await queries("provisioned")).toEqual(["hourly"]);
    // Written to the default policy "raw", and read back from it.
    expect(await first.query({ deviceId: "NX-K01-E1", from: now - 1, to: now + 1, limit: 5 })).toHaveLength(
      1,
    );
    const raw = await influxql(`SELECT count("value") FROM "provisioned"."raw"."temp"`, "GET");
    expect(raw.results[0]?.series?.[0]?.values[0]?.[1]).toBe(1);

    // A second start with a longer raw retention alters it, and changes nothing else.
    const longer = createInfluxTimeSeries({
      url: server.url,
      database: "provisioned",
      username: undefined,
      password: undefined,
      retention: { rawDays: 120, hourlyDays: 730 },
      log,
    });
    await longer.write([
      {
        deviceId: "NX-K01-E1",
        siteCode: "NX-K01",
        kind: "env",
        measurement: "temp",
        unit: "Cel",
        value: 22,
        time: now + 1000,
        journalId: 2,
        seq: 0,
      },
    ]);
    expect((await policies("provisioned")).find((p) => p.name === "raw")).toEqual({
      name: "raw",
      duration: "2880h0m0s",
      isDefault: true,
    });
    expect(await queries("provisioned")).toEqual(["hourly"]);
    expect(
      await longer.query({ deviceId: "NX-K01-E1", from: now - 1, to: now + 2000, limit: 5 }),
    ).toHaveLength(2);
  });
});
