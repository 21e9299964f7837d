import type { Reading } from "../ingest/decoders/index.ts";

export interface ReadingQuery {
  deviceId: string;
  /** UNIX milliseconds, inclusive. */
  from: number;
  /** UNIX milliseconds, inclusive. */
  to: number;
  measurement?: string | undefined;
  limit: number;
}

export interface StoredPoint {
  measurement: string;
  unit: string | null;
  value: number;
  time: number;
}

/** A reading with its identity: which journal row it came from and its place in that message. */
export type KeyedReading = Reading & { journalId: number; seq: number };

/**
 * Where readings go. A point is keyed by device, measurement, time AND the reading's identity
 * (journal row id, position in the message), so two readings of one device and measurement at the
 * same millisecond are both kept, while a replay of a journal row (after a crash or an outage)
 * rewrites the same points instead of adding copies: writes are idempotent per reading.
 */
export interface TimeSeriesStore {
  readonly name: string;
  write(readings: readonly KeyedReading[]): Promise<void>;
  query(query: ReadingQuery): Promise<StoredPoint[]>;
  close(): Promise<void>;
}
