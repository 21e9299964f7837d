/**
 * `npm run device-secret -- NX-K01-SH1 [NX-K01-RD1 …]` issues each named device a new MQTT secret
 * and prints it once (JSON, one line per device). Works whether or not the platform is running;
 * a running platform takes the new secret at the device's next connection (the API,
 * POST /api/devices/{id}/credentials, also closes the connections open with the old one).
 */
import { deviceTopic } from "../../broker/topics.ts";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { DeviceRegistry } from "../services/device-registry.ts";
import { AuditLog, recordCliChange } from "./audit-log.ts";
import { DeviceCredentials } from "./device-credentials.ts";

const ids = process.argv.slice(2).filter((a) => !a.startsWith("-"));
if (ids.length === 0) {
  console.error("usage: npm run device-secret -- <device id> [<device id> …]");
  process.exit(2);
}
const config = loadConfig();
const database = openDatabase(config.dataDir);
try {
  const registry = new DeviceRegistry(database);
  const credentials = new DeviceCredentials(database, registry);
  const audit = new AuditLog(database);
  for (const id of ids) {
    const device = registry.get(id);
    if (!device) {
      console.error(`device "${id}" is not registered`);
      process.exitCode = 1;
      continue;
    }
    const secret = await credentials.issue(id);
    recordCliChange(audit, {
      command: "npm run device-secret",
      target: id,
      siteCode: device.siteCode,
      ok: true,
    });
    console.log(
      JSON.stringify({ deviceId: id, ...secret, topic: deviceTopic(device.siteCode, device.kind, id) }),
    );
  }
} finally {
  database.close();
}
