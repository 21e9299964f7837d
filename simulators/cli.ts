/**
 * `npm run simulate -- [--sites 30 | --sites NX-C01,NX-K01] [--rate 200] [--duration 60] [--seed 7]`
 * Simulated RFID readers, weight shelves and environment sensors of the registered network, over
 * MQTT (QoS 1), with a live progress line and a summary. The same seed gives the same readings.
 * Each device connects with its own secret, read from `--credentials` (default: the demo's
 * DATA_DIR/demo-credentials.json); the API is read as `--user` (default viewer, password from
 * API_PASSWORD or the same file's users section).
 */

import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEMO_CREDENTIALS_FILE, readCredentialsFile } from "../server/security/demo-credentials.ts";
import { startDriver } from "./driver.ts";
import { apiLogin, buildFleet } from "./fleet.ts";

const { values } = parseArgs({
  options: {
    api: { type: "string", default: process.env.API_URL ?? `http://localhost:${process.env.PORT ?? 8080}` },
    mqtt: {
      type: "string",
      default: process.env.MQTT_URL ?? `mqtt://localhost:${process.env.MQTT_PORT ?? 1883}`,
    },
    sites: { type: "string" },
    rate: { type: "string", default: "200" },
    duration: { type: "string" },
    seed: { type: "string", default: "7" },
    credentials: {
      type: "string",
      default: path.join(process.env.DATA_DIR ?? "data", DEMO_CREDENTIALS_FILE),
    },
    user: { type: "string", default: process.env.API_USER ?? "viewer" },
    "removal-chance": { type: "string", default: "0.02" },
    "excursion-chance": { type: "string", default: "0.01" },
  },
});

function number(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new Error(`--${name} must be a number from ${min} to ${max}`);
  return n;
}

async function main(): Promise<void> {
  const rate = number("rate", values.rate, 0.1, 1_000_000) as number;
  const durationS = number("duration", values.duration, 1, 7 * 86400);
  const seed = number("seed", values.seed, 0, 2 ** 32) as number;
  const sites =
    values.sites === undefined
      ? undefined
      : /^\d+$/.test(values.sites)
        ? Number(values.sites)
        : values.sites.split(",");
  // The API needs a login: API_PASSWORD, or the user's password in the demo credentials file.
  const password =
    process.env.API_PASSWORD ??
    (fs.existsSync(values.credentials)
      ? (
          JSON.parse(fs.readFileSync(values.credentials, "utf8")) as {
            users?: Record<string, { password: string }>;
          }
        ).users?.[values.user]?.password
      : undefined);
  if (!password) throw new Error(`no password for API user "${values.user}": set API_PASSWORD`);
  const fleet = await buildFleet({
    apiUrl: values.api,
    token: await apiLogin(values.api, values.user, password),
    sites,
    seed,
    removalChance: number("removal-chance", values["removal-chance"], 0, 1) as number,
    excursionChance: number("excursion-chance", values["excursion-chance"], 0, 1) as number,
  });
  const devices = fleet.readers.length + fleet.shelves.length + fleet.sensors.length;
  if (devices === 0)
    throw new Error("no registered devices match; is the platform running with the demo network?");
  console.log(
    `simulating ${fleet.readers.length} RFID readers (${fleet.readers.reduce((n, r) => n + r.tags.length, 0)} tags), ` +
      `${fleet.shelves.length} shelves and ${fleet.sensors.length} sensors at ${rate} msg/s against ${values.mqtt}`,
  );
  const live = process.stdout.isTTY;
  const credentials = readCredentialsFile(values.credentials);
  const missing = [...fleet.readers, ...fleet.shelves, ...fleet.sensors].filter(
    (d) => !credentials[d.deviceId],
  );
  if (missing.length > 0) {
    console.warn(
      `${missing.length} device(s) have no secret in ${values.credentials}; their messages count as failed ` +
        "(issue secrets with POST /api/devices/{id}/credentials and add them to the file)",
    );
  }
  const driver = await startDriver(fleet, {
    mqttUrl: values.mqtt,
    credentials,
    rate,
    durationS,
    seed,
    onProgress: (s) => {
      const line = `sent ${s.sent}  acknowledged ${s.acked}  failed ${s.failed}  ${Math.round((s.acked * 1000) / Math.max(1, s.elapsedMs))} msg/s`;
      if (live) process.stdout.write(`\r${line}   `);
      else if (Math.round(s.elapsedMs / 1000) % 10 === 0) console.log(line);
    },
  });
  const stop = () => void driver.stop();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const summary = await driver.done;
  if (live) process.stdout.write("\n");
  console.log(
    `done: ${summary.sent} sent, ${summary.acked} acknowledged, ${summary.failed} failed in ${(summary.elapsedMs / 1000).toFixed(1)} s ` +
      `(${Math.round((summary.acked * 1000) / Math.max(1, summary.elapsedMs))} msg/s); ${summary.removals} removals simulated`,
  );
  process.exit(summary.failed > 0 ? 1 : 0);
}

main().catch((error) => {
  console.error(`simulator: ${error.message}`);
  process.exit(1);
});
