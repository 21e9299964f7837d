import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Config } from "../config.ts";
import type { AppDatabase } from "../db/database.ts";
import type { EventBus } from "../events.ts";
import type { IngestJournal } from "../ingest/journal.ts";
import type { MqttIngestStatus } from "../ingest/mqtt-ingest.ts";
import type { IngestProcessor } from "../ingest/processor.ts";
import type { AuditLog } from "../security/audit-log.ts";
import type { DeviceCredentials } from "../security/device-credentials.ts";
import type { UserService } from "../security/users.ts";
import type { AlertService } from "../services/alerts.ts";
import type { AuditService } from "../services/audits.ts";
import type { DeviceRegistry } from "../services/device-registry.ts";
import type { DispatchService } from "../services/dispatch.ts";
import type { LifecycleService } from "../services/lifecycle.ts";
import type { ReferenceService } from "../services/reference.ts";
import type { StockService } from "../services/stock.ts";
import type { TagRegistry } from "../services/tag-registry.ts";
import type { TimeSeriesStore } from "../timeseries/store.ts";

/** Everything the API areas use, handed in by main.ts (or a test), never imported as module state. */
export interface AppDeps {
  config: Config;
  database: AppDatabase;
  timeseries: TimeSeriesStore;
  registry: DeviceRegistry;
  tags: TagRegistry;
  journal: IngestJournal;
  processor: IngestProcessor;
  events: EventBus;
  reference: ReferenceService;
  stock: StockService;
  alerts: AlertService;
  lifecycle: LifecycleService;
  audits: AuditService;
  dispatch: DispatchService;
  /** The MQTT side, when a broker runs in this process. */
  mqtt: { port: number; connectedClients(): number; disconnectDevice(deviceId: string): number } | null;
  /** The ingest's connection to an external broker, when there is one. */
  mqttIngest: { status(): MqttIngestStatus } | null;
  credentials: DeviceCredentials;
  users: UserService;
  auditLog: AuditLog;
}

export type ApiPlugin = FastifyPluginAsyncTypebox<{ deps: AppDeps }>;
