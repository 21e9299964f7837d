/** What every bench section shares: settings from the environment, the load generator, helpers. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ConnectionSpec, LoadGenerator, LoadRun, RunResult } from "./loadgen.ts";
import type { BenchPlatform, ShelfDevice } from "./platform-process.ts";
import type { Row } from "./report.ts";

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw} is not a non-negative number`);
  return value;
}

/** The knobs (documented in run.ts's header). */
export const settings = {
  seconds: envNumber("BENCH_SECONDS", 60),
  baselineSeconds: envNumber("BENCH_BASELINE_SECONDS", Math.min(envNumber("BENCH_SECONDS", 60), 20)),
  window: envNumber("BENCH_WINDOW", 100),
  shelfChangeEvery: envNumber("BENCH_SHELF_CHANGE_EVERY", 16),
  rfidSeconds: envNumber("BENCH_RFID_SECONDS", 30),
  rfidWindow: envNumber("BENCH_RFID_WINDOW", 32),
  loadRate: envNumber("BENCH_LOAD_RATE", 10_000),
  markers: envNumber("BENCH_MARKERS", 300),
  idleMarkers: envNumber("BENCH_IDLE_MARKERS", 60),
  markerRate: envNumber("BENCH_MARKER_RATE", 15),
  apiSeconds: envNumber("BENCH_API_SECONDS", 15),
  apiIdleSeconds: envNumber("BENCH_API_IDLE_SECONDS", 5),
  apiRate: envNumber("BENCH_API_RATE", 100),
  apiConnections: envNumber("BENCH_API_CONNECTIONS", 10),
  influxSeconds: envNumber("BENCH_INFLUX_SECONDS", 20),
  memoryTags: envNumber("BENCH_MEMORY_TAGS", 100_000),
  memoryDevices: envNumber("BENCH_MEMORY_DEVICES", 1000),
  memoryRate: envNumber("BENCH_MEMORY_RATE", 100),
  replayRows: envNumber("BENCH_REPLAY_ROWS", 1_000_000),
  keep: process.env.BENCH_KEEP === "1",
};

export interface BenchContext {
  generator: LoadGenerator;
  /** A fresh temporary directory, removed at the end unless BENCH_KEEP=1. */
  tempDir(name: string): string;
  log(message: string): void;
}

export type Section = (ctx: BenchContext) => Promise<Row[]>;

const made: string[] = [];

export function tempDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `reserve-bench-${name}-`));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  if (settings.keep) {
    if (made.length > 0) console.error(`kept: ${made.join(" ")}`);
    return;
  }
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export function log(message: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/**
 * One connection per shelf device, authenticated as that device (its demo secret), publishing its
 * SenML weights. `anonymous` drops the credentials, for the baselines.
 */
export function shelfConnections(
  shelves: ShelfDevice[],
  secrets: Record<string, { password: string }>,
  anonymous = false,
): ConnectionSpec[] {
  return shelves.map((s) => {
    const password = secrets[s.id]?.password;
    if (!anonymous && !password) throw new Error(`no demo secret for ${s.id}`);
    return {
      clientId: `bench-${s.id}`,
      ...(anonymous ? {} : { username: s.id, password }),
      topic: s.topic,
      message: {
        kind: "shelf",
        deviceId: s.id,
        tareKg: s.tareKg,
        unitWeightKg: s.unitWeightKg,
        baseUnits: 40,
        changeEvery: settings.shelfChangeEvery,
      },
    };
  });
}

/** Logs a run's counts every few seconds until it is done; returns its result. */
export async function watch(run: LoadRun, label: string, everyMs = 10_000): Promise<RunResult> {
  let last = { at: performance.now(), acked: 0 };
  const timer = setInterval(() => {
    const p = run.progress();
    const now = performance.now();
    const rate = ((p.acked - last.acked) * 1000) / (now - last.at);
    last = { at: now, acked: p.acked };
    log(
      `  ${label}: ${p.acked.toLocaleString("en-US")} acknowledged, ${Math.round(rate).toLocaleString("en-US")}/s`,
    );
  }, everyMs);
  try {
    return await run.done;
  } finally {
    clearInterval(timer);
  }
}

/** Fails loudly when a run lost messages or connections: its figures would not mean much. */
export function checkRun(result: RunResult, label: string): string[] {
  const problems: string[] = [];
  if (result.acked !== result.sent)
    problems.push(`${label}: ${result.sent - result.acked} of ${result.sent} not acknowledged`);
  for (const e of result.errors) problems.push(`${label}: ${e}`);
  for (const p of problems) log(`WARNING ${p}`);
  return problems;
}

/** The end-to-end rate of a run on the platform: acknowledged messages over first send to last stored. */
export async function endToEnd(
  platform: BenchPlatform,
  result: RunResult,
): Promise<{ rate: number; seconds: number; storedAt: number }> {
  const { storedAt } = await platform.drained();
  const seconds = (storedAt - result.firstSendAt) / 1000;
  return { rate: result.acked / seconds, seconds, storedAt };
}

/**
 * A window-limited load on the platform for `seconds`, then its end-to-end rate, with the checks
 * every such run makes: everything sent acknowledged, everything acknowledged stored, no dead letters.
 */
export async function platformRun(
  ctx: BenchContext,
  platform: BenchPlatform,
  label: string,
  load: { connections: ConnectionSpec[]; window: number; seconds: number },
): Promise<{
  result: RunResult;
  e2e: { rate: number; seconds: number; storedAt: number };
  stored: number;
  deadLetters: number;
  problems: string[];
}> {
  const before = await platform.health();
  const result = await watch(
    ctx.generator.run({
      host: platform.mqttHost,
      port: platform.mqttPort,
      connections: load.connections,
      window: load.window,
      durationMs: load.seconds * 1000,
    }),
    label,
  );
  const problems = checkRun(result, label);
  const e2e = await endToEnd(platform, result);
  const after = await platform.health();
  const stored = after.ingest.stored - before.ingest.stored;
  const deadLetters = after.ingest.deadLetters - before.ingest.deadLetters;
  if (stored !== result.acked) problems.push(`stored ${stored} messages for ${result.acked} acknowledged`);
  if (deadLetters !== 0) problems.push(`${deadLetters} dead letters`);
  return { result, e2e, stored, deadLetters, problems };
}
