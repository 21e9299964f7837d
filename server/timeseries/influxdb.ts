import type { Logger } from "pino";
import type { TimeSeriesStore } from "./store.ts";

export interface InfluxOptions {
  url: string;
  database: string;
  username: string | undefined;
  password: string | undefined;
  /** Lines per write request. */
  batchSize?: number;
  log: Logger;
}

/** Placeholder: being written (InfluxDB 1.x HTTP API through the `influx` package). */
export function createInfluxTimeSeries(_options: InfluxOptions): TimeSeriesStore {
  throw new Error("InfluxDB store not implemented yet");
}
