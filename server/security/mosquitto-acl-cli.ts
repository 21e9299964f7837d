/**
 * `npm run mosquitto-acl [-- --ingest-user reserve-ingest] > acl`: the Mosquitto ACL file for every
 * enabled device of the database in DATA_DIR (see server/security/mosquitto-acl.ts). Passwords are
 * Mosquitto's own: add each device with `mosquitto_passwd -b <password_file> <device id> <secret>`,
 * the secret from `npm run device-secret`.
 */
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import type { DeviceKind } from "../db/schema.ts";
import { mosquittoAcl } from "./mosquitto-acl.ts";

const args = process.argv.slice(2);
const flag = args.indexOf("--ingest-user");
const ingestUser =
  (flag >= 0 ? args[flag + 1] : undefined) ?? process.env.INGEST_MQTT_USERNAME ?? "reserve-ingest";
const database = openDatabase(loadConfig().dataDir);
try {
  const devices = database.sqlite
    .prepare("SELECT id, site_code AS siteCode, kind FROM devices WHERE enabled = 1 ORDER BY id")
    .all() as Array<{ id: string; siteCode: string; kind: DeviceKind }>;
  process.stdout.write(mosquittoAcl(devices, ingestUser));
} finally {
  database.close();
}
