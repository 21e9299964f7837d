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

/**
 * Where readings go. Writes must be idempotent (the same device, measurement and time overwrite),
 * because the ingest processor replays unconfirmed journal rows after a crash or an outage.
 */
export interface TimeSeriesStore {
  readonly name: string;
  write(readings: readonly Reading[]): Promise<void>;
  query(query: ReadingQuery): Promise<StoredPoint[]>;
  close(): Promise<void>;
}
