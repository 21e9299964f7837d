/**
 * Retention and downsampling of the readings in InfluxDB 1.x, kept in one place: the statements an
 * operator would type (README prints exactly these), and the check that brings a server to them.
 *
 * Raw points are kept `rawDays` in the policy "raw", made the database's default so the platform's
 * writes and reads use it; hourly aggregates (mean, min, max, count) go to the policy "hourly" for
 * `hourlyDays` through the continuous query "hourly". Days of 0 leave that part alone.
 */

export interface InfluxRetention {
  /** Days raw points are kept; 0: the database's own default policy (autogen, forever). */
  rawDays: number;
  /** Days hourly aggregates are kept; 0: no downsampling. */
  hourlyDays: number;
}

export const RAW_POLICY = "raw";
export const HOURLY_POLICY = "hourly";
export const HOURLY_QUERY = "hourly";

const quoted = (name: string) => `"${name.replace(/["\\]/g, "\\$&")}"`;

/** Shard groups of about a day for raw points and a week for the aggregates, as InfluxDB advises for such durations. */
function rawPolicy(database: string, days: number, verb: "CREATE" | "ALTER"): string {
  return `${verb} RETENTION POLICY ${quoted(RAW_POLICY)} ON ${quoted(database)} DURATION ${days}d REPLICATION 1 SHARD DURATION 1d DEFAULT`;
}

function hourlyPolicy(database: string, days: number, verb: "CREATE" | "ALTER"): string {
  return `${verb} RETENTION POLICY ${quoted(HOURLY_POLICY)} ON ${quoted(database)} DURATION ${days}d REPLICATION 1 SHARD DURATION 7d`;
}

/** The aggregation's body; `GROUP BY time(1h), *` keeps every tag, so a device's hourly series stays its own. */
function hourlySelect(database: string, rawDays: number): string {
  // Without a raw policy the points are in the database's default one: `db../regex/`.
  const source = `${quoted(database)}.${rawDays > 0 ? quoted(RAW_POLICY) : ""}./.*/`;
  return (
    `SELECT mean("value") AS "mean", min("value") AS "min", max("value") AS "max", count("value") AS "n" ` +
    `INTO ${quoted(database)}.${quoted(HOURLY_POLICY)}.:MEASUREMENT FROM ${source} GROUP BY time(1h), *`
  );
}

function hourlyQuery(database: string, rawDays: number): string {
  return `CREATE CONTINUOUS QUERY ${quoted(HOURLY_QUERY)} ON ${quoted(database)} BEGIN ${hourlySelect(database, rawDays)} END`;
}

/** The statements that set a fresh server up, in order (the database first: policies need it). */
export function retentionStatements(database: string, retention: InfluxRetention): string[] {
  const statements = [`CREATE DATABASE ${quoted(database)}`];
  if (retention.rawDays > 0) statements.push(rawPolicy(database, retention.rawDays, "CREATE"));
  if (retention.hourlyDays > 0) {
    statements.push(hourlyPolicy(database, retention.hourlyDays, "CREATE"));
    statements.push(hourlyQuery(database, retention.rawDays));
  }
  return statements;
}

export interface ExistingPolicy {
  name: string;
  /** As SHOW RETENTION POLICIES gives it, e.g. "2160h0m0s". */
  duration: string;
  default: boolean;
}

export interface ExistingQuery {
  name: string;
  query: string;
}

/** Hours of an InfluxDB duration such as "2160h0m0s" (what SHOW RETENTION POLICIES answers). */
function hoursOf(duration: string): number | null {
  const match = /^(\d+)h(\d+)m(\d+)s$/.exec(duration);
  return match ? Number(match[1]) + Number(match[2]) / 60 + Number(match[3]) / 3600 : null;
}

/**
 * What to run on a server that already has the database, given what it holds, so that it matches
 * `retention`: policies created or altered to the configured duration, the continuous query
 * created, or dropped and created again when its text differs. Nothing when it already matches,
 * so a restart changes nothing. A policy or query no longer configured is left as it is: dropping
 * a policy drops its data, which only an operator may decide.
 */
export function retentionChanges(
  database: string,
  retention: InfluxRetention,
  existing: { policies: readonly ExistingPolicy[]; queries: readonly ExistingQuery[] },
): string[] {
  const changes: string[] = [];
  const policy = (name: string) => existing.policies.find((p) => p.name === name);
  const raw = policy(RAW_POLICY);
  if (retention.rawDays > 0) {
    if (!raw) changes.push(rawPolicy(database, retention.rawDays, "CREATE"));
    else if (hoursOf(raw.duration) !== retention.rawDays * 24 || !raw.default)
      changes.push(rawPolicy(database, retention.rawDays, "ALTER"));
  }
  if (retention.hourlyDays > 0) {
    const hourly = policy(HOURLY_POLICY);
    if (!hourly) changes.push(hourlyPolicy(database, retention.hourlyDays, "CREATE"));
    else if (hoursOf(hourly.duration) !== retention.hourlyDays * 24)
      changes.push(hourlyPolicy(database, retention.hourlyDays, "ALTER"));
    const wanted = hourlyQuery(database, retention.rawDays);
    const query = existing.queries.find((q) => q.name === HOURLY_QUERY);
    // InfluxDB gives the query back as it was created, so a text comparison tells a change.
    if (query && normalise(query.query) !== normalise(wanted)) {
      changes.push(`DROP CONTINUOUS QUERY ${quoted(HOURLY_QUERY)} ON ${quoted(database)}`);
      changes.push(wanted);
    } else if (!query) changes.push(wanted);
  }
  return changes;
}

/** InfluxDB answers a query re-printed from its parse, quoting only where a name needs it. */
const normalise = (query: string) => query.replace(/"/g, "").replace(/\s+/g, " ").trim().toLowerCase();
