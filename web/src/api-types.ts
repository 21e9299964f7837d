/** Shapes returned by the HTTP API (same origin). Keep in sync with server/routes. */

export type Tier = "central" | "branch" | "county" | "station" | "agreement" | "external";

export type ItemStatus = "ok" | "low" | "critical" | "over";

export type SiteStatus = ItemStatus | "none";

export interface Site {
  code: string;
  name: string;
  nameZh: string | null;
  tier: Tier;
  lat: number;
  lon: number;
  parentCode: string | null;
  city: string | null;
  demo: boolean;
}

export interface StockItem {
  itemTypeCode: string;
  itemTypeName: string;
  unit: string;
  sensedQty: number | null;
  bookQty: number;
  onHandQty: number;
  basis: "sensed" | "reconciled" | "book";
  requiredQty: number;
  minQty: number;
  status: ItemStatus;
}

export interface SiteStock {
  siteCode: string;
  status: SiteStatus;
  counts: Record<ItemStatus, number>;
  items: StockItem[];
}

export interface TileLayerConfig {
  url: string;
  attribution: string;
}

export interface MapConfig {
  tileLayer: TileLayerConfig | null;
  demo: boolean;
  /** What the demo data is, shown as the badge's tooltip. */
  demoNotice: string | null;
}

/** Error body sent by the server with a 4xx/5xx status. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
}
