/**
 * Ingest of single readings: every demo shelf device publishes QoS 1 SenML weights over its own
 * authenticated connection, as fast as its window allows, for BENCH_SECONDS. Beside it, in the same
 * run and with the same generator and packets: aedes with no hooks and Mosquitto.
 */

import { type Daemon, installed, startBareAedes, startMosquitto } from "../helpers/daemons.ts";
import {
  type BenchContext,
  checkRun,
  log,
  platformRun,
  settings,
  shelfConnections,
  watch,
} from "./context.ts";
import type { ConnectionSpec, RunResult } from "./loadgen.ts";
import { startPlatformProcess } from "./platform-process.ts";
import { command, type Row, row } from "./report.ts";

async function baseline(
  ctx: BenchContext,
  label: string,
  broker: Daemon,
  connections: ConnectionSpec[],
): Promise<RunResult> {
  try {
    log(`ingest: ${label}, ${settings.baselineSeconds} s`);
    const result = await watch(
      ctx.generator.run({
        host: broker.host,
        port: broker.port,
        connections,
        window: settings.window,
        durationMs: settings.baselineSeconds * 1000,
      }),
      label,
    );
    checkRun(result, label);
    return result;
  } finally {
    await broker.stop();
  }
}

export async function ingestSection(ctx: BenchContext): Promise<Row[]> {
  const platform = await startPlatformProcess(ctx.tempDir("ingest"));
  try {
    const shelves = await platform.shelves();
    const connections = shelfConnections(shelves, platform.secrets());
    const anonymous = shelfConnections(shelves, {}, true);

    const bare = await baseline(ctx, "bare aedes", await startBareAedes(), anonymous);
    const mosquitto = installed("mosquitto")
      ? await baseline(ctx, "mosquitto", await startMosquitto({ persistence: false }), anonymous)
      : undefined;
    if (!mosquitto) log("ingest: mosquitto not installed, no Mosquitto baseline");

    log(`ingest: platform, ${shelves.length} shelf devices, ${settings.seconds} s`);
    const {
      result,
      e2e,
      stored,
      deadLetters: dead,
      problems,
    } = await platformRun(ctx, platform, "platform", {
      connections,
      window: settings.window,
      seconds: settings.seconds,
    });
    const healthMs = await platform.healthMs();
    const detail = {
      devices: shelves.length,
      window: settings.window,
      seconds: settings.seconds,
      acknowledged: result.acked,
      stored,
      deadLetters: dead,
      drainAfterLastAckMs: e2e.storedAt - result.lastAckAt,
      ackLatencyMs: result.ackLatency,
      healthMsAfter: healthMs,
      bareAedes: { acked: bare.acked, seconds: settings.baselineSeconds, ackLatencyMs: bare.ackLatency },
      ...(mosquitto ? { mosquitto: { acked: mosquitto.acked, ackLatencyMs: mosquitto.ackLatency } } : {}),
      problems,
    };
    const rows: Row[] = [
      row({
        section: "ingest",
        figure: `ingest acknowledged, QoS 1 SenML, ${shelves.length} authenticated shelf devices`,
        unit: "msg/s",
        value: result.ackRate,
        baseline: bare.ackRate,
        baselineLabel: "bare aedes",
        command: command("ingest"),
        detail,
      }),
      row({
        section: "ingest",
        figure: "ingest end to end (journaled, stored, projected)",
        unit: "msg/s",
        value: e2e.rate,
        baseline: bare.ackRate,
        baselineLabel: "bare aedes",
        goals: [
          { kind: "min", on: "value", limit: 30_000 },
          { kind: "min", on: "ratio", limit: 0.5 },
        ],
        command: command("ingest"),
      }),
    ];
    if (mosquitto) {
      rows.push(
        row({
          section: "ingest",
          figure: "ingest end to end, against Mosquitto (no persistence) acknowledging the same load",
          unit: "msg/s",
          value: e2e.rate,
          baseline: mosquitto.ackRate,
          baselineLabel: "mosquitto",
          command: command("ingest"),
        }),
      );
    }
    return rows;
  } finally {
    await platform.stop();
  }
}
