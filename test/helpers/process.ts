import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { readDemoUsers } from "../../server/security/demo-credentials.ts";

const root = path.resolve(import.meta.dirname, "../..");

export interface RunningProcess {
  child: ChildProcess;
  httpUrl: string;
  mqttUrl: string;
  output(): string;
  /** Sends the signal and resolves with the exit code (or signal name). */
  stop(signal: NodeJS.Signals): Promise<number | string | null>;
}

const tokens = new Map<string, string>();

/** A GET to a server process started here, as its demo admin (logged in when it became ready). */
export function apiGet(url: string): Promise<Response> {
  const token = tokens.get(new URL(url).origin);
  return fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

/**
 * Runs `server/main.ts` as its own process, exactly as `npm start` does, on free ports, and waits for
 * the ready line, from which it reads the URLs.
 */
export async function startServerProcess(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<RunningProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "server/main.ts")], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: "0",
      MQTT_PORT: "0",
      HOST: "127.0.0.1",
      MQTT_HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      SIMULATE: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | string | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal)),
  );
  const ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not become ready:\n${output}`)), 20000);
    const check = () => {
      const match = output.match(
        /open (http:\/\/[^/\s]+)\/ in a browser.*devices publish to (mqtt:\/\/\S+) on/,
      );
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout?.on("data", check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${output}`));
    });
  });
  const httpUrl = ready[1] as string;
  const admin = readDemoUsers(dataDir).admin;
  if (admin) {
    const response = await fetch(`${httpUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: admin.password }),
    });
    if (response.ok) {
      const { token } = (await response.json()) as { token: string };
      tokens.set(new URL(httpUrl).origin, token);
    }
  }
  return {
    child,
    httpUrl,
    mqttUrl: ready[2] as string,
    output: () => output,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
