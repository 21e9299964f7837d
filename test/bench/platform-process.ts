/**
 * The platform as the bench runs it: `server/main.ts` in its own process, as `npm start` does, on
 * free ports, with LOG_LEVEL=warn (so the ready line is not logged: readiness is a healthy
 * /api/health) and no per-device rate limit (a few connections stand for many devices). Its pid is
 * kept for reading its memory from /proc.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { readDemoCredentials, readDemoUsers } from "../../server/security/demo-credentials.ts";
import { freePort, killOnExit } from "../helpers/influxd.ts";

const root = path.resolve(import.meta.dirname, "../..");

export interface Health {
  status: string;
  mqtt: { port: number; connectedClients: number } | null;
  ingest: {
    pending: number;
    stored: number;
    deadLetters: number;
    lastError: string | null;
    lastStoredAt: string | null;
  };
  timeseries: string;
  registeredDevices: number;
}

export interface ShelfDevice {
  id: string;
  siteCode: string;
  topic: string;
  itemType: string;
  tareKg: number;
  unitWeightKg: number;
}

export interface BenchPlatform {
  child: ChildProcess;
  pid: number;
  dataDir: string;
  httpUrl: string;
  mqttHost: string;
  mqttPort: number;
  /** Spawn to the first healthy /api/health. */
  startupMs: number;
  /** The demo admin's bearer token. */
  token: string;
  /** An authenticated API call; throws on an error status. */
  api<T = any>(method: string, pathname: string, body?: unknown): Promise<T>;
  health(): Promise<Health>;
  /** Median time of three /api/health calls, ms (it counts every journal row by state). */
  healthMs(): Promise<number>;
  /**
   * Polls /api/health every `pollMs` (it counts the journal by state, so not too often) until
   * nothing is pending; returns when the last batch was stored (the server's clock, epoch ms).
   */
  drained(options?: { pollMs?: number; timeoutMs?: number }): Promise<{ storedAt: number; health: Health }>;
  /** The process's resident and peak resident memory, MB, from /proc/<pid>/status. */
  memory(): { rssMb: number; peakMb: number };
  /** The demo device secrets (demo-credentials.json). */
  secrets(): Record<string, { username: string; password: string }>;
  shelves(): Promise<ShelfDevice[]>;
  /** SIGTERM, and waits for the exit (SIGKILL after 30 s). */
  stop(): Promise<void>;
}

/** Starts the platform on `dataDir` and resolves once it is healthy and the admin has logged in. */
export async function startPlatformProcess(
  dataDir: string,
  env: Record<string, string> = {},
  options: { readyTimeoutMs?: number } = {},
): Promise<BenchPlatform> {
  // BENCH_PROFILE=1: a V8 CPU profile of each platform process, written when it exits.
  const profile = process.env.BENCH_PROFILE === "1" ? ["--cpu-prof", `--cpu-prof-dir=${profileDir()}`] : [];
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const started = performance.now();
  const child = spawn(process.execPath, [...profile, "--import", "tsx", path.join(root, "server/main.ts")], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(httpPort),
      MQTT_PORT: String(mqttPort),
      HOST: "127.0.0.1",
      MQTT_HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      SIMULATE: "0",
      DEVICE_MAX_MSGS_PER_S: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  killOnExit(child);
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exitCode: number | string | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exitCode = code ?? signal;
      resolve();
    }),
  );

  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(`platform exited with ${exitCode} before it was healthy:\n${output}`);
    const response = await fetch(`${httpUrl}/api/health`).catch(() => undefined);
    if (response?.ok) {
      await response.arrayBuffer();
      break;
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`platform not healthy within ${options.readyTimeoutMs ?? 120_000} ms:\n${output}`);
    }
    await sleep(20);
  }
  const startupMs = performance.now() - started;

  const admin = readDemoUsers(dataDir).admin;
  if (!admin) throw new Error(`no demo admin in ${dataDir}/demo-credentials.json`);
  const login = await fetch(`${httpUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: admin.password }),
  });
  if (!login.ok) throw new Error(`admin login failed: ${login.status} ${await login.text()}`);
  const { token } = (await login.json()) as { token: string };

  const api = async (method: string, pathname: string, body?: unknown) => {
    const response = await fetch(`${httpUrl}${pathname}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status} ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  };
  const health = async (): Promise<Health> => {
    const response = await fetch(`${httpUrl}/api/health`);
    if (!response.ok) throw new Error(`/api/health: ${response.status}`);
    return (await response.json()) as Health;
  };

  return {
    child,
    pid: child.pid as number,
    dataDir,
    httpUrl,
    mqttHost: "127.0.0.1",
    mqttPort,
    startupMs,
    token,
    api,
    health,
    async healthMs() {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        await health();
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b)[1] as number;
    },
    async drained({ pollMs = 500, timeoutMs = 600_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const h = await health();
        if (h.ingest.pending === 0) {
          return {
            storedAt: h.ingest.lastStoredAt ? Date.parse(h.ingest.lastStoredAt) : Date.now(),
            health: h,
          };
        }
        if (Date.now() > deadline)
          throw new Error(`journal not drained in ${timeoutMs} ms: ${h.ingest.pending} pending`);
        if (exitCode !== undefined) throw new Error(`platform exited with ${exitCode}:\n${output}`);
        await sleep(pollMs);
      }
    },
    memory() {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kb = (field: string) =>
        Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN);
      return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
    },
    secrets: () => readDemoCredentials(dataDir),
    shelves: () => api("GET", "/api/devices?kind=shelf"),
    async stop() {
      if (exitCode !== undefined) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Where BENCH_PROFILE=1 puts the platform processes' .cpuprofile files (open them in Chrome DevTools). */
export function profileDir(): string {
  return path.join(root, "test-artifacts", "bench-profiles");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
