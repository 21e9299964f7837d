import { type Column, type SQL, sql } from "drizzle-orm";

/**
 * The sites a request may read: null for every site (admin, commander, viewer), else a list of site
 * codes (a keeper's). It goes into the WHERE clause of every list and aggregate, so a keeper's
 * LIMIT, pages, totals and counts are made of their rows only: what they may not see is never read.
 */
export type SiteScope = readonly string[] | null;

/** The scope narrowed to one named site; a site outside the scope leaves nothing. */
export function narrowScope(scope: SiteScope, siteCode: string | null | undefined): SiteScope {
  if (siteCode == null) return scope;
  return scope === null || scope.includes(siteCode) ? [siteCode] : [];
}

export function inScope(scope: SiteScope, siteCode: string | null | undefined): boolean {
  return scope === null || (siteCode != null && scope.includes(siteCode));
}

/**
 * The scope as an SQL condition on a site column, with its one parameter (the codes as a JSON
 * array: one placeholder whatever the number of sites). Null when the scope is every site. A NULL
 * site never matches a list, so rows of no site are not a keeper's.
 */
export function scopeCondition(column: string, scope: SiteScope): { sql: string; arg: string } | null {
  if (scope === null) return null;
  return { sql: `${column} IN (SELECT value FROM json_each(?))`, arg: JSON.stringify(scope) };
}

/** The scope as a drizzle condition on a site column; undefined when the scope is every site. */
export function scopeFilter(column: Column, scope: SiteScope): SQL | undefined {
  return scope === null
    ? undefined
    : sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(scope)}))`;
}

/** WHERE clause and arguments from conditions, with the scope's condition among them. */
export function whereWith(
  scope: SiteScope,
  column: string,
  conditions: Array<{ sql: string; args?: unknown[] }> = [],
): { where: string; args: unknown[] } {
  const all: Array<{ sql: string; args: unknown[] }> = [];
  const scoped = scopeCondition(column, scope);
  if (scoped) all.push({ sql: scoped.sql, args: [scoped.arg] });
  for (const c of conditions) all.push({ sql: c.sql, args: c.args ?? [] });
  return {
    where: all.length ? `WHERE ${all.map((c) => c.sql).join(" AND ")}` : "",
    args: all.flatMap((c) => c.args),
  };
}
