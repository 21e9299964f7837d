/**
 * Shapes returned by the HTTP API (same origin). Where the server's own type is exactly what the API
 * sends, it is imported (type-only, erased from the bundle) rather than copied; the rest mirror
 * server/routes, where dates become ISO strings.
 */
import type { AuditFindings } from "../../server/domain/audit.ts";
import type {
  DepotLoss,
  CoverageResult as DomainCoverage,
  PointCoverage,
} from "../../server/domain/coverage.ts";
import type { BatchStatus, RotationPlanLine } from "../../server/domain/rotation.ts";
import type { DispatchLineRow } from "../../server/services/dispatch.ts";

export type { AuditFindings, BatchStatus, RotationPlanLine };
export type DispatchLine = DispatchLineRow;

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
  leadTimeHours?: number | null;
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
  reservedQty: number;
  availableQty: number;
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

export interface SiteStatusSummary {
  siteCode: string;
  status: SiteStatus;
  counts: Record<ItemStatus, number>;
}

export interface ItemType {
  code: string;
  categoryCode: string;
  name: string;
  nameZh: string | null;
  unit: string;
  lifecycle: "expiring" | "durable";
  storageMinTempC: number | null;
  storageMaxTempC: number | null;
  storageMaxRhPct: number | null;
  kitQtyPerPerson: number;
}

export interface Category {
  code: string;
  name: string;
  nameZh: string | null;
  sortOrder: number;
  itemTypes: ItemType[];
}

export type AlertKind =
  | "stock-low"
  | "stock-critical"
  | "rotation-due"
  | "rotation-overdue"
  | "stock-expired"
  | "env-excursion"
  | "audit-discrepancy"
  | "device-offline"
  | "unknown-tags";

export interface Alert {
  id: number;
  kind: AlertKind;
  severity: "info" | "warning" | "critical";
  siteCode: string;
  subject: string;
  message: string;
  firstSeenAt: string;
  lastSeenAt: string;
  clearedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

export interface Batch {
  batchId: number;
  siteCode: string;
  itemTypeCode: string;
  itemTypeName: string;
  lotCode: string;
  quantity: number;
  productionDate: string;
  receivedAt: string;
  expiryDate: string | null;
  rotationDeadline: string | null;
  endOfLife: string | null;
  daysToExpiry: number | null;
  nextInspection: string | null;
  nextMaintenance: string | null;
  status: BatchStatus;
  qualityCheckPending: boolean;
}

export interface RotationPlan {
  today: string;
  lines: RotationPlanLine[];
  procurement: Array<{ siteCode: string; itemTypeCode: string; quantity: number; reason: string }>;
}

export interface Audit {
  id: number;
  siteCode: string;
  state: "open" | "closed" | "approved";
  startedAt: string;
  endsAt: string;
  closedAt: string | null;
  startedBy: string;
  approvedBy: string | null;
  approvedAt: string | null;
  note: string | null;
}

export interface Device {
  id: string;
  siteCode: string;
  kind: "rfid" | "shelf" | "env";
  name: string;
  model: string | null;
  enabled: boolean;
  lastSeenAt: string | null;
  online: boolean | null;
  itemType?: string;
}

export interface ReadingPoint {
  time: string;
  measurement: string;
  value: number;
  unit: string | null;
}

export interface Readings {
  device: string;
  siteCode: string;
  from: string;
  to: string;
  store: string;
  points: ReadingPoint[];
}

export type OrderState = "planned" | "approved" | "dispatched" | "delivered" | "closed" | "cancelled";

export interface DispatchOrder {
  id: number;
  incidentId: number;
  incidentName: string;
  incidentType: string;
  lat: number;
  lon: number;
  personnel: number;
  destinationSiteCode: string | null;
  state: OrderState;
  emergencyOverride: boolean;
  costModel: "distance" | "eta";
  totalCost: number;
  greedyCost: number;
  gainOverGreedy: number;
  arrivalHours: number | null;
  meetsTargetHours: boolean;
  meetsCrossRegionTarget: boolean;
  shortfall: Array<{ itemTypeCode: string; missing: number }>;
  createdAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  dispatchedAt: string | null;
  deliveredAt: string | null;
  closedAt: string | null;
  closedBy: string | null;
  lines: DispatchLine[];
}

export interface DispatchOrderSummary {
  id: number;
  state: OrderState;
  totalCost: number;
  greedyCost: number;
  arrivalHours: number | null;
  incidentId: number;
  incidentName: string;
  incidentType: string;
  lat: number;
  lon: number;
  personnel: number;
  createdAt: number;
}

export interface IncidentRequest {
  name: string;
  type: string;
  lat: number;
  lon: number;
  personnel: number;
  items?: Record<string, number>;
  destinationSiteCode?: string | null;
  emergencyOverride?: boolean;
  costModel?: "distance" | "eta";
}

export interface CoverageResult {
  params: {
    radiusKm: number;
    hours: number;
    speedKmh: number;
    circuity: number;
    reachKm: number;
    threshold: "min" | "any";
    itemType: string | null;
  };
  depots: Array<{ code: string; tier: Tier; lat: number; lon: number; holdsAll: boolean }>;
  points: PointCoverage[];
  weightShareAll: number;
  perItemType: DomainCoverage["perItemType"];
  area: {
    areaKm2: number;
    coveredKm2: number;
    coveredShare: number;
    uncovered: GeoJSON.Feature<GeoJSON.MultiPolygon> | null;
    circles: GeoJSON.FeatureCollection<GeoJSON.Polygon>;
    depotsCounted: string[];
  } | null;
  resilience: DepotLoss[];
}

export interface SitingResult {
  params: { k: number; reachKm: number };
  existingDepots: string[];
  chosen: Array<{ id: string; lat: number; lon: number }>;
  weightNewlyCovered: number;
  weightCoveredBefore: number;
  weightCoveredAfter: number;
  totalWeight: number;
  solver: { status: string; objective: number; seconds: number };
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
  /** The deployment's TIME_ZONE: the console's days and clock times are on it. */
  timeZone: string;
}

/** Error body sent by the server with a 4xx/5xx status. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
}
