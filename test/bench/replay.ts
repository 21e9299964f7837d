/**
 * Journal replay: the platform stopped with BENCH_REPLAY_ROWS messages journaled but not yet
 * processed (a crash under load, or a long time-series outage), then started again. The rows are
 * what the journal writes for accepted shelf readings: valid SenML on the shelf devices' own
 * topics, distinct times per device, state 0 (pending).
 */
import path from "node:path";
import Database from "better-sqlite3";
import { JOURNAL_STATE } from "../../server/db/schema.ts";
import { type BenchContext, log, settings } from "./context.ts";
import { senmlTime, senmlWeightPayload } from "./payloads.ts";
import { type ShelfDevice, startPlatformProcess } from "./platform-process.ts";
import { command, num, type Row, row } from "./report.ts";

/** Inserts `count` pending journal rows round-robin over the shelves, one reading a second each. */
function insertPending(dataDir: string, shelves: ShelfDevice[], count: number): void {
  const db = new Database(path.join(dataDir, "reserve.db"));
  try {
    const insert = db.prepare(
      "INSERT INTO ingest_journal (received_at, client_id, topic, payload, state, processed_at) VALUES (?, ?, ?, ?, ?, NULL)",
    );
    // The newest reading is a minute old, the oldest count / shelves seconds before that.
    const first = Date.now() - 60_000 - Math.ceil(count / shelves.length) * 1000;
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const s = shelves[i % shelves.length] as ShelfDevice;
        const time = first + Math.floor(i / shelves.length) * 1000;
        const units = 40 - ((Math.floor(i / shelves.length) >> 4) & 1);
        const payload = senmlWeightPayload(s.id, s.tareKg + units * s.unitWeightKg, senmlTime(time));
        insert.run(time + 40, `${s.id}-replay`, s.topic, Buffer.from(payload), JOURNAL_STATE.pending);
      }
    })();
  } finally {
    db.close();
  }
}

export async function replaySection(ctx: BenchContext): Promise<Row[]> {
  const dataDir = ctx.tempDir("replay");
  const seeded = await startPlatformProcess(dataDir);
  const shelves = await seeded.shelves();
  await seeded.stop();

  const insertStarted = performance.now();
  insertPending(dataDir, shelves, settings.replayRows);
  const insertSeconds = (performance.now() - insertStarted) / 1000;
  log(
    `replay: ${num(settings.replayRows)} pending rows inserted in ${insertSeconds.toFixed(1)} s; restarting`,
  );

  const spawnedAt = Date.now();
  const platform = await startPlatformProcess(dataDir, {}, { readyTimeoutMs: 600_000 });
  try {
    const answeredMs = platform.startupMs;
    const { storedAt, health } = await platform.drained();
    const seconds = (storedAt - spawnedAt) / 1000;
    const problems: string[] = [];
    if (health.ingest.stored < settings.replayRows) problems.push(`only ${health.ingest.stored} rows stored`);
    if (health.ingest.deadLetters > 0) problems.push(`${health.ingest.deadLetters} dead letters`);
    const healthMs = await platform.healthMs();
    log(
      `replay: drained in ${seconds.toFixed(1)} s (HTTP answered after ${(answeredMs / 1000).toFixed(1)} s)`,
    );
    return [
      row({
        section: "replay",
        figure: `replay of ${num(settings.replayRows)} pending journal rows, spawn to nothing pending`,
        unit: "s",
        value: seconds,
        goals: [{ kind: "max", on: "value", limit: 60 }],
        command: command("replay"),
        detail: { insertSeconds, stored: health.ingest.stored, spawnToHealthyMs: answeredMs, problems },
      }),
      row({
        section: "replay",
        figure: "replay rate, spawn to nothing pending",
        unit: "rows/s",
        value: settings.replayRows / seconds,
        command: command("replay"),
      }),
      row({
        section: "replay",
        figure: "replay: spawn to the first /api/health answer",
        unit: "s",
        value: answeredMs / 1000,
        command: command("replay"),
      }),
      row({
        section: "replay",
        figure: `GET /api/health with ${num(health.ingest.stored)} journal rows (counts them by state)`,
        unit: "ms",
        value: healthMs,
        command: command("replay"),
      }),
    ];
  } finally {
    await platform.stop();
  }
}
