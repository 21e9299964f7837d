/**
 * The real scale-out parts, started by the tests on free ports in temp dirs: Debian's redis-server
 * and mosquitto, and cluster brokers (`broker/main.ts`, as `npm run broker` runs it).
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort, killOnExit } from "./influxd.ts";

const root = path.resolve(import.meta.dirname, "../..");

export function installed(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface Daemon {
  port: number;
  url: string;
  output(): string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL and wait: a crash. */
  kill(): Promise<void>;
}

/** Spawns a server and resolves once a line of its output matches `ready`. */
async function spawnDaemon(
  command: string,
  args: string[],
  options: {
    env?: Record<string, string>;
    /** Output that says it is ready; or, when null, the port accepting connections. */
    ready: RegExp | null;
    port: number;
    url: string;
    timeoutMs?: number;
  },
): Promise<Daemon> {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  killOnExit(child);
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${command} did not become ready:\n${output}`)),
      options.timeoutMs ?? 20_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (options.ready?.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    if (options.ready === null) {
      const probe = () => {
        const socket = net.connect(options.port, "127.0.0.1");
        socket.once("connect", () => {
          socket.destroy();
          clearTimeout(timer);
          resolve();
        });
        socket.once("error", () => {
          socket.destroy();
          if (child.exitCode === null) setTimeout(probe, 50);
        });
      };
      probe();
    }
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${command} exited before it was ready:\n${output}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    port: options.port,
    url: options.url,
    output: () => output,
    stop: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
  };
}

/** redis-server on loopback, appending every write to its AOF before it answers. */
export async function startRedis(): Promise<Daemon> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reserve-redis-"));
  const port = await freePort();
  return spawnDaemon(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--save",
      "",
    ],
    { ready: /Ready to accept connections/, port, url: `redis://127.0.0.1:${port}` },
  );
}

export interface MosquittoSetup {
  /** user name → password, written with mosquitto_passwd. */
  users: Record<string, string>;
  /** The acl_file's text. */
  acl: string;
  /** A fixed port (to restart on the same one); a free one when absent. */
  port?: number;
  /** Directory for its password, ACL and persistence files (kept across restarts). */
  dir?: string;
}

/**
 * Mosquitto with password and ACL files and persistence on, and room for a long outage of the
 * ingest: every QoS 1 message queued for a persistent session, many in flight at once.
 */
export async function startMosquitto(setup: MosquittoSetup): Promise<Daemon & { dir: string }> {
  const dir = setup.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "reserve-mosquitto-"));
  const port = setup.port ?? (await freePort());
  const passwd = path.join(dir, "passwd");
  fs.writeFileSync(passwd, "");
  for (const [user, password] of Object.entries(setup.users)) {
    execFileSync("mosquitto_passwd", ["-b", passwd, user, password]);
  }
  fs.writeFileSync(path.join(dir, "acl"), setup.acl);
  const conf = path.join(dir, "mosquitto.conf");
  fs.writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      // Started as root (CI), Mosquitto would switch to the "mosquitto" user, who cannot read the
      // temp dir: it stays whoever started it.
      `user ${os.userInfo().username}`,
      "allow_anonymous false",
      `password_file ${passwd}`,
      `acl_file ${path.join(dir, "acl")}`,
      "persistence true",
      `persistence_location ${dir}/`,
      "max_queued_messages 0",
      "max_inflight_messages 1000",
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "log_type notice",
      "",
    ].join("\n"),
  );
  const daemon = await spawnDaemon("mosquitto", ["-c", conf], {
    ready: null,
    port,
    url: `mqtt://127.0.0.1:${port}`,
  });
  return { ...daemon, dir };
}

/** One cluster broker (`npm run broker`), on a given port. */
export async function startClusterBroker(env: {
  MQTT_PORT: number;
  PLATFORM_URL: string;
  BROKER_TOKEN: string;
  INGEST_MQTT_PASSWORD: string;
  REDIS_URL: string;
  BROKER_ID: string;
}): Promise<Daemon> {
  return spawnDaemon(process.execPath, ["--import", "tsx", path.join(root, "broker/main.ts")], {
    env: {
      ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])),
      MQTT_HOST: "127.0.0.1",
      DEVICE_MAX_MSGS_PER_S: "0",
      LOG_LEVEL: "info",
    },
    ready: /ready on mqtt port \d+/,
    port: env.MQTT_PORT,
    url: `mqtt://127.0.0.1:${env.MQTT_PORT}`,
  });
}
