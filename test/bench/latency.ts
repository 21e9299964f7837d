/**
 * Reading-to-screen latency under load. The generator sends BENCH_LOAD_RATE msg/s from the county,
 * station and contract sites' shelves; meanwhile marker readings go to the central and branch
 * depots' shelves (which the load never touches), each a weight that changes the site's sensed count
 * of the shelf's item type (two counts in turn), and are timed from publish until
 * GET /api/sites/{code}/stock shows the new count.
 */
import mqtt from "mqtt";
import { type BenchContext, checkRun, log, settings, shelfConnections } from "./context.ts";
import type { LoadRun, RunResult } from "./loadgen.ts";
import { senmlTime, senmlWeightPayload } from "./payloads.ts";
import { type BenchPlatform, type ShelfDevice, sleep, startPlatformProcess } from "./platform-process.ts";
import { command, num, type Row, row } from "./report.ts";

/** Marker shelves: the central and branch depots'. The background load takes the rest. */
export const isMarkerSite = (siteCode: string) => /^NX-[CB]\d/.test(siteCode);

export function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

/** Starts the rate-controlled background load on the non-marker shelves; resolves once connected. */
export async function backgroundLoad(
  ctx: BenchContext,
  platform: BenchPlatform,
  shelves: ShelfDevice[],
): Promise<LoadRun> {
  const load = shelves.filter((s) => !isMarkerSite(s.siteCode));
  const run = ctx.generator.run({
    host: platform.mqttHost,
    port: platform.mqttPort,
    connections: shelfConnections(load, platform.secrets()),
    window: settings.window,
    rate: settings.loadRate,
  });
  await run.connected;
  log(`background load: ${load.length} shelf devices, ${settings.loadRate} msg/s`);
  return run;
}

/** Stops the background load; its result, with the acknowledged rate it achieved. */
export async function stopBackground(run: LoadRun): Promise<RunResult> {
  run.stop();
  const result = await run.done;
  checkRun(result, "background load");
  return result;
}

async function markerLoop(
  platform: BenchPlatform,
  shelf: ShelfDevice,
  secret: string,
  periodMs: number,
  take: () => boolean,
  latencies: number[],
): Promise<{ timeouts: number }> {
  const client = await mqtt.connectAsync(`mqtt://${platform.mqttHost}:${platform.mqttPort}`, {
    clientId: `bench-marker-${shelf.id}`,
    username: shelf.id,
    password: secret,
    reconnectPeriod: 0,
  });
  const counts = [30, 33];
  let timeouts = 0;
  let lastTime = 0;
  try {
    for (let k = 0; take(); k++) {
      const expected = counts[k % 2] as number;
      lastTime = Math.max(lastTime + 1, Date.now());
      const payload = senmlWeightPayload(
        shelf.id,
        shelf.tareKg + expected * shelf.unitWeightKg,
        senmlTime(lastTime),
      );
      const sent = performance.now();
      const acked = client.publishAsync(shelf.topic, payload, { qos: 1 });
      let seen = false;
      while (performance.now() - sent < 30_000) {
        const stock = await platform.api<{
          items: Array<{ itemTypeCode: string; sensedQty: number | null }>;
        }>("GET", `/api/sites/${shelf.siteCode}/stock`);
        if (stock.items.find((i) => i.itemTypeCode === shelf.itemType)?.sensedQty === expected) {
          seen = true;
          break;
        }
        await sleep(10);
      }
      if (seen) latencies.push(performance.now() - sent);
      else timeouts++;
      await acked;
      await sleep(Math.max(0, sent + periodMs - performance.now()));
    }
  } finally {
    await client.endAsync();
  }
  return { timeouts };
}

/** Runs `count` markers over the marker shelves at BENCH_MARKER_RATE; their latencies, ms. */
async function markers(
  platform: BenchPlatform,
  shelves: ShelfDevice[],
  count: number,
): Promise<{ latencies: number[]; timeouts: number; seconds: number }> {
  const secrets = platform.secrets();
  // Each marker shelf has its own loop (publish, poll until visible, wait out its period), so a
  // slow marker delays only its own site's next one.
  const periodMs = (1000 * shelves.length) / settings.markerRate;
  let left = count;
  const take = () => left-- > 0;
  const latencies: number[] = [];
  const started = performance.now();
  const loops = await Promise.all(
    shelves.map((m) => markerLoop(platform, m, secrets[m.id]?.password as string, periodMs, take, latencies)),
  );
  return {
    latencies,
    timeouts: loops.reduce((n, l) => n + l.timeouts, 0),
    seconds: (performance.now() - started) / 1000,
  };
}

export async function latencySection(ctx: BenchContext): Promise<Row[]> {
  const platform = await startPlatformProcess(ctx.tempDir("latency"));
  try {
    const shelves = await platform.shelves();
    const markerShelves = shelves.filter((s) => isMarkerSite(s.siteCode));
    log(`latency: ${settings.idleMarkers} markers without load (the baseline)`);
    const idle = await markers(platform, markerShelves, settings.idleMarkers);

    const background = await backgroundLoad(ctx, platform, shelves);
    await sleep(2000); // warm-up: JIT, SQLite caches, a steady journal
    log(`latency: ${settings.markers} markers on ${markerShelves.length} shelves, ${settings.markerRate}/s`);
    const loaded = await markers(platform, markerShelves, settings.markers);
    const pendingAtEnd = (await platform.health()).ingest.pending;
    const load = await stopBackground(background);
    const problems = [
      ...(loaded.timeouts + idle.timeouts > 0
        ? [`${loaded.timeouts + idle.timeouts} markers not visible within 30 s`]
        : []),
      ...load.errors,
    ];
    const p50 = percentile(loaded.latencies, 0.5);
    const p99 = percentile(loaded.latencies, 0.99);
    log(`latency: p50 ${num(p50)} ms, p99 ${num(p99)} ms, ${pendingAtEnd} pending at the end`);
    const detail = {
      markers: loaded.latencies.length,
      timeouts: loaded.timeouts,
      markerShelves: markerShelves.map((m) => m.id),
      markerSeconds: loaded.seconds,
      max: Math.max(...loaded.latencies),
      idle: {
        markers: idle.latencies.length,
        p50: percentile(idle.latencies, 0.5),
        p99: percentile(idle.latencies, 0.99),
        max: Math.max(...idle.latencies),
      },
      backgroundRate: settings.loadRate,
      backgroundAchieved: load.ackRate,
      backgroundSkipped: load.skipped,
      pendingAtEnd,
      pubackLatencyMs: load.ackLatency,
      problems,
    };
    const under = `at ${num(settings.loadRate)} msg/s`;
    return [
      row({
        section: "latency",
        figure: `reading to GET /stock, p50, ${loaded.latencies.length} markers ${under}`,
        unit: "ms",
        value: p50,
        baseline: percentile(idle.latencies, 0.5),
        baselineLabel: "no load",
        command: command("latency"),
        detail,
      }),
      row({
        section: "latency",
        figure: `reading to GET /stock, p99 ${under}`,
        unit: "ms",
        value: p99,
        baseline: percentile(idle.latencies, 0.99),
        baselineLabel: "no load",
        goals: [{ kind: "max", on: "value", limit: 1000 }],
        command: command("latency"),
      }),
      row({
        section: "latency",
        figure: `PUBLISH to PUBACK, p99, background load ${under}`,
        unit: "ms",
        value: load.ackLatency.p99,
        command: command("latency"),
      }),
      row({
        section: "latency",
        figure: "background load acknowledged during the latency run",
        unit: "msg/s",
        value: load.ackRate,
        command: command("latency"),
      }),
    ];
  } finally {
    await platform.stop();
  }
}
