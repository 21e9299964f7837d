import fs from "node:fs/promises";
import type { Feature, MultiPolygon, Polygon } from "geojson";

export type RegionOutline = Feature<Polygon | MultiPolygon>;

/** The region outline from REGION_GEOJSON, or null when none is configured. Read where it is needed. */
export async function readRegionOutline(file: string | undefined): Promise<RegionOutline | null> {
  if (!file) return null;
  return JSON.parse(await fs.readFile(file, "utf8")) as RegionOutline;
}
