/**
 * `npm run bench [-- section ...]`: the platform's benchmark suite. Prints a table (figure | unit |
 * value | baseline | ratio | goal | command) and writes test-artifacts/bench.md and bench.json (the
 * rows with their details: counts, checks, latencies). Not part of `npm test`; absolute numbers
 * drift with the machine and whatever else runs on it, so every comparison is measured side by side
 * in the same run. Sections (no arguments: all, in this order, about 9 minutes on 2 cores):
 *
 * - startup: `server/main.ts` from spawn to a healthy /api/health, on a fresh data dir (loads the
 *   demo, issues its secrets) and again on the same dir. Goal < 10 s.
 * - ingest: every demo shelf device (58) publishes QoS 1 SenML weights over its own authenticated
 *   TCP connection, as fast as a window of BENCH_WINDOW unacknowledged messages allows, for
 *   BENCH_SECONDS. Acknowledged rate (first PUBLISH to last PUBACK) and end-to-end rate (first
 *   PUBLISH to the last batch stored in the time series and projected, from /api/health once nothing
 *   is pending). Baselines, same generator and packets, each its own process: aedes with no hooks
 *   and Mosquitto (when installed; persistence off), for BENCH_BASELINE_SECONDS. Goals: ≥ 30,000
 *   msg/s end to end and ≥ 0.5 × bare aedes.
 * - rfid: the 6 demo RFID readers publish Zebra-format arrays of 50 reads of their sites' registered
 *   tags (storage antennas) for BENCH_RFID_SECONDS. Tag reads/s acknowledged and end to end (presence
 *   projected). Goal ≥ 250,000 reads/s end to end.
 * - latency: while the generator sends BENCH_LOAD_RATE msg/s (rate-controlled, shelves of the county
 *   and smaller sites), markers on the central and branch depots' shelves set a weight that changes
 *   the site's sensed first-aid count; each is timed from publish until GET /api/sites/{code}/stock
 *   shows it (polled every 10 ms). BENCH_MARKERS markers at BENCH_MARKER_RATE a second; baseline:
 *   BENCH_IDLE_MARKERS markers before the load starts. Goal p99 < 1 s.
 * - api: autocannon, BENCH_API_SECONDS each on GET /api/sites/NX-C01/stock and GET /api/alerts as the
 *   demo admin (bearer token), BENCH_API_CONNECTIONS connections at BENCH_API_RATE requests/s in
 *   all, while the generator sends BENCH_LOAD_RATE msg/s; baseline: the same requests before the load
 *   starts (BENCH_API_IDLE_SECONDS). Goal p99 < 50 ms. Also the ingest rate achieved meanwhile.
 * - influx: the platform with TIMESERIES=influxdb on a private influxd; the shelf load for
 *   BENCH_INFLUX_SECONDS, end to end in points/s. Baseline: the same number of points, the same
 *   series (measurement weight; tags device, kind, site, unit; field value; ms timestamps) as raw
 *   line protocol, 5,000 lines a POST, one at a time, into a fresh database of the same influxd.
 *   Goal ≥ 0.8 × baseline.
 * - compute: coverage, the dispatch MIP and MCLP siting in this process (goals 200 ms, 500 ms, 5 s).
 * - memory: 1,000 more devices (BENCH_MEMORY_DEVICES; written into the database while the platform is
 *   stopped, as the API has no route to create devices) get secrets from POST
 *   /api/devices/{id}/credentials; 100,000 tags (BENCH_MEMORY_TAGS) are registered as SGTIN ranges
 *   (POST /api/tags) and read twice by the readers, so every one is present in the presence tracker;
 *   then all 1,000 devices connect and publish lightly (BENCH_MEMORY_RATE msg/s in all) and the
 *   server's VmRSS is read from /proc/<pid>/status. Goal < 512 MB. Each secret issued and each first
 *   CONNECT costs the server a full scrypt, so this section takes a minute or two.
 * - replay: with the platform stopped, BENCH_REPLAY_ROWS (1,000,000) pending journal rows (valid
 *   SenML on the shelf topics, distinct times) are inserted in one transaction; then the time from
 *   spawn until /api/health shows nothing pending. Goal < 60 s. Also when /api/health first answered
 *   and what one call costs with that many journal rows.
 *
 * Settings (environment):
 *   BENCH_SECONDS=60            ingest sustain time, platform
 *   BENCH_BASELINE_SECONDS=20   ingest sustain time, bare aedes and Mosquitto (default min(BENCH_SECONDS, 20))
 *   BENCH_WINDOW=100            QoS 1 messages in flight per shelf connection
 *   BENCH_SHELF_CHANGE_EVERY=16 a shelf's count changes every this many of its messages (a movement)
 *   BENCH_RFID_SECONDS=30, BENCH_RFID_WINDOW=32
 *   BENCH_LOAD_RATE=10000       background msg/s for latency and api
 *   BENCH_MARKERS=300, BENCH_MARKER_RATE=15, BENCH_IDLE_MARKERS=60 (the no-load baseline)
 *   BENCH_API_SECONDS=15, BENCH_API_RATE=100, BENCH_API_CONNECTIONS=10, BENCH_API_IDLE_SECONDS=5
 *   BENCH_INFLUX_SECONDS=20
 *   BENCH_MEMORY_TAGS=100000, BENCH_MEMORY_DEVICES=1000, BENCH_MEMORY_RATE=100
 *   BENCH_REPLAY_ROWS=1000000
 *   BENCH_KEEP=1                keep the temporary data dirs (their paths are printed)
 *   BENCH_PROFILE=1             V8 CPU profiles of every platform process in test-artifacts/bench-profiles
 *
 * Every platform runs as its own process (server/main.ts) on a fresh data dir with LOG_LEVEL=warn and
 * DEVICE_MAX_MSGS_PER_S=0. The load generator is a worker thread of this process (loadgen.ts), so it
 * shares the machine's cores with the server under test, as do the baselines.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { apiSection } from "./api.ts";
import { computeSection } from "./compute.ts";
import { type BenchContext, log, removeTempDirs, type Section, settings, tempDir } from "./context.ts";
import { influxSection } from "./influx.ts";
import { ingestSection } from "./ingest.ts";
import { latencySection } from "./latency.ts";
import { LoadGenerator } from "./loadgen.ts";
import { memorySection } from "./memory.ts";
import { replaySection } from "./replay.ts";
import { markdownTable, type Row } from "./report.ts";
import { rfidSection } from "./rfid.ts";
import { startupSection } from "./startup.ts";

const SECTIONS: Record<string, Section> = {
  startup: startupSection,
  ingest: ingestSection,
  rfid: rfidSection,
  latency: latencySection,
  api: apiSection,
  influx: influxSection,
  compute: computeSection,
  memory: memorySection,
  replay: replaySection,
};

async function main(): Promise<number> {
  const asked = process.argv.slice(2).filter((a) => a !== "--");
  const unknown = asked.filter((a) => !(a in SECTIONS));
  if (unknown.length > 0) {
    console.error(`unknown section ${unknown.join(", ")}; sections: ${Object.keys(SECTIONS).join(" ")}`);
    return 2;
  }
  // In the suite's order, whatever the order asked.
  const chosen = Object.keys(SECTIONS).filter((name) => asked.length === 0 || asked.includes(name));
  const generator = new LoadGenerator();
  const ctx: BenchContext = { generator, tempDir, log };
  const rows: Row[] = [];
  const failures: Array<{ section: string; error: string }> = [];
  const started = performance.now();
  // Other work on the machine moves every absolute figure: the load averages go with the results.
  const loadBefore = os.loadavg()[0] as number;
  log(`sections: ${chosen.join(" ")}; settings: ${JSON.stringify(settings)}`);
  try {
    for (const name of chosen) {
      const sectionStarted = performance.now();
      log(`${name}: start`);
      try {
        rows.push(...(await (SECTIONS[name] as Section)(ctx)));
      } catch (error) {
        // One broken section must not cost the others' figures.
        log(`${name}: FAILED: ${(error as Error).stack ?? error}`);
        failures.push({ section: name, error: String((error as Error).message ?? error) });
      }
      log(`${name}: done in ${((performance.now() - sectionStarted) / 1000).toFixed(0)} s`);
    }
  } finally {
    await generator.close();
    removeTempDirs();
  }

  const table = markdownTable(rows);
  const minutes = (performance.now() - started) / 60000;
  const load = `load average ${loadBefore.toFixed(1)} at the start, ${(os.loadavg()[0] as number).toFixed(1)} at the end, ${os.cpus().length} CPUs`;
  const failed = failures.map((f) => `\n**${f.section} failed:** ${f.error}\n`).join("");
  console.log(`\n${load}\n\n${table}\n${failed}`);
  const out = path.resolve("test-artifacts");
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, "bench.json"),
    `${JSON.stringify({ at: new Date().toISOString(), minutes, load, sections: chosen, settings, rows, failures }, null, 2)}\n`,
  );
  fs.writeFileSync(
    path.join(out, "bench.md"),
    `# npm run bench, ${new Date().toISOString()} (${minutes.toFixed(1)} min; ${chosen.join(", ")})\n\n${load}\n\n${table}\n${failed}`,
  );
  log(`wrote test-artifacts/bench.md and bench.json (${minutes.toFixed(1)} min)`);
  return failures.length > 0 ? 1 : 0;
}

process.on("SIGINT", () => process.exit(130));
main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
