import { parseDeviceTopic, type TopicParse } from "../../broker/topics.ts";
import { type AppDatabase, prepareBulkInsert } from "../db/database.ts";
import { JOURNAL_STATE } from "../db/schema.ts";
import type { ReadingLimits } from "../domain/reading-limits.ts";
import type { EventBus } from "../events.ts";
import type { DeviceRegistry } from "../services/device-registry.ts";
import { type DecodedMessage, DecodeError, decodeMessage } from "./decoders/index.ts";

export interface IncomingMessage {
  clientId: string | null;
  topic: string;
  payload: Buffer;
  /** When it was first received, if not just now: a cluster member's receipt (mqtt-ingest.ts). */
  receivedAt?: number;
}

export interface JournalRow {
  id: number;
  receivedAt: number;
  clientId: string | null;
  topic: string;
  payload: Buffer;
}

/** A pending row as the processor takes it; decoded when it was appended by this process. */
export interface PendingRow extends JournalRow {
  decoded?: DecodedMessage;
}

export type Verdict = { ok: true; decoded: DecodedMessage } | { ok: false; reason: string };

interface Pending {
  message: IncomingMessage;
  receivedAt: number;
  verdict: Verdict;
  done: (error: Error | null) => void;
}

/**
 * The durable ingest journal. accept() validates a message and appends it, or its dead letter, to
 * SQLite; the callback (which lets the broker send the PUBACK) runs only after the transaction has
 * committed. Messages arriving in the same event-loop turn share one transaction (group commit), so
 * the durability costs one commit per turn rather than one per message.
 */
export class IngestJournal {
  readonly #database: AppDatabase;
  readonly #registry: DeviceRegistry;
  readonly #events: EventBus;
  readonly #log:
    | { error(details: object, message: string): void; info(details: object, message: string): void }
    | undefined;
  #writeError: { message: string; at: number } | null = null;
  readonly #maxPayloadBytes: number;
  readonly #limits: ReadingLimits;
  #pending: Pending[] = [];
  #flushScheduled = false;
  #closed = false;
  /**
   * The pending rows, in id order, as appended (decoded, payload in hand), so the processor reads
   * neither the journal nor the decoder again. Only while #tailComplete: then every pending row is
   * here. Otherwise (rows left by an earlier run, or a backlog beyond the bounds below) the pending
   * rows are read from SQLite until none is left, and the tail starts again.
   */
  #tail: PendingRow[] = [];
  #tailComplete = false;
  #tailPayloadBytes = 0;
  static readonly TAIL_MAX_ROWS = 50_000;
  static readonly TAIL_MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;
  #onAppended: () => void = () => {};
  /** Parsed topics: a device publishes to the same one or two all day. Bounded, emptied when full. */
  readonly #topics = new Map<string, TopicParse>();
  /**
   * Rows by state, counted once at start and then kept up to date by every change (appends here,
   * the processor's marks, pruning), so the health check costs nothing however long the journal.
   */
  readonly #counts = { pending: 0, stored: 0, dead: 0 };

  readonly #insertRows;
  readonly #insertDeadLetter;
  readonly #commitBatch;
  readonly #selectPending;

  constructor(deps: {
    database: AppDatabase;
    registry: DeviceRegistry;
    events: EventBus;
    maxPayloadBytes: number;
    limits: ReadingLimits;
    log?: { error(details: object, message: string): void; info(details: object, message: string): void };
  }) {
    this.#log = deps.log;
    this.#database = deps.database;
    this.#registry = deps.registry;
    this.#events = deps.events;
    this.#maxPayloadBytes = deps.maxPayloadBytes;
    this.#limits = deps.limits;
    const sqlite = this.#database.sqlite;
    this.#insertRows = prepareBulkInsert(
      sqlite,
      "INSERT INTO ingest_journal (received_at, client_id, topic, payload, state, processed_at) VALUES (?, ?, ?, ?, ?, ?)",
      6,
    );
    this.#insertDeadLetter = sqlite.prepare(
      "INSERT INTO dead_letters (journal_id, received_at, client_id, topic, payload, reason) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#commitBatch = sqlite.transaction((batch: Pending[]): number => {
      const values: unknown[] = [];
      for (const { message, receivedAt, verdict } of batch) {
        values.push(
          receivedAt,
          message.clientId,
          message.topic,
          message.payload,
          verdict.ok ? JOURNAL_STATE.pending : JOURNAL_STATE.dead,
          verdict.ok ? null : receivedAt,
        );
      }
      const firstId = this.#insertRows(values) - batch.length + 1;
      batch.forEach(({ message, receivedAt, verdict }, index) => {
        if (!verdict.ok) this.insertDeadLetter(firstId + index, receivedAt, message, verdict.reason);
      });
      return firstId;
    });
    this.#selectPending = sqlite.prepare(
      "SELECT id, received_at AS receivedAt, client_id AS clientId, topic, payload FROM ingest_journal WHERE state = 0 AND id > ? ORDER BY id LIMIT ?",
    );
    const countByState = sqlite.prepare("SELECT state, count(*) AS n FROM ingest_journal GROUP BY state");
    for (const row of countByState.all() as Array<{ state: number; n: number }>) {
      if (row.state === JOURNAL_STATE.pending) this.#counts.pending = row.n;
      else if (row.state === JOURNAL_STATE.stored) this.#counts.stored = row.n;
      else if (row.state === JOURNAL_STATE.dead) this.#counts.dead = row.n;
    }
  }

  /** Why the journal is refusing readings right now (disk full, read-only), or null. */
  writeError(): { message: string; at: number } | null {
    return this.#writeError;
  }

  /** Called after each committed batch (the processor wakes up). */
  onAppended(listener: () => void): void {
    this.#onAppended = listener;
  }

  /** What the broker calls for each PUBLISH, before it acknowledges. */
  accept(message: IncomingMessage, done: (error: Error | null) => void): void {
    if (this.#closed) {
      done(new Error("ingest journal is closed"));
      return;
    }
    // Readings without a device time are stamped with this, so it is the first receipt.
    const receivedAt = message.receivedAt ?? Date.now();
    this.#pending.push({ message, receivedAt, verdict: this.validate(message, receivedAt, true), done });
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Topic, device and payload checks. On replay (checkDevice false) the device was already accepted
   * when the message arrived, so only the decoding is repeated. The plausibility checks take the
   * row's receivedAt, never the clock now, so a replay reaches the same verdict; a shelf's capacity
   * is the registry's at the time of the check.
   */
  validate(message: IncomingMessage, receivedAt: number, checkDevice: boolean): Verdict {
    if (message.payload.length > this.#maxPayloadBytes) {
      return {
        ok: false,
        reason: `payload of ${message.payload.length} bytes exceeds the ${this.#maxPayloadBytes}-byte limit`,
      };
    }
    let parsed = this.#topics.get(message.topic);
    if (parsed === undefined) {
      parsed = parseDeviceTopic(message.topic);
      if (this.#topics.size >= 10_000) this.#topics.clear();
      this.#topics.set(message.topic, parsed);
    }
    if (!parsed.ok) return parsed;
    if (checkDevice) {
      const refusal = this.#registry.refusal(parsed.topic);
      if (refusal) return { ok: false, reason: refusal };
    }
    const topic = parsed.topic;
    const capacityKg =
      topic.kind === "shelf" ? (this.#registry.get(topic.deviceId)?.shelf?.capacityKg ?? null) : null;
    try {
      return {
        ok: true,
        decoded: decodeMessage(topic, message.payload, receivedAt, this.#limits, capacityKg),
      };
    } catch (error) {
      if (error instanceof DecodeError) return { ok: false, reason: error.message };
      // A decoder bug must not take the broker down; the message is kept with the reason.
      return { ok: false, reason: `decoder failed: ${(error as Error).message}` };
    }
  }

  /** Appends everything accepted so far in one transaction, then releases the acknowledgements. */
  flush(): void {
    this.#flushScheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    let firstId: number;
    try {
      firstId = this.#commitBatch(batch);
    } catch (error) {
      // Nothing was written, so nothing may be acknowledged: the error closes the client's
      // connection without a PUBACK, and the device publishes again ([MQTT-4.4.0-1]). A full disk
      // or a read-only data dir ends here: readings are refused, never acknowledged and lost.
      const failure = new Error(`ingest journal write failed: ${(error as Error).message}`);
      if (!this.#writeError)
        this.#log?.error({ err: error }, "ingest journal cannot write: refusing readings");
      this.#writeError = { message: failure.message, at: Date.now() };
      for (const item of batch) item.done(failure);
      return;
    }
    if (this.#writeError) this.#log?.info({ since: this.#writeError.at }, "ingest journal writes again");
    this.#writeError = null;
    for (const item of batch) {
      if (item.verdict.ok) this.#counts.pending += 1;
      else this.#counts.dead += 1;
    }
    for (let index = 0; index < batch.length; index += 1) {
      const item = batch[index] as Pending;
      const { message, verdict } = item;
      if (verdict.ok) {
        if (this.#tailComplete) {
          this.#tail.push({
            id: firstId + index,
            receivedAt: item.receivedAt,
            clientId: message.clientId,
            topic: message.topic,
            payload: message.payload,
            decoded: verdict.decoded,
          });
          this.#tailPayloadBytes += message.payload.length;
        }
      } else {
        this.#events.emit("ingest.dead-letter", { topic: message.topic, reason: verdict.reason });
      }
    }
    if (
      this.#tail.length > IngestJournal.TAIL_MAX_ROWS ||
      this.#tailPayloadBytes > IngestJournal.TAIL_MAX_PAYLOAD_BYTES
    ) {
      // The processor is far behind (a store outage): the backlog stays on disk, not in memory.
      this.#dropTail();
    }
    for (const item of batch) item.done(null);
    this.#onAppended();
  }

  insertDeadLetter(
    journalId: number | null,
    receivedAt: number,
    message: IncomingMessage,
    reason: string,
  ): void {
    this.#insertDeadLetter.run(
      journalId,
      receivedAt,
      message.clientId,
      message.topic,
      message.payload,
      reason,
    );
  }

  /** Up to `limit` pending rows with ids above `afterId`, in id order. */
  pendingRows(afterId: number, limit: number): PendingRow[] {
    if (!this.#tailComplete) {
      const rows = this.#selectPending.all(afterId, limit) as PendingRow[];
      // Nothing pending at all: from now on every pending row passes through flush().
      if (rows.length === 0 && this.#counts.pending === 0) this.#tailComplete = true;
      return rows;
    }
    const tail = this.#tail;
    let from = 0;
    while (from < tail.length && (tail[from] as PendingRow).id <= afterId) from += 1;
    return tail.slice(from, from + limit);
  }

  counts(): { pending: number; stored: number; dead: number } {
    return { ...this.#counts };
  }

  /**
   * The processor committed a batch: `stored` and `dead` rows are no longer pending, and none with
   * an id up to `lastId` is.
   */
  processed(stored: number, dead: number, lastId: number): void {
    this.#counts.pending -= stored + dead;
    this.#counts.stored += stored;
    this.#counts.dead += dead;
    const tail = this.#tail;
    let done = 0;
    while (done < tail.length && (tail[done] as PendingRow).id <= lastId) {
      this.#tailPayloadBytes -= (tail[done] as PendingRow).payload.length;
      done += 1;
    }
    if (done > 0) this.#tail = tail.slice(done);
  }

  #dropTail(): void {
    this.#tail = [];
    this.#tailPayloadBytes = 0;
    this.#tailComplete = false;
  }

  /** Processed rows were deleted (retention). */
  pruned(stored: number, dead: number): void {
    this.#counts.stored -= stored;
    this.#counts.dead -= dead;
  }

  /** Refuses new messages and commits whatever is waiting for its acknowledgement. */
  close(): void {
    this.flush();
    this.#closed = true;
  }
}
