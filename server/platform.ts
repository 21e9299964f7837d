import type { FastifyInstance } from "fastify";
import { type Logger, pino } from "pino";
import { type RunningBroker, startBroker } from "../broker/index.ts";
import { buildApp } from "./app.ts";
import type { Config } from "./config.ts";
import { type AppDatabase, openDatabase } from "./db/database.ts";
import { isDatabaseEmpty, loadDemoNetwork } from "./db/seed.ts";
import { loadHighs } from "./domain/highs.ts";
import { EventBus } from "./events.ts";
import { IngestJournal } from "./ingest/journal.ts";
import { MqttIngest } from "./ingest/mqtt-ingest.ts";
import { IngestProcessor } from "./ingest/processor.ts";
import { Projector } from "./ingest/projector.ts";
import type { AppDeps } from "./routes/deps.ts";
import { AuditLog } from "./security/audit-log.ts";
import { writeDemoCredentials } from "./security/demo-credentials.ts";
import { createDemoUsers } from "./security/demo-users.ts";
import { DeviceCredentials } from "./security/device-credentials.ts";
import { UserService } from "./security/users.ts";
import { AlertService } from "./services/alerts.ts";
import { AuditService } from "./services/audits.ts";
import { DeviceRegistry } from "./services/device-registry.ts";
import { DispatchService } from "./services/dispatch.ts";
import { LifecycleService } from "./services/lifecycle.ts";
import { PresenceTracker } from "./services/presence-tracker.ts";
import { ReferenceService } from "./services/reference.ts";
import { StockService } from "./services/stock.ts";
import { TagRegistry } from "./services/tag-registry.ts";
import { createInfluxTimeSeries } from "./timeseries/influxdb.ts";
import { createSqliteTimeSeries } from "./timeseries/sqlite.ts";

export interface Platform {
  app: FastifyInstance;
  /** The embedded broker; null when the ingest is a client of an external broker. */
  broker: RunningBroker | null;
  deps: AppDeps;
  httpUrl: string;
  /** Where devices publish: the embedded broker, or the external one. */
  mqttUrl: string;
  /** mqtts://… when TLS is configured. */
  mqttsUrl: string | null;
  /** Stops HTTP, then the broker, then drains the ingest journal and closes the stores. */
  close(): Promise<void>;
}

/** Wires every part together and starts listening: the one place that knows the whole platform. */
export async function startPlatform(
  config: Config,
  log: Logger = pino({ level: config.logLevel }),
): Promise<Platform> {
  const database: AppDatabase = openDatabase(config.dataDir, { synchronous: config.journalSync });
  const cleanups: Array<() => Promise<void> | void> = [() => database.close()];
  try {
    if (config.demo && isDatabaseEmpty(database)) loadDemoNetwork(database, { timeZone: config.timeZone });

    const events = new EventBus();
    const registry = new DeviceRegistry(database);
    const timeseries =
      config.timeseries.kind === "influxdb"
        ? createInfluxTimeSeries({ ...config.timeseries, log: log.child({ part: "influxdb" }) })
        : createSqliteTimeSeries(config.dataDir);
    cleanups.unshift(() => timeseries.close());
    const journal = new IngestJournal({
      database,
      registry,
      events,
      maxPayloadBytes: config.maxPayloadBytes,
      limits: config.readingLimits,
      log: log.child({ part: "journal" }),
    });
    const tags = new TagRegistry(database);
    const presence = new PresenceTracker(database, config.presence);
    const processor = new IngestProcessor({
      journal,
      database,
      timeseries,
      projector: new Projector({
        database,
        registry,
        tags,
        presence,
        excursionDefaults: config.excursion,
      }),
      presence,
      events,
      log: log.child({ part: "ingest" }),
      options: {
        batchSize: config.ingestBatch,
        intervalMs: config.ingestIntervalMs,
        retentionHours: config.journalRetentionHours,
      },
    });
    // Rows left pending by an earlier run are stored before new ones: replay comes first.
    processor.start();
    cleanups.unshift(async () => {
      journal.close();
      await processor.stop();
    });
    const reference = new ReferenceService(database.db);
    const stock = new StockService(database, reference);
    const alerts = new AlertService({ database, events, stock, reference });
    const lifecycle = new LifecycleService(database, reference, config.timeZone);
    alerts.addSource((now) => lifecycle.alertConditions(lifecycle.today(now)));
    const audits = new AuditService(database, reference);
    alerts.addSource(() => audits.alertConditions());
    const dispatch = new DispatchService({ database, reference, stock, lifecycle, events, highs: loadHighs });
    const credentials = new DeviceCredentials(database, registry);
    const users = new UserService(database, { sessionTtlMinutes: config.sessionTtlMinutes });
    // Demo only: every demo device gets a secret and the demo people a password, written where the
    // built-in simulators and the people trying the demo read them.
    if (reference.demoNotice() !== null) {
      const issued = await credentials.issueMissingDemo();
      const people = users.count() === 0 ? await createDemoUsers(users) : {};
      if (Object.keys(issued).length > 0 || Object.keys(people).length > 0) {
        writeDemoCredentials(config.dataDir, issued, people);
      }
    }
    if (users.count() === 0) {
      log.warn(
        "no users yet: create the first administrator with `npm run user -- add <username> --role admin` " +
          "(it prints a generated password once)",
      );
    }
    const deps: AppDeps = {
      config,
      database,
      timeseries,
      registry,
      tags,
      journal,
      processor,
      events,
      reference,
      stock,
      alerts,
      lifecycle,
      audits,
      dispatch,
      mqtt: null,
      mqttIngest: null,
      credentials,
      users,
      auditLog: new AuditLog(database),
    };
    const app = await buildApp(deps, log);
    const stopAlerts = scheduleAlerts(alerts, events, config.alertIntervalMs, log);
    cleanups.unshift(stopAlerts);

    let broker: RunningBroker | null = null;
    if (config.externalBroker) {
      // Devices connect to the external broker (which authenticates them); the ingest subscribes
      // there with a persistent session and acknowledges each message once it is journaled.
      const ingest = new MqttIngest({
        ...config.externalBroker,
        sink: journal,
        log: log.child({ part: "mqtt-ingest" }),
      });
      ingest.start();
      cleanups.unshift(() => ingest.stop());
      deps.mqttIngest = ingest;
    } else {
      const embedded = await startBroker({
        port: config.mqttPort,
        host: config.mqttHost,
        sink: journal,
        auth: credentials,
        log: log.child({ part: "broker" }),
        maxConnections: config.mqttMaxConnections,
        drainTimeoutMs: config.mqttDrainTimeoutMs,
        deviceMaxMsgsPerS: config.deviceMaxMsgsPerS,
        tls: config.tls ? { port: config.tls.mqttsPort, cert: config.tls.cert, key: config.tls.key } : null,
      });
      cleanups.unshift(() => embedded.close());
      deps.mqtt = embedded;
      broker = embedded;
    }

    await app.listen({ port: config.port, host: config.host });
    cleanups.unshift(() => app.close());
    const address = app.server.address();
    const httpPort = typeof address === "object" && address ? address.port : config.port;
    const displayHost = (host: string) => (host === "0.0.0.0" || host === "::" ? "localhost" : host);

    let closing: Promise<void> | undefined;
    return {
      app,
      broker,
      deps,
      httpUrl: `${config.tls ? "https" : "http"}://${displayHost(config.host)}:${httpPort}`,
      mqttUrl: broker
        ? `mqtt://${displayHost(config.mqttHost)}:${broker.port}`
        : (config.externalBroker?.url.split(",")[0]?.trim() ?? ""),
      mqttsUrl: broker?.tlsPort == null ? null : `mqtts://${displayHost(config.mqttHost)}:${broker.tlsPort}`,
      close() {
        closing ??= runCleanups(cleanups);
        return closing;
      },
    };
  } catch (error) {
    await runCleanups(cleanups);
    throw error;
  }
}

/**
 * Alerts follow the data: evaluated at start, soon after stock changes and on a timer for what time
 * alone changes (expiry, silence). A burst of readings costs one evaluation: runs are at least
 * ALERT_MIN_GAP_MS apart, because one evaluation judges every site and batch.
 */
const ALERT_MIN_GAP_MS = 2000;

function scheduleAlerts(alerts: AlertService, events: EventBus, intervalMs: number, log: Logger): () => void {
  let lastRun = 0;
  const run = () => {
    lastRun = Date.now();
    try {
      alerts.evaluate();
    } catch (error) {
      log.error({ err: error }, "alert evaluation failed");
    }
  };
  let pending: NodeJS.Timeout | undefined;
  const off = events.on("stock.changed", () => {
    pending ??= setTimeout(
      () => {
        pending = undefined;
        run();
      },
      Math.max(250, ALERT_MIN_GAP_MS - (Date.now() - lastRun)),
    );
  });
  const timer = setInterval(run, intervalMs);
  timer.unref();
  run();
  return () => {
    off();
    clearInterval(timer);
    if (pending) clearTimeout(pending);
  };
}

async function runCleanups(cleanups: Array<() => Promise<void> | void>): Promise<void> {
  for (const cleanup of cleanups) await cleanup();
}
