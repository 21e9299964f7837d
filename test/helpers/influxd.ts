import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const INFLUXD = "/usr/bin/influxd";
const READY_TIMEOUT_MS = 15000;

/** Servers still running: killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
/** Kills the server if the test process exits without stopping it. */
export function killOnExit(proc: ChildProcess): void {
  running.add(proc);
  proc.once("exit", () => running.delete(proc));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const p of running) p.kill("SIGKILL");
  });
}

export interface RunningInfluxd {
  url: string;
  port: number;
  dataDir: string;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL, then waits for the process to exit: a crash or a pulled plug. */
  kill(): Promise<void>;
  /** Starts again on the same HTTP port and data dir (stops the running process first). */
  restart(): Promise<void>;
}

/** Whether the InfluxDB 1.x server binary is installed here. */
export function influxdAvailable(): boolean {
  try {
    fs.accessSync(INFLUXD, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A port nobody listens on right now: bind port 0 on loopback, read it, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}

/**
 * Runs a private InfluxDB 1.x server (`influxd -config <tmp>`) on loopback: its own meta, data and
 * WAL dirs, HTTP and RPC on free ports (the RPC service would otherwise take 8088 and a second
 * instance would fail), no reporting, no _internal monitor database, auth off, quiet logs.
 * Resolves once GET /ping answers 204.
 */
export async function startInfluxd(options: { dataDir?: string } = {}): Promise<RunningInfluxd> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "reserve-influxd-"));
  fs.mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = async () => {
    // The RPC (backup/restore) port is new on every start: only the HTTP port must stay the same.
    const rpcPort = await freePort();
    const configPath = path.join(dataDir, "influxd.conf");
    fs.writeFileSync(configPath, configText(dataDir, port, rpcPort));
    let stderr = "";
    const proc = spawn(INFLUXD, ["-config", configPath], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, INFLUXDB_REPORTING_DISABLED: "true" },
    });
    proc.stderr?.setEncoding("utf8");
    proc.stderr?.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-8000);
    });
    child = proc;
    killOnExit(proc);
    let exitInfo: string | undefined;
    exited = new Promise<void>((resolve) => {
      proc.once("exit", (code, signal) => {
        exitInfo = `exit ${code ?? signal}`;
        resolve();
      });
      proc.once("error", (error) => {
        exitInfo = `spawn error: ${error.message}`;
        resolve();
      });
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exitInfo !== undefined) {
        throw new Error(`influxd ended before it was ready (${exitInfo}):\n${stderr}`);
      }
      if (await pingOk(url)) return;
      if (Date.now() > deadline) {
        await signalAndWait("SIGKILL");
        throw new Error(`influxd did not answer /ping with 204 within ${READY_TIMEOUT_MS} ms:\n${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const signalAndWait = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
    child = undefined;
  };

  await launch();
  return {
    url,
    port,
    dataDir,
    stop: () => signalAndWait("SIGTERM"),
    kill: () => signalAndWait("SIGKILL"),
    async restart() {
      await signalAndWait("SIGTERM");
      await launch();
    },
  };
}

async function pingOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.status === 204;
  } catch {
    return false;
  }
}

function configText(dataDir: string, httpPort: number, rpcPort: number): string {
  const dir = (name: string) => JSON.stringify(path.join(dataDir, name));
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = ${dir("meta")}
  logging-enabled = false

[data]
  dir = ${dir("data")}
  wal-dir = ${dir("wal")}
  query-log-enabled = false

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = false
  log-enabled = false
  pprof-enabled = false

[logging]
  level = "error"
  suppress-logo = true

[continuous_queries]
  log-enabled = false
`;
}
