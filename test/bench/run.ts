/**
 * `npm run bench`: figures for the foundation, printed as a table and written to
 * test-artifacts/bench.json. Not part of `npm test`; absolute numbers vary with the machine.
 *
 * - startup: `server/main.ts` from spawn to a healthy /api/health, on a fresh data dir (demo load)
 *   and again on the same dir (restart)
 * - ingest: QoS 1 SenML shelf readings from several MQTT clients; the acknowledged rate, and the
 *   end-to-end rate until the journal has nothing pending (stored in the time-series store and the
 *   shelf projection), beside a bare aedes broker with no hooks, also in its own process, as the
 *   baseline. The load generator is this process, on the same two cores.
 */

import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import mqtt from "mqtt";
import { readDemoCredentials } from "../../server/security/demo-credentials.ts";
import { senmlWeight, tempDataDir } from "../helpers/platform.ts";
import { startServerProcess } from "../helpers/process.ts";
import { computeBench } from "./compute.ts";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 40000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);

interface Row {
  figure: string;
  unit: string;
  value: number;
  baseline?: number;
  ratio?: number;
  command: string;
}

async function timeToHealthy(
  dataDir: string,
): Promise<{ ms: number; stop: () => Promise<unknown>; httpUrl: string; mqttUrl: string }> {
  const started = performance.now();
  // No per-device rate limit: the load generator stands for a few devices sending thousands a second.
  const server = await startServerProcess(dataDir, { LOG_LEVEL: "info", DEVICE_MAX_MSGS_PER_S: "0" });
  for (;;) {
    const response = await fetch(`${server.httpUrl}/api/health`).catch(() => undefined);
    if (response?.ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    ms: performance.now() - started,
    stop: () => server.stop("SIGTERM"),
    httpUrl: server.httpUrl,
    mqttUrl: server.mqttUrl,
  };
}

/** Publishes MESSAGES QoS 1 readings over CLIENTS connections, keeping a window in flight per client. */
async function publishLoad(
  url: string,
  topicFor: (client: number) => { topic: string; device: string },
  secrets: Record<string, { username: string; password: string }> = {},
): Promise<number> {
  // Against the platform each connection authenticates as the device it publishes for.
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) =>
      mqtt.connectAsync(url, {
        clientId: `bench-${i}-${process.pid}`,
        reconnectPeriod: 0,
        ...secrets[topicFor(i).device],
      }),
    ),
  );
  const perClient = Math.ceil(MESSAGES / CLIENTS);
  const base = Math.floor(Date.now() / 1000) - 3 * 86400;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, c) => {
      const { topic, device } = topicFor(c);
      const window = 200;
      let next = 0;
      const worker = async () => {
        while (next < perClient) {
          const i = next++;
          await client.publishAsync(topic, senmlWeight(device, 12 + (i % 50) * 1.2, base + i), { qos: 1 });
        }
      };
      await Promise.all(Array.from({ length: window }, worker));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.endAsync()));
  return (perClient * CLIENTS) / seconds;
}

async function bareBrokerRate(): Promise<number> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(import.meta.dirname, "bare-broker.ts")],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const port = await new Promise<string>((resolve) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/port (\d+)/);
      if (match) resolve(match[1] as string);
    });
  });
  try {
    return await publishLoad(`mqtt://127.0.0.1:${port}`, (c) => ({
      topic: `sites/NX-K01/shelf/BARE-${c}`,
      device: `BARE-${c}`,
    }));
  } finally {
    child.kill("SIGTERM");
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const dataDir = tempDataDir("reserve-bench-");

  const first = await timeToHealthy(dataDir);
  rows.push({
    figure: "startup to healthy, fresh data dir (loads demo)",
    unit: "ms",
    value: first.ms,
    baseline: 10000,
    ratio: first.ms / 10000,
    command: "npm run bench",
  });
  await first.stop();
  const again = await timeToHealthy(dataDir);
  rows.push({
    figure: "startup to healthy, restart",
    unit: "ms",
    value: again.ms,
    baseline: 10000,
    ratio: again.ms / 10000,
    command: "npm run bench",
  });

  // Site codes 1..22 have one registered shelf each: spread the load over them like real devices.
  const shelfOf = (c: number) => {
    const site = `NX-K${String((c % 22) + 1).padStart(2, "0")}`;
    return { topic: `sites/${site}/shelf/${site}-SH1`, device: `${site}-SH1` };
  };
  const bare = await bareBrokerRate();
  const ingestStarted = performance.now();
  const acked = await publishLoad(again.mqttUrl, shelfOf, readDemoCredentials(dataDir));
  for (;;) {
    const health = (await (await fetch(`${again.httpUrl}/api/health`)).json()) as {
      ingest: { pending: number };
    };
    if (health.ingest.pending === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const endToEnd = MESSAGES / ((performance.now() - ingestStarted) / 1000);
  rows.push({
    figure: `ingest acknowledged (QoS 1, ${CLIENTS} clients, ${MESSAGES} msgs)`,
    unit: "msg/s",
    value: acked,
    baseline: bare,
    ratio: acked / bare,
    command: "npm run bench",
  });
  rows.push({
    figure: "ingest end to end (journal drained into store + projection)",
    unit: "msg/s",
    value: endToEnd,
    baseline: bare,
    ratio: endToEnd / bare,
    command: "npm run bench",
  });
  await again.stop();
  rows.push(...(await computeBench()));

  const fmt = (n: number | undefined, digits = 0) => (n === undefined ? "" : n.toFixed(digits));
  const table = [
    "| figure | unit | value | baseline | ratio | command |",
    "|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.figure} | ${r.unit} | ${fmt(r.value)} | ${fmt(r.baseline)} | ${fmt(r.ratio, 2)} | \`${r.command}\` |`,
    ),
  ].join("\n");
  console.log(
    `\nbaseline for startup: the 10 s goal; for ingest: a bare aedes broker with no hooks, same load\n\n${table}\n`,
  );
  const out = path.resolve("test-artifacts");
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(
    path.join(out, "bench.json"),
    JSON.stringify({ at: new Date().toISOString(), rows }, null, 2),
  );
  fs.writeFileSync(path.join(out, "bench.md"), `${table}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
