/**
 * `npm run seed` loads the demo network into an empty database; `npm run seed -- --reset` empties the
 * relational store (sites, stock, devices, journal) and loads it again. Stop the platform first.
 */
import { loadConfig } from "../config.ts";
import { openDatabase } from "./database.ts";
import { clearDatabase, isDatabaseEmpty, loadDemoNetwork } from "./seed.ts";

const reset = process.argv.includes("--reset");
const config = loadConfig();
const database = openDatabase(config.dataDir);
try {
  if (!isDatabaseEmpty(database) && !reset) {
    console.error(
      `${config.dataDir} already holds data; run \`npm run seed -- --reset\` to replace it with the demo`,
    );
    process.exitCode = 1;
  } else {
    if (reset) clearDatabase(database);
    const summary = loadDemoNetwork(database);
    console.log(
      `demo network loaded into ${config.dataDir}: ${summary.sites} sites, ${summary.itemTypes} item types, ` +
        `${summary.batches} batches, ${summary.devices} devices`,
    );
  }
} finally {
  database.close();
}
