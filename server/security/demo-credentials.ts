import fs from "node:fs";
import path from "node:path";

export type DeviceSecrets = Record<string, { username: string; password: string }>;

export const DEMO_CREDENTIALS_FILE = "demo-credentials.json";

/**
 * Demo mode only: the generated device secrets go to DATA_DIR/demo-credentials.json (mode 600),
 * merged with what an earlier start wrote, so the built-in simulators can connect as the devices.
 * Production never writes secrets anywhere: they are shown once when issued.
 */
export function writeDemoCredentials(dataDir: string, issued: DeviceSecrets): string {
  const file = path.join(dataDir, DEMO_CREDENTIALS_FILE);
  const devices = { ...readDemoCredentials(dataDir), ...issued };
  const body = {
    note: "Demo device credentials, generated on the first start of the demo. Never use in production.",
    devices,
  };
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
  return file;
}

/** The demo secrets written so far (empty when there is no file). */
export function readDemoCredentials(dataDir: string): DeviceSecrets {
  return readCredentialsFile(path.join(dataDir, DEMO_CREDENTIALS_FILE));
}

/** A credentials file in the demo's format ({ devices: { id: { username, password } } }); empty if absent. */
export function readCredentialsFile(file: string): DeviceSecrets {
  if (!fs.existsSync(file)) return {};
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as { devices?: DeviceSecrets };
  return parsed.devices ?? {};
}
