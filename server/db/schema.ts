import { sql } from "drizzle-orm";
import {
  blob,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

/**
 * The relational store: reference data, stock ledger, devices, users and the ingest journal.
 * Time-series readings live behind server/timeseries (their own SQLite file or InfluxDB).
 * Times are UNIX milliseconds (integer) unless the column is a calendar date (text YYYY-MM-DD).
 */

export const SITE_TIERS = ["central", "branch", "county", "station", "agreement", "external"] as const;
export type SiteTier = (typeof SITE_TIERS)[number];
/** Tiers whose stock the police hold themselves; agreement and external stock come by request. */
export const OWN_TIERS: readonly SiteTier[] = ["central", "branch", "county", "station"];
/** Own tiers that hold stock for others and dispatch it; station rooms are end points. */
export const DEPOT_TIERS: readonly SiteTier[] = ["central", "branch", "county"];

export const DEVICE_KINDS = ["rfid", "shelf", "env"] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const LEDGER_KINDS = ["receipt", "issue", "transfer", "adjustment", "rotation", "dispatch"] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export const USER_ROLES = ["admin", "commander", "keeper", "viewer"] as const;
export type UserRole = (typeof USER_ROLES)[number];

const createdAt = () =>
  integer("created_at").notNull().default(sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`);

/** A required reference to a site or item type: most tables are "at a site, of an item type". */
const siteRef = () =>
  text("site_code")
    .notNull()
    .references(() => sites.code);
const itemTypeRef = () =>
  text("item_type_code")
    .notNull()
    .references(() => itemTypes.code);

export const sites = sqliteTable(
  "sites",
  {
    code: text("code").primaryKey(),
    name: text("name").notNull(),
    nameZh: text("name_zh"),
    tier: text("tier", { enum: SITE_TIERS }).notNull(),
    parentCode: text("parent_code"),
    city: text("city"),
    lat: real("lat").notNull(),
    lon: real("lon").notNull(),
    /** Hours from order to departure, for agreement reserves and external depots. */
    leadTimeHours: real("lead_time_hours"),
    /** Categories an agreement reserve or external depot supplies (comma-separated codes). */
    suppliesCategories: text("supplies_categories"),
    demo: integer("demo", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [index("sites_tier_idx").on(t.tier), index("sites_parent_idx").on(t.parentCode)],
);

export const categories = sqliteTable("categories", {
  code: text("code").primaryKey(),
  name: text("name").notNull(),
  nameZh: text("name_zh"),
  sortOrder: integer("sort_order").notNull().default(0),
});

export const itemTypes = sqliteTable(
  "item_types",
  {
    code: text("code").primaryKey(),
    categoryCode: text("category_code")
      .notNull()
      .references(() => categories.code),
    name: text("name").notNull(),
    nameZh: text("name_zh"),
    unit: text("unit").notNull(),
    unitWeightKg: real("unit_weight_kg").notNull(),
    /** "expiring" stock has a shelf life; "durable" equipment has a service life. */
    lifecycle: text("lifecycle", { enum: ["expiring", "durable"] }).notNull(),
    shelfLifeDays: integer("shelf_life_days"),
    serviceLifeDays: integer("service_life_days"),
    inspectionIntervalDays: integer("inspection_interval_days"),
    maintenanceIntervalDays: integer("maintenance_interval_days"),
    /** On hand above required x this is "over"; null means the platform default (1.5). */
    overFactor: real("over_factor"),
    storageMinTempC: real("storage_min_temp_c"),
    storageMaxTempC: real("storage_max_temp_c"),
    storageMaxRhPct: real("storage_max_rh_pct"),
    /**
     * Outside the storage conditions for this many consecutive readings, or for this many seconds,
     * is an excursion; null means the platform defaults (EXCURSION_MIN_READINGS, _DURATION_S).
     */
    excursionMinReadings: integer("excursion_min_readings"),
    excursionMinDurationS: integer("excursion_min_duration_s"),
    /** Rotation trigger: remaining life at or below this share (0..1) ... */
    rotationTriggerShare: real("rotation_trigger_share"),
    /** ... or at or below this many days. */
    rotationTriggerDays: integer("rotation_trigger_days"),
    rotationCycleDays: integer("rotation_cycle_days"),
    /** Share (0..1) of the stock rotated per cycle. */
    rotationProportion: real("rotation_proportion"),
    /**
     * Quantity of this type one person of a mobilisation needs (fractions are shares: 0.25 tent).
     * Kept on the item type rather than per tier: a person needs the same kit whichever depot supplies it.
     */
    kitQtyPerPerson: real("kit_qty_per_person").notNull().default(0),
    /** Units one RFID tag stands for (a tagged case of 12 bottles = 1 case unit). */
    unitsPerTag: integer("units_per_tag").notNull().default(1),
  },
  (t) => [index("item_types_category_idx").on(t.categoryCode)],
);

/** Allocation standard (配备标准): what each tier must hold of each item type. */
export const standards = sqliteTable(
  "standards",
  {
    tier: text("tier", { enum: SITE_TIERS }).notNull(),
    itemTypeCode: itemTypeRef(),
    requiredQty: integer("required_qty").notNull(),
    minQty: integer("min_qty").notNull(),
    /**
     * Units a site of this tier uses up per rotation cycle in daily use (training, patrols): where
     * near-expiry stock is best sent, because it will be used before it expires.
     */
    dailyUsePerCycle: integer("daily_use_per_cycle").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tier, t.itemTypeCode] })],
);

export const batches = sqliteTable(
  "batches",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    siteCode: siteRef(),
    itemTypeCode: itemTypeRef(),
    lotCode: text("lot_code").notNull(),
    productionDate: text("production_date").notNull(),
    /** Null for durable equipment, whose end is the service life. */
    expiryDate: text("expiry_date"),
    receivedQty: integer("received_qty").notNull(),
    receivedAt: integer("received_at").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("batches_site_item_idx").on(t.siteCode, t.itemTypeCode),
    index("batches_expiry_idx").on(t.expiryDate),
  ],
);

export const tags = sqliteTable(
  "tags",
  {
    /** EPC (or raw TID) in upper-case hex. */
    epc: text("epc").primaryKey(),
    itemTypeCode: itemTypeRef(),
    batchId: integer("batch_id").references(() => batches.id),
    siteCode: text("site_code").references(() => sites.code),
    units: integer("units").notNull().default(1),
    registeredAt: createdAt(),
  },
  (t) => [index("tags_site_idx").on(t.siteCode)],
);

export const devices = sqliteTable(
  "devices",
  {
    id: text("id").primaryKey(),
    siteCode: siteRef(),
    kind: text("kind", { enum: DEVICE_KINDS }).notNull(),
    name: text("name").notNull(),
    model: text("model"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** scrypt hash of the device secret; the secret itself is never stored. */
    secretHash: text("secret_hash"),
    lastSeenAt: integer("last_seen_at"),
    /** From the device's status topic (heartbeat or last will); null until it has said anything. */
    online: integer("online", { mode: "boolean" }),
    statusAt: integer("status_at"),
    createdAt: createdAt(),
  },
  (t) => [index("devices_site_idx").on(t.siteCode)],
);

export const ANTENNA_ROLES = ["storage", "portal-outside", "portal-inside"] as const;
export type AntennaRole = (typeof ANTENNA_ROLES)[number];

/**
 * What each antenna of an RFID reader watches: a storage zone, or one side of a portal (dock door).
 * A tag read outside then inside is coming in; inside then outside, going out.
 */
export const readerAntennas = sqliteTable(
  "reader_antennas",
  {
    deviceId: text("device_id")
      .notNull()
      .references(() => devices.id, { onDelete: "cascade" }),
    antenna: integer("antenna").notNull(),
    role: text("role", { enum: ANTENNA_ROLES }).notNull(),
    /** Storage zone name, or the portal's name for portal antennas. */
    zone: text("zone").notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.antenna] })],
);

/**
 * GS1 tags registered by range: every SGTIN-96 with this GTIN and a serial in [serialFrom, serialTo]
 * is one tag of this item type (and batch). Explicit EPCs (non-GS1 tags) go in `tags`.
 */
export const tagRanges = sqliteTable(
  "tag_ranges",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    gtin14: text("gtin14").notNull(),
    /** Digits of the GS1 company prefix inside the GTIN, when known: needed to encode the EPCs. */
    companyPrefixDigits: integer("company_prefix_digits"),
    serialFrom: integer("serial_from").notNull(),
    serialTo: integer("serial_to").notNull(),
    itemTypeCode: itemTypeRef(),
    batchId: integer("batch_id").references(() => batches.id),
    /** The site the tagged stock belongs to. */
    siteCode: text("site_code").references(() => sites.code),
    units: integer("units").notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [index("tag_ranges_gtin_idx").on(t.gtin14, t.serialFrom)],
);

/** Projection: where each identified tag is now, from the presence rules. */
export const tagPresence = sqliteTable(
  "tag_presence",
  {
    epc: text("epc").primaryKey(),
    siteCode: siteRef(),
    zone: text("zone"),
    itemTypeCode: itemTypeRef(),
    batchId: integer("batch_id"),
    units: integer("units").notNull(),
    /** The site the registry says the tagged stock belongs to (null when registered without one). */
    homeSiteCode: text("home_site_code"),
    present: integer("present", { mode: "boolean" }).notNull(),
    /** Set while a tag that went out through a portal has not been seen anywhere since. */
    inTransitFrom: text("in_transit_from"),
    firstSeenAt: integer("first_seen_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    lastDeviceId: text("last_device_id"),
  },
  (t) => [
    index("tag_presence_site_idx").on(t.siteCode, t.itemTypeCode, t.present),
    index("tag_presence_home_idx").on(t.homeSiteCode, t.itemTypeCode),
  ],
);

/** Tags read but not in the registry: kept and listed, never dropped. */
export const unknownTags = sqliteTable(
  "unknown_tags",
  {
    epc: text("epc").notNull(),
    siteCode: text("site_code").notNull(),
    deviceId: text("device_id").notNull(),
    /** Why it is unknown: an SGTIN with no matching range, or an EPC that is not an SGTIN. */
    reason: text("reason").notNull(),
    firstSeenAt: integer("first_seen_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    readCount: integer("read_count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.epc, t.siteCode] })],
);

/** A sudden drop (or rise) on a weight shelf: units taken off or put on. */
export const shelfMovements = sqliteTable(
  "shelf_movements",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deviceId: text("device_id").notNull(),
    siteCode: siteRef(),
    itemTypeCode: itemTypeRef(),
    fromUnits: integer("from_units").notNull(),
    toUnits: integer("to_units").notNull(),
    occurredAt: integer("occurred_at").notNull(),
    journalId: integer("journal_id").notNull(),
  },
  (t) => [
    index("shelf_movements_site_idx").on(t.siteCode, t.occurredAt),
    uniqueIndex("shelf_movements_journal_idx").on(t.journalId, t.deviceId),
  ],
);

/**
 * A time a storeroom's temperature or humidity was outside an item type's storage conditions:
 * start, end (null while it lasts), peak, and the batches of that type stored there.
 */
export const envExcursions = sqliteTable(
  "env_excursions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    siteCode: siteRef(),
    deviceId: text("device_id").notNull(),
    itemTypeCode: itemTypeRef(),
    measurement: text("measurement", { enum: ["temp", "hum"] }).notNull(),
    /** Which limit was crossed: above the maximum or below the minimum. */
    bound: text("bound", { enum: ["max", "min"] }).notNull(),
    limitValue: real("limit_value").notNull(),
    peakValue: real("peak_value").notNull(),
    startedAt: integer("started_at").notNull(),
    endedAt: integer("ended_at"),
    /** JSON array of batch ids of this item type at the site when the excursion began. */
    batchIds: text("batch_ids").notNull(),
    /**
     * JSON {readings: [{time, value}], peak: {time, value}}: the breaching readings that made it
     * an excursion, and its peak. Null for excursions recorded before evidence was kept.
     */
    evidence: text("evidence"),
  },
  (t) => [
    index("env_excursions_site_idx").on(t.siteCode, t.startedAt),
    index("env_excursions_open_idx").on(t.deviceId, t.endedAt),
  ],
);

/**
 * A storage limit broken by a device's latest readings, not yet for long enough to be an
 * excursion (domain/excursion.ts). Cleared by a reading back inside, or becomes an excursion.
 */
export const envPendingBreaches = sqliteTable(
  "env_pending_breaches",
  {
    deviceId: text("device_id").notNull(),
    measurement: text("measurement", { enum: ["temp", "hum"] }).notNull(),
    itemTypeCode: itemTypeRef(),
    bound: text("bound", { enum: ["max", "min"] }).notNull(),
    limitValue: real("limit_value").notNull(),
    startedAt: integer("started_at").notNull(),
    /** Consecutive breaching readings so far. */
    readings: integer("readings").notNull(),
    /** JSON {readings: [{time, value}], peak: {time, value}}. */
    evidence: text("evidence").notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.measurement, t.itemTypeCode, t.bound] })],
);

/**
 * Per environment sensor and measurement, the time of the newest reading judged for excursions:
 * an older one arriving later (it waited in a broker) opens and closes nothing.
 */
export const envEvaluated = sqliteTable(
  "env_evaluated",
  {
    deviceId: text("device_id").notNull(),
    measurement: text("measurement", { enum: ["temp", "hum"] }).notNull(),
    latestAt: integer("latest_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.measurement] })],
);

/** A weight shelf: one load cell device weighing one item type. */
export const shelves = sqliteTable(
  "shelves",
  {
    id: text("id").primaryKey(),
    siteCode: siteRef(),
    deviceId: text("device_id")
      .notNull()
      .references(() => devices.id),
    itemTypeCode: itemTypeRef(),
    tareKg: real("tare_kg").notNull(),
    /** Defaults to the item type's unit weight; a shelf of differently packed units overrides it. */
    unitWeightKg: real("unit_weight_kg").notNull(),
    /**
     * Rated capacity of the shelf's load cells (gross, tare included): weights beyond it (with a
     * load cell's tolerance) are refused as implausible. Null: SHELF_MAX_WEIGHT_KG applies.
     */
    capacityKg: real("capacity_kg"),
    zone: text("zone"),
  },
  (t) => [uniqueIndex("shelves_device_idx").on(t.deviceId), index("shelves_site_idx").on(t.siteCode)],
);

/** Every stock movement. Book quantity = the sum of these; nothing else changes it. */
export const stockLedger = sqliteTable(
  "stock_ledger",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    siteCode: siteRef(),
    itemTypeCode: itemTypeRef(),
    batchId: integer("batch_id").references(() => batches.id),
    kind: text("kind", { enum: LEDGER_KINDS }).notNull(),
    /** Signed: positive into the site, negative out of it. */
    quantity: integer("quantity").notNull(),
    occurredAt: integer("occurred_at").notNull(),
    /** The other site of a transfer or dispatch. */
    counterpartSiteCode: text("counterpart_site_code"),
    deviceId: text("device_id"),
    tagEpc: text("tag_epc"),
    reference: text("reference"),
    actor: text("actor"),
    note: text("note"),
    createdAt: createdAt(),
  },
  (t) => [
    // With the quantity, so the sums per site and item type or batch (stock, rotation and alert
    // evaluation of every site at once) read the index alone, already in group order.
    index("ledger_site_item_idx").on(t.siteCode, t.itemTypeCode, t.quantity),
    index("ledger_site_batch_idx").on(t.siteCode, t.batchId, t.quantity),
    index("ledger_batch_idx").on(t.batchId),
  ],
);

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  username: text("username").notNull().unique(),
  displayName: text("display_name").notNull(),
  passwordHash: text("password_hash").notNull(),
  role: text("role", { enum: USER_ROLES }).notNull(),
  disabled: integer("disabled", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
});

/** The sites a keeper may see and work on. */
export const userSites = sqliteTable(
  "user_sites",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    siteCode: siteRef(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.siteCode] })],
);

/** A login session: only the SHA-256 of its bearer token is stored. */
export const sessions = sqliteTable(
  "sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expiry_idx").on(t.expiresAt)],
);

/** Every change asked of the API (done or refused): who, when, from where, what and the answer. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    actor: text("actor"),
    role: text("role"),
    ip: text("ip"),
    method: text("method").notNull(),
    route: text("route").notNull(),
    url: text("url").notNull(),
    target: text("target"),
    siteCode: text("site_code"),
    statusCode: integer("status_code").notNull(),
    /** A short JSON of the request body, secrets redacted. */
    detail: text("detail"),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at),
    index("audit_log_actor_idx").on(t.actor, t.at),
    index("audit_log_site_idx").on(t.siteCode, t.at),
  ],
);

export const JOURNAL_STATE = { pending: 0, stored: 1, dead: 2 } as const;

/**
 * Every accepted MQTT message, appended before the PUBACK. Rows stay pending until the processor
 * has stored what they carry, so a crash only delays data.
 */
export const ingestJournal = sqliteTable(
  "ingest_journal",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    receivedAt: integer("received_at").notNull(),
    clientId: text("client_id"),
    topic: text("topic").notNull(),
    payload: blob("payload", { mode: "buffer" }).notNull(),
    state: integer("state").notNull().default(0),
    processedAt: integer("processed_at"),
  },
  (t) => [index("journal_pending_idx").on(t.state, t.id)],
);

export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    journalId: integer("journal_id"),
    receivedAt: integer("received_at").notNull(),
    clientId: text("client_id"),
    topic: text("topic").notNull(),
    payload: blob("payload", { mode: "buffer" }).notNull(),
    reason: text("reason").notNull(),
  },
  (t) => [index("dead_letters_received_idx").on(t.receivedAt)],
);

/** Projection: the latest count on each weight shelf. */
export const shelfState = sqliteTable("shelf_state", {
  deviceId: text("device_id").primaryKey(),
  weightKg: real("weight_kg").notNull(),
  units: integer("units").notNull(),
  readingAt: integer("reading_at").notNull(),
  journalId: integer("journal_id").notNull(),
});

/** Small key/value facts about this database (demo marker, seed version). */
export const meta = sqliteTable("meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

/** Stock held for a dispatch or a transfer: reserved = the sum of open reservations. */
export const reservations = sqliteTable(
  "reservations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    siteCode: siteRef(),
    itemTypeCode: itemTypeRef(),
    batchId: integer("batch_id").references(() => batches.id),
    quantity: integer("quantity").notNull(),
    reference: text("reference").notNull(),
    createdAt: createdAt(),
    releasedAt: integer("released_at"),
  },
  (t) => [index("reservations_open_idx").on(t.siteCode, t.itemTypeCode, t.releasedAt)],
);

/** Inspections and maintenance done on durable equipment, per batch. */
export const batchServices = sqliteTable(
  "batch_services",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    batchId: integer("batch_id")
      .notNull()
      .references(() => batches.id),
    kind: text("kind", { enum: ["inspection", "maintenance"] }).notNull(),
    performedOn: text("performed_on").notNull(),
    actor: text("actor").notNull(),
    note: text("note"),
    createdAt: createdAt(),
  },
  (t) => [index("batch_services_batch_idx").on(t.batchId, t.kind)],
);

/** A batch stored during an excursion outside its storage conditions waits for a quality check. */
export const qualityChecks = sqliteTable(
  "quality_checks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    batchId: integer("batch_id")
      .notNull()
      .references(() => batches.id),
    excursionId: integer("excursion_id")
      .notNull()
      .references(() => envExcursions.id),
    flaggedAt: integer("flagged_at").notNull(),
    result: text("result", { enum: ["pass", "fail"] }),
    resultAt: integer("result_at"),
    actor: text("actor"),
    note: text("note"),
  },
  (t) => [uniqueIndex("quality_checks_batch_excursion_idx").on(t.batchId, t.excursionId)],
);

export const AUDIT_STATES = ["open", "closed", "approved"] as const;

/** An audit (清查) of a site: during its window, sweeps and shelf readings are compared with the book. */
export const audits = sqliteTable(
  "audits",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    siteCode: siteRef(),
    state: text("state", { enum: AUDIT_STATES }).notNull().default("open"),
    startedAt: integer("started_at").notNull(),
    endsAt: integer("ends_at").notNull(),
    closedAt: integer("closed_at"),
    startedBy: text("started_by").notNull(),
    approvedBy: text("approved_by"),
    approvedAt: integer("approved_at"),
    /** The findings as they stood when the audit closed (JSON), so the report does not drift. */
    findings: text("findings"),
    note: text("note"),
  },
  (t) => [index("audits_site_idx").on(t.siteCode, t.startedAt)],
);

export const ALERT_KINDS = [
  "stock-low",
  "stock-critical",
  "rotation-due",
  "rotation-overdue",
  "stock-expired",
  "env-excursion",
  "audit-discrepancy",
  "device-offline",
  "unknown-tags",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * What a keeper must look at. One open alert per (kind, site, subject); it clears by itself when the
 * condition is gone, and stays acknowledged once someone has acknowledged it.
 */
export const alerts = sqliteTable(
  "alerts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: ALERT_KINDS }).notNull(),
    severity: text("severity", { enum: ["info", "warning", "critical"] }).notNull(),
    siteCode: siteRef(),
    /** What it is about: an item type, batch, device or tag. */
    subject: text("subject").notNull(),
    message: text("message").notNull(),
    firstSeenAt: integer("first_seen_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    clearedAt: integer("cleared_at"),
    acknowledgedAt: integer("acknowledged_at"),
    acknowledgedBy: text("acknowledged_by"),
  },
  (t) => [
    index("alerts_open_idx").on(t.clearedAt, t.siteCode),
    index("alerts_key_idx").on(t.kind, t.siteCode, t.subject, t.clearedAt),
  ],
);

/** An incident the command centre dispatches to. */
export const incidents = sqliteTable("incidents", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  type: text("type").notNull(),
  lat: real("lat").notNull(),
  lon: real("lon").notNull(),
  /** People to equip with the per-person kit; 0 when only explicit quantities are asked for. */
  personnel: integer("personnel").notNull().default(0),
  /** A site at the scene whose portal reads (or a manual receipt) confirm delivery, if any. */
  destinationSiteCode: text("destination_site_code").references(() => sites.code),
  createdBy: text("created_by").notNull(),
  createdAt: createdAt(),
});

export const DISPATCH_STATES = [
  "planned",
  "approved",
  "dispatched",
  "delivered",
  "closed",
  "cancelled",
] as const;
export type DispatchState = (typeof DISPATCH_STATES)[number];

/** A dispatch plan and its progress: planned -> approved -> dispatched -> delivered -> closed. */
export const dispatchOrders = sqliteTable(
  "dispatch_orders",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id),
    state: text("state", { enum: DISPATCH_STATES }).notNull(),
    emergencyOverride: integer("emergency_override", { mode: "boolean" }).notNull().default(false),
    costModel: text("cost_model", { enum: ["distance", "eta"] }).notNull(),
    totalCost: real("total_cost").notNull(),
    greedyCost: real("greedy_cost").notNull(),
    arrivalHours: real("arrival_hours"),
    /** JSON: what nothing could fill, per item type. */
    shortfall: text("shortfall").notNull(),
    /** JSON: the parameters the plan was made with. */
    params: text("params").notNull(),
    createdAt: createdAt(),
    approvedBy: text("approved_by"),
    approvedAt: integer("approved_at"),
    dispatchedAt: integer("dispatched_at"),
    deliveredAt: integer("delivered_at"),
    closedAt: integer("closed_at"),
    closedBy: text("closed_by"),
  },
  (t) => [index("dispatch_orders_incident_idx").on(t.incidentId)],
);

export const dispatchLines = sqliteTable(
  "dispatch_lines",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orderId: integer("order_id")
      .notNull()
      .references(() => dispatchOrders.id, { onDelete: "cascade" }),
    sourceSiteCode: text("source_site_code")
      .notNull()
      .references(() => sites.code),
    sourceKind: text("source_kind", { enum: ["own", "agreement", "external"] }).notNull(),
    itemTypeCode: itemTypeRef(),
    /** Picked first-expiry-first-out; null for agreement and external sources. */
    batchId: integer("batch_id").references(() => batches.id),
    quantity: integer("quantity").notNull(),
    distanceKm: real("distance_km").notNull(),
    etaHours: real("eta_hours").notNull(),
    dispatchedQty: integer("dispatched_qty").notNull().default(0),
    deliveredQty: integer("delivered_qty").notNull().default(0),
  },
  (t) => [
    index("dispatch_lines_order_idx").on(t.orderId),
    index("dispatch_lines_source_idx").on(t.sourceSiteCode, t.itemTypeCode),
  ],
);
