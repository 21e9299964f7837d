import type { Logger } from "pino";
import type { AppDatabase } from "../db/database.ts";
import { JOURNAL_STATE } from "../db/schema.ts";
import type { EventBus } from "../events.ts";
import type { PresenceTracker } from "../services/presence-tracker.ts";
import type { KeyedReading, TimeSeriesStore } from "../timeseries/store.ts";
import type { DecodedMessage, Reading } from "./decoders/index.ts";
import type { IngestJournal, JournalRow, PendingRow } from "./journal.ts";
import type { Projector, StockChange } from "./projector.ts";

export interface ProcessorOptions {
  batchSize: number;
  intervalMs: number;
  /** Wait after a failed time-series write before trying again. */
  retryDelayMs?: number;
  /** Processed journal rows older than this are deleted; 0 keeps them. */
  retentionHours?: number;
}

const PRUNE_EVERY_MS = 10 * 60 * 1000;
const SWEEP_EVERY_MS = 15 * 1000;

/**
 * Drains the journal in id order: readings go to the time-series store, then the projections and
 * the "stored" marks are written in one SQLite transaction. Both steps are idempotent, so a crash
 * between them only repeats work on the next start.
 */
export class IngestProcessor {
  readonly #journal: IngestJournal;
  readonly #database: AppDatabase;
  readonly #timeseries: TimeSeriesStore;
  readonly #projector: Projector;
  readonly #presence: PresenceTracker;
  readonly #events: EventBus;
  readonly #log: Logger;
  readonly #options: Required<ProcessorOptions>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #wakeRequested = false;
  #stopped = true;
  #lastError: string | null = null;
  #lastStoredAt: number | null = null;
  /** When the time-series write in progress began; null when none is outstanding. */
  #writingSince: number | null = null;
  #lastPrunedAt = 0;
  #lastSweptAt = 0;

  readonly #applyBatch;
  readonly #prune;

  constructor(deps: {
    journal: IngestJournal;
    database: AppDatabase;
    timeseries: TimeSeriesStore;
    projector: Projector;
    presence: PresenceTracker;
    events: EventBus;
    log: Logger;
    options: ProcessorOptions;
  }) {
    this.#journal = deps.journal;
    this.#database = deps.database;
    this.#timeseries = deps.timeseries;
    this.#projector = deps.projector;
    this.#presence = deps.presence;
    this.#events = deps.events;
    this.#log = deps.log;
    this.#options = { retryDelayMs: 1000, retentionHours: 0, ...deps.options };

    const sqlite = this.#database.sqlite;
    const touchDevice = sqlite.prepare(
      "UPDATE devices SET last_seen_at = max(coalesce(last_seen_at, 0), ?) WHERE id = ?",
    );
    this.#prune = sqlite.prepare("DELETE FROM ingest_journal WHERE state = ? AND processed_at < ?");
    const markProcessed = sqlite.prepare(
      "UPDATE ingest_journal SET state = ?, processed_at = ? WHERE id = ?",
    );
    // Every pending row from the batch's first id to its last is in the batch (they are read in id
    // order and new rows only get higher ids), so one statement marks them all; the dead ones were
    // marked before it and are no longer pending.
    const markStored = sqlite.prepare(
      `UPDATE ingest_journal SET state = ${JOURNAL_STATE.stored}, processed_at = ?
       WHERE id BETWEEN ? AND ? AND state = ${JOURNAL_STATE.pending}`,
    );
    const projectOne = sqlite.transaction((decoded: DecodedMessage, journalId: number) => {
      const changes = this.#projector.apply(decoded, journalId);
      // Inside the savepoint, so what the projector held back for the batch fails with this message.
      this.#projector.flushBatch();
      return changes;
    });
    this.#applyBatch = sqlite.transaction(
      (
        stored: Array<{ row: JournalRow; decoded: DecodedMessage }>,
        dead: Array<{ row: JournalRow; reason: string }>,
        isolate: boolean,
      ) => {
        const now = Date.now();
        let deadCount = dead.length;
        const changed = new Map<string, StockChange>();
        const lastSeen = new Map<string, number>();
        // Projections follow reading time, not arrival: a device's messages are applied oldest
        // first (a message that waited in a broker may arrive after newer ones).
        for (const { row, decoded } of inReadingOrder(stored)) {
          lastSeen.set(decoded.deviceId, Math.max(lastSeen.get(decoded.deviceId) ?? 0, row.receivedAt));
          let projected: StockChange[];
          try {
            // In isolation (the retry after a failed batch) each message gets a savepoint: one the
            // projections cannot take is set aside with its reason instead of holding back every
            // message after it. The first try skips the savepoints, which cost on the hot path.
            projected = isolate ? projectOne(decoded, row.id) : this.#projector.apply(decoded, row.id);
          } catch (error) {
            if (!isolate) throw error;
            const reason = `readings stored, but the projection failed: ${(error as Error).message}`;
            this.#log.error({ err: error, journalId: row.id }, "projection failed");
            this.#journal.insertDeadLetter(row.id, row.receivedAt, row, reason);
            markProcessed.run(JOURNAL_STATE.dead, now, row.id);
            deadCount += 1;
            continue;
          }
          for (const change of projected) changed.set(`${change.siteCode}|${change.itemTypeCode}`, change);
        }
        for (const { row, reason } of dead) {
          this.#journal.insertDeadLetter(row.id, row.receivedAt, row, reason);
          markProcessed.run(JOURNAL_STATE.dead, now, row.id);
        }
        const first = stored[0];
        const last = stored[stored.length - 1];
        const storedCount = first && last ? markStored.run(now, first.row.id, last.row.id).changes : 0;
        for (const [deviceId, at] of lastSeen) touchDevice.run(at, deviceId);
        this.#projector.flushBatch();
        return { changes: [...changed.values()], stored: storedCount, dead: deadCount };
      },
    );
  }

  start(): void {
    this.#stopped = false;
    this.#journal.onAppended(() => this.wake());
    this.#timer = setInterval(() => this.wake(), this.#options.intervalMs);
    this.#timer.unref();
    this.wake();
  }

  /** Runs a drain now, or right after the one in progress. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#wakeRequested = true;
      return;
    }
    this.#running = this.drain()
      .catch((error: Error) => {
        // Reading the journal itself failed (disk error, database closed): report it and try on the
        // next tick rather than let a rejected promise end the process.
        this.#lastError = error.message;
        this.#log.error({ err: error }, "ingest journal could not be read");
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#wakeRequested) {
          this.#wakeRequested = false;
          this.wake();
        }
      });
  }

  /** Processes pending rows until none is left. Returns the number of messages handled. */
  async drain(): Promise<number> {
    let handled = 0;
    let afterId = 0;
    for (;;) {
      const rows = this.#journal.pendingRows(afterId, this.#options.batchSize);
      if (rows.length === 0) break;
      try {
        await this.#processBatch(rows);
        this.#lastError = null;
      } catch (error) {
        // The rows stay pending and are tried again: the store may be down for a while.
        this.#lastError = (error as Error).message;
        this.#log.warn({ err: error }, "ingest batch not stored; will retry");
        await new Promise((resolve) => setTimeout(resolve, this.#options.retryDelayMs).unref());
        break;
      }
      handled += rows.length;
      afterId = (rows[rows.length - 1] as JournalRow).id;
      // Back to the event loop between batches: with a backlog (a replay after a restart, or a burst)
      // the broker's acknowledgements and the API would otherwise wait for the whole backlog, since
      // a store that writes synchronously never gives the loop a turn.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (Date.now() - this.#lastPrunedAt > PRUNE_EVERY_MS) this.prune(Date.now());
    if (Date.now() - this.#lastSweptAt > SWEEP_EVERY_MS) this.sweepDepartures(Date.now());
    return handled;
  }

  /** Marks tags unseen for longer than the presence policy allows as departed. */
  sweepDepartures(now: number): number {
    this.#lastSweptAt = now;
    const events = this.#presence.sweep(now);
    if (events.length === 0) return 0;
    const changes = this.#database.sqlite.transaction(() => this.#projector.applyDepartures(events))();
    for (const change of changes) this.#events.emit("stock.changed", change);
    return events.length;
  }

  /**
   * Deletes journal rows processed more than the retention ago; pending rows are never touched.
   * Returns how many went. Dead letters keep their own copy of the payload.
   */
  prune(now: number): number {
    this.#lastPrunedAt = now;
    if (this.#options.retentionHours <= 0) return 0;
    const before = now - this.#options.retentionHours * 3600 * 1000;
    const stored = this.#prune.run(JOURNAL_STATE.stored, before).changes;
    const dead = this.#prune.run(JOURNAL_STATE.dead, before).changes;
    this.#journal.pruned(stored, dead);
    return stored + dead;
  }

  async #processBatch(rows: PendingRow[]): Promise<void> {
    const stored: Array<{ row: JournalRow; decoded: DecodedMessage }> = [];
    const dead: Array<{ row: JournalRow; reason: string }> = [];
    const readings: KeyedReading[] = [];
    for (const row of rows) {
      let decoded = row.decoded;
      if (!decoded) {
        const verdict = this.#journal.validate(row, row.receivedAt, false);
        if (!verdict.ok) {
          dead.push({ row, reason: verdict.reason });
          continue;
        }
        decoded = verdict.decoded;
      }
      stored.push({ row, decoded });
      keyReadings(decoded.readings, row.id, readings);
    }
    // A store that hangs (InfluxDB accepting but not answering) fails only at its request timeout;
    // health reports the write as stalled long before that, from this.
    this.#writingSince = Date.now();
    try {
      await this.#timeseries.write(readings);
    } finally {
      this.#writingSince = null;
    }
    let outcome: { changes: StockChange[]; stored: number; dead: number };
    const rollBack = () => {
      // The transaction rolled back, but the in-memory presence states had moved on: take them
      // back from the database so a retry applies the same reads to the same states.
      this.#presence.reload();
      this.#projector.discardBatch();
    };
    try {
      outcome = this.#applyBatch(stored, dead, false);
    } catch {
      rollBack();
      try {
        outcome = this.#applyBatch(stored, dead, true);
      } catch (error) {
        rollBack();
        throw error;
      }
    }
    const last = rows[rows.length - 1] as JournalRow;
    this.#journal.processed(outcome.stored, outcome.dead, last.id);
    const movements = this.#projector.takeMovements();
    const claimedOrders = this.#projector.takeClaimedOrders();
    this.#lastStoredAt = Date.now();
    this.#events.emit("ingest.stored", {
      messages: stored.length,
      readings: readings.length,
      lastJournalId: last.id,
    });
    for (const movement of movements) this.#events.emit("shelf.movement", movement);
    for (const change of outcome.changes) this.#events.emit("stock.changed", change);
    for (const orderId of claimedOrders) this.#events.emit("dispatch.changed", { orderId });
  }

  status(): { lastError: string | null; lastStoredAt: number | null; writingSince: number | null } {
    return { lastError: this.#lastError, lastStoredAt: this.#lastStoredAt, writingSince: this.#writingSince };
  }

  /** Stops the timer and drains what is left (bounded by timeoutMs). */
  async stop(timeoutMs = 5000): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    const finish = async () => {
      await this.#running;
      await this.drain();
    };
    await Promise.race([finish(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }
}

/**
 * Gives each reading of a message its identity in the time series (journal row id, and how many
 * readings of the same measurement come before it in the message) and adds it to `into`. Both
 * follow from the row alone, so a replay produces the same keys and rewrites the same points.
 */
export function keyReadings(readings: Reading[], journalId: number, into: KeyedReading[]): void {
  // Most messages carry one to three readings: counting by scanning is cheaper than a Map there.
  const seen = readings.length > 8 ? new Map<string, number>() : null;
  for (let i = 0; i < readings.length; i += 1) {
    const reading = readings[i] as Reading;
    let seq = 0;
    if (seen) {
      seq = seen.get(reading.measurement) ?? 0;
      seen.set(reading.measurement, seq + 1);
    } else {
      for (let k = 0; k < i; k += 1)
        if ((readings[k] as Reading).measurement === reading.measurement) seq += 1;
    }
    reading.journalId = journalId;
    reading.seq = seq;
    into.push(reading as KeyedReading);
  }
}

/** A message's reading time: its earliest reading (the receipt time when it has none). */
function readingTime(entry: { row: JournalRow; decoded: DecodedMessage }): number {
  const readings = entry.decoded.readings;
  let time = readings.length > 0 ? Number.POSITIVE_INFINITY : entry.row.receivedAt;
  for (const reading of readings) if (reading.time < time) time = reading.time;
  return time;
}

/**
 * The batch with each device's messages in reading-time order (equal times keep journal order),
 * each in one of the places that device's messages held, so different devices stay interleaved
 * as they arrived. Returns the batch itself when it is already in order (the usual case).
 */
export function inReadingOrder<T extends { row: JournalRow; decoded: DecodedMessage }>(batch: T[]): T[] {
  const times = batch.map(readingTime);
  const latest = new Map<string, number>();
  let ordered = true;
  for (let i = 0; i < batch.length && ordered; i += 1) {
    const device = (batch[i] as T).decoded.deviceId;
    const time = times[i] as number;
    if (time < (latest.get(device) ?? Number.NEGATIVE_INFINITY)) ordered = false;
    else latest.set(device, time);
  }
  if (ordered) return batch;
  const positions = new Map<string, number[]>();
  batch.forEach((entry, i) => {
    const own = positions.get(entry.decoded.deviceId);
    if (own) own.push(i);
    else positions.set(entry.decoded.deviceId, [i]);
  });
  const result = batch.slice();
  for (const own of positions.values()) {
    if (own.length < 2) continue;
    // Array.prototype.sort is stable: messages of one time keep their journal order.
    const sorted = [...own].sort((a, b) => (times[a] as number) - (times[b] as number));
    own.forEach((position, k) => {
      result[position] = batch[sorted[k] as number] as T;
    });
  }
  return result;
}
