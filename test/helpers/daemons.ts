/**
 * The real servers beside the platform, started by the tests and the bench on free ports in temp
 * dirs: Debian's redis-server and mosquitto, cluster brokers (`broker/main.ts`, as `npm run broker`
 * runs it) and the bench's bare aedes baseline.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort, killOnExit } from "./influxd.ts";

const root = path.resolve(import.meta.dirname, "../..");

/** An executable's path: on PATH, or in Debian's sbin dirs (not on every user's PATH). */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/usr/local/sbin"];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function installed(name: string): boolean {
  return findExecutable(name) !== undefined;
}

export interface Daemon {
  host: string;
  port: number;
  url: string;
  output(): string;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** SIGKILL and wait: a crash. */
  kill(): Promise<void>;
}

/** Spawns a server and resolves once its output matches `ready`, or its port accepts connections. */
export async function spawnDaemon(
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
  const child = spawn(findExecutable(command) ?? command, args, {
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
    host: "127.0.0.1",
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
  /** user name → password, written with mosquitto_passwd; none: anonymous clients are let in. */
  users?: Record<string, string>;
  /** The acl_file's text (with `users`). */
  acl?: string;
  /** Persistence and room for a long outage of the ingest (default); off for a bare baseline. */
  persistence?: boolean;
  /** A fixed port (to restart on the same one); a free one when absent. */
  port?: number;
  /** Directory for its password, ACL and persistence files (kept across restarts). */
  dir?: string;
}

/**
 * Mosquitto with password and ACL files and persistence on, and room for a long outage of the
 * ingest: every QoS 1 message queued for a persistent session, many in flight at once. Without
 * users and persistence: the bench's plain baseline.
 */
export async function startMosquitto(setup: MosquittoSetup = {}): Promise<Daemon & { dir: string }> {
  const dir = setup.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "reserve-mosquitto-"));
  const port = setup.port ?? (await freePort());
  const access: string[] = ["allow_anonymous true"];
  if (setup.users) {
    const passwd = path.join(dir, "passwd");
    fs.writeFileSync(passwd, "");
    for (const [user, password] of Object.entries(setup.users)) {
      execFileSync(findExecutable("mosquitto_passwd") ?? "mosquitto_passwd", ["-b", passwd, user, password]);
    }
    fs.writeFileSync(path.join(dir, "acl"), setup.acl ?? "");
    access.splice(
      0,
      1,
      "allow_anonymous false",
      `password_file ${passwd}`,
      `acl_file ${path.join(dir, "acl")}`,
    );
  }
  const persistence =
    setup.persistence === false
      ? ["persistence false"]
      : [
          "persistence true",
          `persistence_location ${dir}/`,
          "max_queued_messages 0",
          "max_inflight_messages 1000",
        ];
  const conf = path.join(dir, "mosquitto.conf");
  fs.writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      // Started as root (CI), Mosquitto would switch to the "mosquitto" user, who cannot read the
      // temp dir: it stays whoever started it.
      `user ${os.userInfo().username}`,
      ...access,
      ...persistence,
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

/** aedes with no hooks (test/bench/bare-broker.ts), in its own process: the bench's baseline. */
export async function startBareAedes(): Promise<Daemon> {
  const port = await freePort();
  return spawnDaemon(
    process.execPath,
    ["--import", "tsx", path.join(root, "test/bench/bare-broker.ts"), String(port)],
    {
      ready: null,
      port,
      url: `mqtt://127.0.0.1:${port}`,
    },
  );
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
