import fs from "node:fs";
import path from "node:path";

export type DeviceSecrets = Record<string, { username: string; password: string }>;
export type UserSecrets = Record<string, { password: string; role: string; sites: string[] }>;

export const DEMO_CREDENTIALS_FILE = "demo-credentials.json";

interface CredentialsFile {
  devices?: DeviceSecrets;
  users?: UserSecrets;
}

/**
 * Demo mode only: the generated device secrets and demo users' passwords go to
 * DATA_DIR/demo-credentials.json (mode 600), merged with what an earlier start wrote, so the
 * built-in simulators can connect as the devices and people can log in.
 * Production never writes secrets anywhere: they are shown once when issued.
 */
export function writeDemoCredentials(
  dataDir: string,
  issued: DeviceSecrets,
  users: UserSecrets = {},
): string {
  const file = path.join(dataDir, DEMO_CREDENTIALS_FILE);
  const before = readFile(file);
  const body = {
    note: "Demo device and user credentials, generated on the first start of the demo. Never use in production.",
    devices: { ...(before.devices ?? {}), ...issued },
    users: { ...(before.users ?? {}), ...users },
  };
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
  return file;
}

function readFile(file: string): CredentialsFile {
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, "utf8")) as CredentialsFile;
}

/** The demo secrets written so far (empty when there is no file). */
export function readDemoCredentials(dataDir: string): DeviceSecrets {
  return readCredentialsFile(path.join(dataDir, DEMO_CREDENTIALS_FILE));
}

/** The demo users' passwords written so far (empty when there is no file). */
export function readDemoUsers(dataDir: string): UserSecrets {
  return readFile(path.join(dataDir, DEMO_CREDENTIALS_FILE)).users ?? {};
}

/** A credentials file in the demo's format ({ devices: { id: { username, password } } }); empty if absent. */
export function readCredentialsFile(file: string): DeviceSecrets {
  return readFile(file).devices ?? {};
}
