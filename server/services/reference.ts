import { asc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/database.ts";
import { categories, itemTypes, meta, sites } from "../db/schema.ts";
import { NotFoundError } from "../errors.ts";
import type { SiteScope } from "./site-scope.ts";

export type SiteRow = typeof sites.$inferSelect;
export type ItemTypeRow = typeof itemTypes.$inferSelect;

/** Sites and the catalogue: reference data read by every other area. */
export class ReferenceService {
  // Built once: building a Drizzle query costs far more than running it on these small tables, and
  // stock and alerts read them on every request and evaluation.
  readonly #sites;
  readonly #sitesIn;
  readonly #site;
  readonly #itemTypes;

  constructor(private readonly db: Db) {
    this.#sites = db.select().from(sites).orderBy(asc(sites.code)).prepare();
    this.#sitesIn = db
      .select()
      .from(sites)
      .where(sql`${sites.code} IN (SELECT value FROM json_each(${sql.placeholder("codes")}))`)
      .orderBy(asc(sites.code))
      .prepare();
    this.#site = db
      .select()
      .from(sites)
      .where(eq(sites.code, sql.placeholder("code")))
      .prepare();
    this.#itemTypes = db
      .select()
      .from(itemTypes)
      .orderBy(asc(itemTypes.categoryCode), asc(itemTypes.code))
      .prepare();
  }

  /** The demo notice when the database holds the generated demo network, else null. */
  demoNotice(): string | null {
    return this.db.select().from(meta).where(eq(meta.key, "demo")).get()?.value ?? null;
  }

  /** Every site, for region-wide computations (readiness, coverage, dispatch, destinations). */
  listSites(): SiteRow[] {
    return this.#sites.all();
  }

  /** The sites of a scope, in code order (what a request may list). */
  sitesIn(scope: SiteScope): SiteRow[] {
    return scope === null ? this.#sites.all() : this.#sitesIn.all({ codes: JSON.stringify(scope) });
  }

  getSite(code: string): SiteRow {
    const site = this.#site.get({ code });
    if (!site) throw new NotFoundError(`site "${code}" does not exist`);
    return site;
  }

  listItemTypes(): ItemTypeRow[] {
    return this.#itemTypes.all();
  }

  catalogue() {
    const types = this.listItemTypes();
    return this.db
      .select()
      .from(categories)
      .orderBy(asc(categories.sortOrder), asc(categories.code))
      .all()
      .map((category) => ({ ...category, itemTypes: types.filter((t) => t.categoryCode === category.code) }));
  }
}
