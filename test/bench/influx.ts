/**
 * Ingest into InfluxDB 1.x: the platform with TIMESERIES=influxdb against a private influxd, the
 * shelf load for BENCH_INFLUX_SECONDS, end to end in points/s (one reading per message). Baseline:
 * the same number of points of the same series written by a trivial client straight to the same
 * influxd (a fresh database), 5,000 lines of line protocol per POST, one POST at a time as the
 * platform's store does.
 */
import { startInfluxd } from "../helpers/influxd.ts";
import { type BenchContext, checkRun, endToEnd, log, settings, shelfConnections, watch } from "./context.ts";
import { type ShelfDevice, startPlatformProcess } from "./platform-process.ts";
import { command, num, type Row, row } from "./report.ts";

const LINES_PER_POST = 5000;

async function influxQuery(url: string, q: string, database?: string): Promise<any> {
  const params = new URLSearchParams({ q, ...(database ? { db: database } : {}) });
  const response = await fetch(`${url}/query?${params}`, { method: "POST" });
  if (!response.ok) throw new Error(`influx ${q}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function countPoints(url: string, database: string): Promise<number> {
  const body = await influxQuery(url, 'SELECT count("value") FROM "weight"', database);
  return Number(body.results?.[0]?.series?.[0]?.values?.[0]?.[1] ?? 0);
}

/**
 * Writes `points` shelf weights as the platform's store would lay them out (measurement weight;
 * tags device, kind, site, unit; float field value; ms timestamps, distinct per device). Returns
 * points/s, line building included.
 */
async function rawWrites(
  url: string,
  database: string,
  shelves: ShelfDevice[],
  points: number,
): Promise<number> {
  await influxQuery(url, `CREATE DATABASE "${database}"`);
  const base = Date.now() - Math.ceil(points / shelves.length) - 60_000;
  const started = performance.now();
  for (let from = 0; from < points; from += LINES_PER_POST) {
    const lines: string[] = [];
    for (let i = from; i < Math.min(points, from + LINES_PER_POST); i++) {
      const s = shelves[i % shelves.length] as ShelfDevice;
      const time = base + Math.floor(i / shelves.length);
      const kg = s.tareKg + (40 - ((i >> 4) & 1)) * s.unitWeightKg;
      lines.push(
        `weight,device=${s.id},kind=shelf,site=${s.siteCode},unit=kg value=${kg.toFixed(3)} ${time}`,
      );
    }
    const response = await fetch(`${url}/write?db=${database}&precision=ms`, {
      method: "POST",
      body: lines.join("\n"),
    });
    if (response.status !== 204) throw new Error(`influx write: ${response.status} ${await response.text()}`);
  }
  return points / ((performance.now() - started) / 1000);
}

export async function influxSection(ctx: BenchContext): Promise<Row[]> {
  const influxd = await startInfluxd({ dataDir: ctx.tempDir("influxd") });
  try {
    const database = "reserve";
    const platform = await startPlatformProcess(ctx.tempDir("influx"), {
      TIMESERIES: "influxdb",
      INFLUX_URL: influxd.url,
      INFLUX_DATABASE: database,
    });
    let result: Awaited<ReturnType<typeof watch>>;
    let e2e: Awaited<ReturnType<typeof endToEnd>>;
    let shelves: ShelfDevice[];
    const problems: string[] = [];
    try {
      shelves = await platform.shelves();
      log(`influx: platform with InfluxDB, ${shelves.length} shelf devices, ${settings.influxSeconds} s`);
      result = await watch(
        ctx.generator.run({
          host: platform.mqttHost,
          port: platform.mqttPort,
          connections: shelfConnections(shelves, platform.secrets()),
          window: settings.window,
          durationMs: settings.influxSeconds * 1000,
        }),
        "platform (influxdb)",
      );
      problems.push(...checkRun(result, "platform (influxdb)"));
      e2e = await endToEnd(platform, result);
    } finally {
      await platform.stop();
    }
    const stored = await countPoints(influxd.url, database);
    if (stored !== result.acked)
      problems.push(`${stored} points in InfluxDB for ${result.acked} acknowledged`);

    log(`influx: baseline, ${result.acked} points as line protocol, ${LINES_PER_POST} a POST`);
    const baseline = await rawWrites(influxd.url, "baseline", shelves, result.acked);
    const baselineStored = await countPoints(influxd.url, "baseline");
    if (baselineStored !== result.acked)
      problems.push(`baseline stored ${baselineStored} of ${result.acked}`);
    log(`influx: platform ${num(e2e.rate)} points/s, raw writes ${num(baseline)} points/s`);
    return [
      row({
        section: "influx",
        figure: "ingest end to end into InfluxDB 1.x (stored and projected)",
        unit: "points/s",
        value: e2e.rate,
        baseline,
        baselineLabel: `raw line protocol, ${num(LINES_PER_POST)} a POST`,
        goals: [{ kind: "min", on: "ratio", limit: 0.8 }],
        command: command("influx"),
        detail: {
          points: result.acked,
          acknowledgedPerS: result.ackRate,
          drainAfterLastAckMs: e2e.storedAt - result.lastAckAt,
          storedInInflux: stored,
          problems,
        },
      }),
      row({
        section: "influx",
        figure: "ingest acknowledged, platform with InfluxDB",
        unit: "msg/s",
        value: result.ackRate,
        command: command("influx"),
      }),
    ];
  } finally {
    await influxd.stop();
  }
}
