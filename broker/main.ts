/**
 * `npm run broker`: one member of an MQTT broker cluster for a province. Several of these run behind
 * any TCP load balancer; they share subscriptions, retained messages and QoS 1 state through Redis
 * (aedes' own mqemitter-redis and aedes-persistence-redis), check device credentials with the
 * platform (POST /api/broker/authenticate) and hold the same topic rules as the embedded broker.
 * The platform runs with MQTT_BROKER=external and its ingest subscribes, as one persistent session,
 * through any member.
 */
import { createRequire } from "node:module";
import { pino } from "pino";
import { loadBrokerConfig } from "./config.ts";
import { startBroker } from "./index.ts";
import { PlatformAuthenticator } from "./platform-auth.ts";

const require = createRequire(import.meta.url);

/** Redis-backed emitter and persistence (both CommonJS). */
function redisCluster(url: string, id: string, maxSessionDelivery: number) {
  const mqemitterRedis = require("mqemitter-redis") as (options: object) => unknown;
  // The callback-and-stream face of the Redis persistence, which is what aedes 1.x drives.
  const redisPersistence = require("aedes-persistence-redis") as (options: object) => unknown;
  const { hostname, port, password, username, pathname, protocol } = new URL(url);
  const redis = {
    host: hostname,
    port: Number(port) || 6379,
    ...(password ? { password: decodeURIComponent(password) } : {}),
    ...(username ? { username: decodeURIComponent(username) } : {}),
    db: Number(pathname.slice(1)) || 0,
    ...(protocol === "rediss:" ? { tls: {} } : {}),
  };
  return {
    id,
    mq: mqemitterRedis({ connectionString: url }) as never,
    // A reconnecting persistent session (the ingest after an outage) gets up to this many queued
    // messages at once; the library's default of 1,000 would leave the rest until the next connect.
    persistence: redisPersistence({ ...redis, maxSessionDelivery }) as never,
  };
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadBrokerConfig>;
  try {
    config = loadBrokerConfig();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const log = pino({ level: config.LOG_LEVEL }).child({ broker: config.BROKER_ID });
  const broker = await startBroker({
    port: config.MQTT_PORT,
    host: config.MQTT_HOST,
    sink: null,
    ingestAccount: { username: config.INGEST_MQTT_USERNAME, password: config.INGEST_MQTT_PASSWORD },
    cluster: config.REDIS_URL
      ? redisCluster(config.REDIS_URL, config.BROKER_ID, config.BROKER_MAX_SESSION_DELIVERY)
      : null,
    auth: new PlatformAuthenticator(config.PLATFORM_URL, config.BROKER_TOKEN),
    log,
    maxConnections: config.MQTT_MAX_CONNECTIONS,
    drainTimeoutMs: config.MQTT_DRAIN_TIMEOUT_MS,
    deviceMaxMsgsPerS: config.DEVICE_MAX_MSGS_PER_S,
    tls: config.tls ? { port: config.MQTTS_PORT, ...config.tls } : null,
  });
  log.info(
    `broker ${config.BROKER_ID} ready on mqtt port ${broker.port}${broker.tlsPort ? ` and mqtts port ${broker.tlsPort}` : ""}` +
      (config.REDIS_URL ? ", sharing state through Redis" : ", alone (no REDIS_URL: state in memory)"),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: closing`);
    setTimeout(() => process.exit(1), 10_000).unref();
    broker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
