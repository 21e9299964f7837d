import { asc, eq } from "drizzle-orm";
import type { Db } from "../db/database.ts";
import { categories, itemTypes, meta, sites } from "../db/schema.ts";
import { NotFoundError } from "../errors.ts";

export type SiteRow = typeof sites.$inferSelect;
export type ItemTypeRow = typeof itemTypes.$inferSelect;

/** Sites and the catalogue: reference data read by every other area. */
export class ReferenceService {
  constructor(private readonly db: Db) {}

  /** The demo notice when the database holds the generated demo network, else null. */
  demoNotice(): string | null {
    return this.db.select().from(meta).where(eq(meta.key, "demo")).get()?.value ?? null;
  }

  listSites(): SiteRow[] {
    return this.db.select().from(sites).orderBy(asc(sites.code)).all();
  }

  getSite(code: string): SiteRow {
    const site = this.db.select().from(sites).where(eq(sites.code, code)).get();
    if (!site) throw new NotFoundError(`site "${code}" does not exist`);
    return site;
  }

  listItemTypes(): ItemTypeRow[] {
    return this.db.select().from(itemTypes).orderBy(asc(itemTypes.categoryCode), asc(itemTypes.code)).all();
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
