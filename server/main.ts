import fs from "node:fs";
import path from "node:path";
import { startDriver } from "../simulators/driver.ts";
import { buildFleet } from "../simulators/fleet.ts";
import { buildWeb } from "../web/build.ts";
import { WEB_DIST } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { type Platform, startPlatform } from "./platform.ts";
import { readDemoCredentials } from "./security/demo-credentials.ts";

async function startDemoSimulation(
  httpUrl: string,
  mqttUrl: string,
  dataDir: string,
  users: Platform["deps"]["users"],
) {
  // The simulation reads the devices, tags and stock as any enabled user (the demo creates some).
  const reader = users.list().find((u) => !u.disabled);
  if (!reader) throw new Error("no users to read the API as");
  const fleet = await buildFleet({
    apiUrl: httpUrl,
    token: users.openSession(reader.username).token,
    seed: Date.now() % 2 ** 31,
    removalChance: 0.002,
    excursionChance: 0.001,
    maxTagsPerReader: 150,
  });
  // The demo devices' secrets, written by the platform on the demo's first start.
  const credentials = readDemoCredentials(dataDir);
  return startDriver(fleet, { mqttUrl, rate: 20, seed: 1, clientId: "demo-simulation", credentials });
}

/** The only entry point that listens: broker, ingest and HTTP in one process. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  if (!fs.existsSync(path.join(WEB_DIST, "index.html"))) await buildWeb();

  const platform = await startPlatform(config);
  const log = platform.app.log;
  log.info(
    `ready: open ${platform.httpUrl}/ in a browser (API ${platform.httpUrl}/api, docs ${platform.httpUrl}/docs); ` +
      `devices publish to ${platform.mqttUrl}${platform.mqttsUrl ? ` or ${platform.mqttsUrl}` : ""} ` +
      "on sites/{site}/{shelf|env|rfid|status}/{device} with their own secret; " +
      `data in ${config.dataDir}${config.demo ? " (demo network)" : ""}`,
  );

  // The demo comes alive: a light load from the simulated devices of the demo network.
  const simulation =
    config.simulate && platform.deps.reference.demoNotice() !== null
      ? await startDemoSimulation(
          platform.httpUrl,
          platform.mqttUrl,
          config.dataDir,
          platform.deps.users,
        ).catch((error: Error) => {
          log.warn({ err: error }, "demo simulation did not start");
          return null;
        })
      : null;
  if (simulation) log.info("demo simulation running (SIMULATE=0 turns it off)");

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: shutting down`);
    const force = setTimeout(() => {
      log.error("shutdown took longer than 15 s; exiting");
      process.exit(1);
    }, 15000);
    force.unref();
    try {
      await simulation?.stop();
      await platform.close();
      log.info("stopped cleanly");
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, "shutdown failed");
      process.exit(1);
    }
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
