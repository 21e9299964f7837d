import { InfluxDB, type IPoint, type IPoolOptions, escape as influxEscape, ResultError } from "influx";
import type { Logger } from "pino";
import { type InfluxRetention, retentionChanges } from "./influx-retention.ts";
import type { KeyedReading, ReadingQuery, StoredPoint, TimeSeriesStore } from "./store.ts";

export interface InfluxOptions {
  url: string;
  database: string;
  username: string | undefined;
  password: string | undefined;
  /** Lines per write request. */
  batchSize?: number;
  /** Socket inactivity limit of one HTTP request, after which it fails (default 10 s). */
  requestTimeoutMs?: number;
  /** Retention of raw points and hourly aggregates, set up on the server before the first write. */
  retention?: InfluxRetention;
  log: Logger;
}

/** InfluxDB stores nanoseconds in an int64: later than 2262-04-11 (or before 1677) cannot be written. */
const MAX_TIME_MS = 9_223_372_036_853;
const MIN_TIME_MS = -MAX_TIME_MS;
const NS_PER_MS = 1_000_000n;

/**
 * The `influx` pool takes a host out of rotation after a network error for an exponential back-off
 * (300 ms up to 10 s) and meanwhile fails every request with "No host available" without trying.
 * The ingest processor has its own retry, so a write must always really go to the server: no
 * back-off here, and no retries inside the client either.
 */
type Backoff = NonNullable<IPoolOptions["backoff"]>;
const NO_BACKOFF: Backoff = { getDelay: () => 0, next: () => NO_BACKOFF, reset: () => NO_BACKOFF };

/**
 * Readings in InfluxDB through its 1.x HTTP API (/write and /query with InfluxQL); InfluxDB 2.x and
 * 3.x serve the same API through their v1-compatibility endpoints.
 *
 * Schema: one InfluxDB measurement per reading measurement (weight, temp, hum, online, …), tagged
 * with site, device, kind and unit (omitted when the reading has none), and a single float field
 * `value`. Tags are indexed and all of low cardinality (a depot network has hundreds of devices, a
 * handful of kinds and units), so a device's series is found through the index, while the values
 * stay out of it; the reading's identity is deliberately not a tag (one series per journal row).
 *
 * Unique key. A point's identity is its series plus its timestamp: a second point with both the
 * same overwrites the first. So points are written in nanoseconds, the reading's millisecond
 * followed by six digits derived from its identity, journal row id j and position s among its
 * message's readings of the same measurement (see subMillisecondNs):
 *
 *     ns = ms * 10^6 + (j + K * s) mod 10^6,   K = 618033 (about 10^6 / golden ratio, coprime to 10^6)
 *
 * A replay of a journal row computes the same j and s, so it rewrites the same points (idempotent).
 * Two distinct readings of one series in the same millisecond collide iff
 * j - j' ≡ K (s' - s) (mod 10^6), that is:
 * - one message (j = j'): never; s - s' would have to be a multiple of 10^6, and a message holds
 *   far fewer readings of one measurement (a 256 KiB payload, some 26,000 SenML records at most);
 * - the same position (s = s'): only journal rows a multiple of 10^6 apart. A reading stamped at
 *   receipt shares its millisecond only with rows received in that millisecond (the platform appends
 *   some 40,000 rows a second), so only a device that repeats one device time a million or more
 *   messages later can collide;
 * - different positions, d = |s - s'|: K d mod 10^6 lies at least 8,185 from 0 for d < 89 and 1,559
 *   for d < 610, so only rows that far apart (seconds of traffic) can, and then only one pair in
 *   10^6 of those that happen to share series and millisecond.
 * Queries ask for milliseconds (epoch=ms), which InfluxDB truncates: callers see reading times.
 *
 * The client is created without touching the network, so the platform starts while InfluxDB is
 * down; the database is created (CREATE DATABASE is idempotent) before the first write.
 */
export function createInfluxTimeSeries(options: InfluxOptions): TimeSeriesStore {
  const { database, log } = options;
  const batchSize = options.batchSize ?? 5000;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`InfluxDB batch size must be a positive integer, not ${batchSize}`);
  }
  const host = hostOf(options.url);
  const influx = new InfluxDB({
    ...host.config,
    database,
    // Credentials in the settings win over any in the URL (http://user:password@host:8086).
    username: options.username ?? host.username,
    password: options.password ?? host.password,
    pool: { backoff: NO_BACKOFF, maxRetries: 0, requestTimeout: options.requestTimeoutMs ?? 10000 },
  });

  const retention = options.retention ?? { rawDays: 0, hourlyDays: 0 };
  /** Brings the server's policies and continuous query to the configured retention. */
  const provision = async (): Promise<void> => {
    if (retention.rawDays <= 0 && retention.hourlyDays <= 0) return;
    const policies = (await influx.showRetentionPolicies(database)).map((p) => ({
      name: p.name,
      duration: p.duration,
      default: p.default,
    }));
    const queries = (await influx.showContinousQueries(database)).map((q) => ({
      name: q.name,
      query: q.query,
    }));
    for (const statement of retentionChanges(database, retention, { policies, queries })) {
      await influx.queryRaw(statement, { database, method: "POST" });
      log.info({ database, statement }, "InfluxDB retention set");
    }
  };

  let databaseReady: Promise<void> | undefined;
  const ensureDatabase = (): Promise<void> => {
    databaseReady ??= influx.createDatabase(database).then(
      async () => {
        await provision().catch((error: unknown) => {
          databaseReady = undefined;
          throw failure(`InfluxDB retention of database "${database}" could not be set`, error);
        });
        log.debug({ database }, "InfluxDB database ready");
      },
      (error: unknown) => {
        if (serverAnswered(error)) {
          // The server is up but refused, e.g. a user without admin rights or InfluxDB 2.x, where
          // databases are buckets made beforehand. The database may well exist: go on and write.
          log.warn({ err: error, database }, "CREATE DATABASE refused; writing to the database as it is");
          return;
        }
        databaseReady = undefined;
        throw failure(
          `InfluxDB at ${options.url} could not be reached to create database "${database}"`,
          error,
        );
      },
    );
    return databaseReady;
  };

  return {
    name: "influxdb",

    async write(readings: readonly KeyedReading[]) {
      const points: IPoint[] = [];
      let outOfRange = 0;
      for (const reading of readings) {
        const point = toPoint(reading);
        if (point) points.push(point);
        else outOfRange++;
      }
      if (outOfRange > 0) {
        // Retrying could never store these, and throwing would hold back every later reading.
        log.warn({ dropped: outOfRange }, "readings with times InfluxDB cannot hold (after 2262) not stored");
      }
      if (points.length === 0) return;
      await ensureDatabase();
      // In order, one request at a time: a failure rejects and the caller writes all of it again.
      for (let start = 0; start < points.length; start += batchSize) {
        const batch = points.slice(start, start + batchSize);
        try {
          await influx.writePoints(batch, { database, precision: "n" });
        } catch (error) {
          // Dropped (or a fresh server after a data loss): create it again on the next attempt.
          if (/database not found/i.test(messageOf(error))) databaseReady = undefined;
          throw failure(
            `InfluxDB write of points ${start + 1}-${start + batch.length} of ${points.length} failed`,
            error,
          );
        }
      }
    },

    async query(q: ReadingQuery) {
      const limit = Math.max(1, Math.floor(q.limit));
      // One series per measurement; with a regular expression over all of them LIMIT applies to
      // each, so the merged list is cut to the limit below.
      const source = q.measurement === undefined ? "/.*/" : influxEscape.quoted(q.measurement);
      const influxql =
        `SELECT "value", "unit" FROM ${source} WHERE "device" = ${stringLiteral(q.deviceId)}` +
        // Through the last nanosecond of the `to` millisecond: points carry sub-millisecond digits.
        ` AND time >= ${nanoseconds(q.from)} AND time <= ${nanoseconds(q.to, NS_PER_MS - 1n)}` +
        ` ORDER BY time ASC LIMIT ${limit}`;
      let response: RawResponse;
      try {
        response = (await influx.queryRaw(influxql, { database, precision: "ms" })) as RawResponse;
      } catch (error) {
        throw failure("InfluxDB query failed", error);
      }
      const points: StoredPoint[] = [];
      for (const result of response.results ?? []) {
        if (result.error !== undefined) {
          if (/database not found/i.test(result.error)) return [];
          throw new Error(`InfluxDB query failed: ${result.error}`);
        }
        if (result.partial) {
          throw new Error("InfluxDB cut the result short (its [http] max-row-limit): ask for fewer points");
        }
        for (const series of result.series ?? []) {
          const column = (name: string) => series.columns.indexOf(name);
          const [timeAt, valueAt, unitAt] = [column("time"), column("value"), column("unit")];
          for (const row of series.values ?? []) {
            const value = row[valueAt];
            const time = row[timeAt];
            if (typeof value !== "number" || typeof time !== "number") continue;
            const unit = unitAt < 0 ? null : row[unitAt];
            points.push({
              measurement: series.name,
              unit: typeof unit === "string" && unit !== "" ? unit : null,
              value,
              time,
            });
          }
        }
      }
      points.sort((a, b) =>
        a.time !== b.time
          ? a.time - b.time
          : a.measurement < b.measurement
            ? -1
            : a.measurement > b.measurement
              ? 1
              : 0,
      );
      return points.length > limit ? points.slice(0, limit) : points;
    },

    async close() {
      // Plain HTTP requests, nothing held open.
    },
  };
}

interface RawResponse {
  results?: Array<{
    error?: string;
    partial?: boolean;
    series?: Array<{ name: string; columns: string[]; values?: unknown[][] }>;
  }>;
}

/** The multiplier of a reading's position in subMillisecondNs (see the store's comment). */
const POSITION_STRIDE = 618_033;
const NS_SLOTS = 1_000_000;

/** The nanoseconds within its millisecond that tell a reading apart from others of its series. */
export function subMillisecondNs(journalId: number, seq: number): number {
  // Both operands below 10^6, so the sum stays an exact integer in a double.
  return ((journalId % NS_SLOTS) + (((seq % NS_SLOTS) * POSITION_STRIDE) % NS_SLOTS)) % NS_SLOTS;
}

function toPoint(r: KeyedReading): IPoint | undefined {
  const time = Math.round(r.time);
  if (!(time >= MIN_TIME_MS && time <= MAX_TIME_MS)) return undefined;
  const offset = subMillisecondNs(r.journalId, r.seq);
  const tags: Record<string, string> = { device: r.deviceId, kind: r.kind, site: r.siteCode };
  if (r.unit !== undefined && r.unit !== "") tags.unit = r.unit;
  return {
    // writePoints escapes tags and field keys, but writes the measurement name as given.
    measurement: influxEscape.measurement(r.measurement),
    tags,
    // A JavaScript number is written without the "i" suffix: always a float field.
    fields: { value: r.value },
    // A string: the client would drop a falsy timestamp (0) and let the server stamp its own time.
    // Nanoseconds exceed a double's exact range, so they are built as text (BigInt below 0).
    timestamp:
      time >= 0
        ? `${time}${String(offset).padStart(6, "0")}`
        : (BigInt(time) * NS_PER_MS + BigInt(offset)).toString(),
  };
}

function hostOf(url: string): {
  config: { host: string; port: number; protocol: "http" | "https"; path?: string };
  username: string | undefined;
  password: string | undefined;
} {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`INFLUX_URL "${url}" is not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new Error(`INFLUX_URL "${url}" must start with http:// or https://`);
  }
  const protocol = parsed.protocol === "https:" ? "https" : "http";
  const path = parsed.pathname.replace(/\/+$/, "");
  return {
    config: {
      host: parsed.hostname,
      port: parsed.port === "" ? (protocol === "https" ? 443 : 80) : Number(parsed.port),
      protocol,
      ...(path === "" ? {} : { path }),
    },
    username: parsed.username === "" ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === "" ? undefined : decodeURIComponent(parsed.password),
  };
}

/** An InfluxQL string literal. The package's escape.stringLit leaves backslashes alone. */
function stringLiteral(text: string): string {
  return `'${text.replace(/[\\']/g, "\\$&")}'`;
}

/** An InfluxQL time literal: integer nanoseconds, clamped to what InfluxDB can hold. */
function nanoseconds(ms: number, plusNs = 0n): string {
  const clamped = Math.min(MAX_TIME_MS, Math.max(MIN_TIME_MS, Math.trunc(ms)));
  return (BigInt(clamped) * NS_PER_MS + plusNs).toString();
}

/** The server received the request and said no (4xx or a statement error), as opposed to no answer. */
function serverAnswered(error: unknown): boolean {
  return (
    error instanceof ResultError ||
    (typeof error === "object" && error !== null && "res" in error && error.res !== undefined)
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function failure(what: string, error: unknown): Error {
  return new Error(`${what}: ${messageOf(error) || "unknown error"}`, { cause: error });
}
