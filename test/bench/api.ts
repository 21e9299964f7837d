/**
 * The API under ingest load: autocannon on a site's stock and on the alert list, as the demo admin,
 * while the generator sends BENCH_LOAD_RATE msg/s; the baseline is the same requests to the same
 * platform before the load starts. A fixed request rate (BENCH_API_RATE) rather than as many as the
 * connections can push, so the latencies are the server's, not autocannon's own queue's (autocannon
 * corrects them for coordinated omission).
 */
import autocannon from "autocannon";
import { type BenchContext, log, settings } from "./context.ts";
import { backgroundLoad, stopBackground } from "./latency.ts";
import { type BenchPlatform, sleep, startPlatformProcess } from "./platform-process.ts";
import { command, num, type Row, row } from "./report.ts";

const SITE = "NX-C01";
const ENDPOINTS = [`/api/sites/${SITE}/stock`, "/api/alerts"];

async function cannon(platform: BenchPlatform, pathname: string, seconds: number) {
  const result = await autocannon({
    url: `${platform.httpUrl}${pathname}`,
    connections: settings.apiConnections,
    duration: seconds,
    overallRate: settings.apiRate,
    headers: { authorization: `Bearer ${platform.token}` },
  });
  const problems = [
    ...(result.non2xx > 0 ? [`${result.non2xx} answers not 2xx`] : []),
    ...(result.errors > 0 ? [`${result.errors} errors (${result.timeouts} timeouts)`] : []),
  ];
  return { result, problems };
}

export async function apiSection(ctx: BenchContext): Promise<Row[]> {
  const platform = await startPlatformProcess(ctx.tempDir("api"));
  try {
    const idle = new Map<string, Awaited<ReturnType<typeof cannon>>>();
    for (const pathname of ENDPOINTS) {
      log(`api: ${pathname} without ingest load, ${settings.apiIdleSeconds} s`);
      idle.set(pathname, await cannon(platform, pathname, settings.apiIdleSeconds));
    }
    const background = await backgroundLoad(ctx, platform, await platform.shelves());
    await sleep(2000);
    const rows: Row[] = [];
    for (const pathname of ENDPOINTS) {
      const before = background.progress().acked;
      const started = performance.now();
      log(`api: ${pathname}, ${settings.apiSeconds} s at ${settings.apiRate} requests/s`);
      const { result, problems } = await cannon(platform, pathname, settings.apiSeconds);
      const ingestRate = ((background.progress().acked - before) * 1000) / (performance.now() - started);
      const quiet = idle.get(pathname) as Awaited<ReturnType<typeof cannon>>;
      log(
        `api: p50 ${num(result.latency.p50)} ms, p99 ${num(result.latency.p99)} ms (idle p99 ${num(quiet.result.latency.p99)} ms), ingest ${num(ingestRate)} msg/s`,
      );
      rows.push(
        row({
          section: "api",
          figure: `GET ${pathname} p99, ${num(settings.apiRate)} req/s, at ${num(settings.loadRate)} msg/s ingest`,
          unit: "ms",
          value: result.latency.p99,
          baseline: quiet.result.latency.p99,
          baselineLabel: "no ingest",
          goals: [{ kind: "max", on: "value", limit: 50 }],
          command: command("api"),
          detail: {
            p50: result.latency.p50,
            p90: result.latency.p90,
            max: result.latency.max,
            requests: result.requests.total,
            connections: settings.apiConnections,
            idle: {
              p50: quiet.result.latency.p50,
              p99: quiet.result.latency.p99,
              requests: quiet.result.requests.total,
            },
            ingestAcknowledgedPerS: ingestRate,
            problems: [...problems, ...quiet.problems.map((p) => `idle: ${p}`)],
          },
        }),
        row({
          section: "api",
          figure: `ingest acknowledged during the ${pathname.split("/").pop()} run (target ${num(settings.loadRate)})`,
          unit: "msg/s",
          value: ingestRate,
          command: command("api"),
        }),
      );
    }
    const pendingAtEnd = (await platform.health()).ingest.pending;
    const load = await stopBackground(background);
    const first = rows[0];
    if (first?.detail) Object.assign(first.detail, { pendingAtEnd, backgroundSkipped: load.skipped });
    return rows;
  } finally {
    await platform.stop();
  }
}
