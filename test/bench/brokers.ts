/**
 * The ingest baselines, each in its own process like the platform: aedes with no hooks
 * (bare-broker.ts) and, when installed, Mosquitto with persistence off. Both accept anonymous
 * clients; the load generator sends them the same packets as the platform.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "../helpers/influxd.ts";
import { killOnExit, sleep } from "./platform-process.ts";

export interface RunningBroker {
  host: string;
  port: number;
  stop(): Promise<void>;
}

export async function startBareAedes(): Promise<RunningBroker> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(import.meta.dirname, "bare-broker.ts")],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  killOnExit(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/port (\d+)/);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error(`bare aedes exited before listening: ${out}`)));
  });
  return {
    host: "127.0.0.1",
    port,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** mosquitto's path: on PATH, or Debian's /usr/sbin (not on every user's PATH). */
export function findMosquitto(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/usr/local/sbin"];
  for (const dir of dirs) {
    const candidate = path.join(dir, "mosquitto");
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function startMosquitto(binary: string): Promise<RunningBroker> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reserve-bench-mosquitto-"));
  const config = path.join(dir, "mosquitto.conf");
  fs.writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence false",
      // Its own queue limits are for outgoing messages; nobody subscribes here.
      "log_dest stderr",
      "log_type error",
      "",
    ].join("\n"),
  );
  let output = "";
  const child = spawn(binary, ["-c", config], { stdio: ["ignore", "ignore", "pipe"] });
  killOnExit(child);
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  let ended = false;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      ended = true;
      resolve();
    }),
  );
  // Ready once the port accepts a connection.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (ended) throw new Error(`mosquitto exited: ${output}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) break;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}: ${output}`);
    await sleep(20);
  }
  return {
    host: "127.0.0.1",
    port,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
