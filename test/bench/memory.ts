/**
 * The server's memory with a network larger than the demo: BENCH_MEMORY_DEVICES more devices, all
 * connected and publishing lightly, and BENCH_MEMORY_TAGS registered tags, every one read and
 * present (the presence tracker holds each tag's state in memory). VmRSS from /proc/<pid>/status.
 *
 * The API has no route to create a device (only to issue its credentials), so the devices are
 * written into the database while the platform is stopped, as a migration or import would.
 */
import path from "node:path";
import Database from "better-sqlite3";
import { encodeSgtin96 } from "../../server/ingest/decoders/epc.ts";
import { type BenchContext, checkRun, log, settings, watch } from "./context.ts";
import type { ConnectionSpec } from "./loadgen.ts";
import { type BenchPlatform, sleep, startPlatformProcess } from "./platform-process.ts";
import { command, num, type Row, row } from "./report.ts";
import { READS_PER_MESSAGE, type Reader, readerConnections, type TagRange } from "./rfid.ts";

const TAGS_PER_RANGE = 1000;
const FIRST_SERIAL = 10_000_000;

/** Adds `count` environment sensors, spread over the sites; returns their ids and sites. */
function insertDevices(dataDir: string, count: number): Array<{ id: string; siteCode: string }> {
  const db = new Database(path.join(dataDir, "reserve.db"));
  try {
    const sites = (db.prepare("SELECT code FROM sites ORDER BY code").all() as Array<{ code: string }>).map(
      (s) => s.code,
    );
    const devices = Array.from({ length: count }, (_, i) => ({
      id: `BENCH-ENV-${String(i + 1).padStart(5, "0")}`,
      siteCode: sites[i % sites.length] as string,
    }));
    const insert = db.prepare(
      "INSERT INTO devices (id, site_code, kind, name, model) VALUES (?, ?, 'env', ?, 'bench sensor')",
    );
    db.transaction(() => {
      for (const d of devices) insert.run(d.id, d.siteCode, `Bench sensor ${d.id}`);
    })();
    return devices;
  } finally {
    db.close();
  }
}

/** Registers `count` tags as SGTIN ranges of the demo's tagged item, spread over the readers' sites. */
async function registerTags(
  platform: BenchPlatform,
  readers: Reader[],
  count: number,
): Promise<Map<string, string[]>> {
  const { ranges: demo } = await platform.api<{ ranges: TagRange[] }>(
    "GET",
    `/api/tags?siteCode=${readers[0]?.siteCode}`,
  );
  const template = demo[0];
  if (!template) throw new Error("no demo tag range to take a GTIN from");
  const ranges: Array<TagRange & { units: number }> = [];
  const epcs = new Map<string, string[]>(readers.map((r) => [r.siteCode, []]));
  for (let k = 0; k * TAGS_PER_RANGE < count; k++) {
    const siteCode = (readers[k % readers.length] as Reader).siteCode;
    const serialFrom = FIRST_SERIAL + k * TAGS_PER_RANGE;
    const serialTo = serialFrom + Math.min(TAGS_PER_RANGE, count - k * TAGS_PER_RANGE) - 1;
    ranges.push({ ...template, serialFrom, serialTo, siteCode, units: 1 });
    const list = epcs.get(siteCode) as string[];
    for (let s = serialFrom; s <= serialTo; s++) {
      list.push(encodeSgtin96(template.gtin14, template.companyPrefixDigits ?? 7, s).toUpperCase());
    }
  }
  const registered = await platform.api<{ ranges: number; tags: number }>("POST", "/api/tags", {
    ranges: ranges.map((r) => ({
      gtin14: r.gtin14,
      companyPrefixDigits: r.companyPrefixDigits,
      serialFrom: r.serialFrom,
      serialTo: r.serialTo,
      itemTypeCode: r.itemTypeCode,
      siteCode: r.siteCode,
      units: r.units,
    })),
  });
  log(`memory: registered ${registered.ranges} ranges, ${count} tags`);
  return epcs;
}

/** Issues every device its secret through the API, a few at a time (each is a full-cost scrypt). */
async function issueSecrets(platform: BenchPlatform, ids: string[]): Promise<Map<string, string>> {
  const secrets = new Map<string, string>();
  const queue = [...ids];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        const issued = await platform.api<{ password: string }>("POST", `/api/devices/${id}/credentials`);
        secrets.set(id, issued.password);
      }
    }),
  );
  return secrets;
}

export async function memorySection(ctx: BenchContext): Promise<Row[]> {
  const dataDir = ctx.tempDir("memory");
  const first = await startPlatformProcess(dataDir);
  await first.stop();
  const devices = insertDevices(dataDir, settings.memoryDevices);
  const platform = await startPlatformProcess(dataDir);
  try {
    const idle = platform.memory();
    // RSS after each step, to see where memory goes.
    const steps: Record<string, number> = { started: idle.rssMb };
    const readers = await platform.api<Reader[]>("GET", "/api/devices?kind=rfid");
    const epcs = await registerTags(platform, readers, settings.memoryTags);
    steps.tagsRegistered = platform.memory().rssMb;

    let started = performance.now();
    const secrets = await issueSecrets(
      platform,
      devices.map((d) => d.id),
    );
    const issueSeconds = (performance.now() - started) / 1000;
    log(`memory: issued ${secrets.size} device secrets in ${issueSeconds.toFixed(1)} s`);
    steps.secretsIssued = platform.memory().rssMb;

    // Every new tag read twice on a storage antenna: present, with its state in the tracker.
    const perReader = Math.max(
      ...[...epcs.values()].map((list) => Math.ceil((2 * list.length) / READS_PER_MESSAGE)),
    );
    const reads = await watch(
      ctx.generator.run({
        host: platform.mqttHost,
        port: platform.mqttPort,
        connections: readerConnections(
          readers.filter((r) => (epcs.get(r.siteCode)?.length ?? 0) > 0),
          platform.secrets(),
          (r) => epcs.get(r.siteCode) ?? [],
        ),
        window: settings.rfidWindow,
        messagesPerConnection: perReader,
      }),
      "tag reads",
    );
    const problems = checkRun(reads, "tag reads");
    await platform.drained();
    steps.tagsPresent = platform.memory().rssMb;
    let present = 0;
    for (const r of readers) {
      present += (await platform.api<unknown[]>("GET", `/api/sites/${r.siteCode}/tags?present=true`)).length;
    }
    if (present < settings.memoryTags)
      problems.push(`${present} tags present, fewer than ${settings.memoryTags}`);

    // All devices connected and publishing lightly.
    const connections: ConnectionSpec[] = devices.map((d) => ({
      clientId: `bench-${d.id}`,
      username: d.id,
      password: secrets.get(d.id) as string,
      topic: `sites/${d.siteCode}/env/${d.id}`,
      message: { kind: "env", deviceId: d.id },
    }));
    started = performance.now();
    const hold = ctx.generator.run({
      host: platform.mqttHost,
      port: platform.mqttPort,
      connections,
      window: 10,
      rate: settings.memoryRate,
    });
    const connected = await hold.connected;
    steps.devicesConnected = platform.memory().rssMb;
    log(`memory: ${connected.connections} devices connected in ${(connected.ms / 1000).toFixed(1)} s`);
    await sleep(5000);
    const health = await platform.health();
    const memory = platform.memory();
    hold.stop();
    problems.push(...checkRun(await hold.done, "device connections"));
    if (health.mqtt?.connectedClients !== connections.length) {
      problems.push(`${health.mqtt?.connectedClients} clients connected, not ${connections.length}`);
    }
    log(`memory: VmRSS ${num(memory.rssMb)} MB (peak ${num(memory.peakMb)} MB; ${num(idle.rssMb)} MB idle)`);
    return [
      row({
        section: "memory",
        figure: `server RSS, ${num(connections.length)} devices connected, ${num(settings.memoryTags)} tags registered and present`,
        unit: "MB",
        value: memory.rssMb,
        goals: [{ kind: "max", on: "value", limit: 512 }],
        command: command("memory"),
        detail: {
          idleRssMb: idle.rssMb,
          rssMbAfter: steps,
          peakRssMb: memory.peakMb,
          devices: connections.length,
          connectedClients: health.mqtt?.connectedClients,
          connectSeconds: connected.ms / 1000,
          issueSecretsSeconds: issueSeconds,
          tagsPresent: present,
          tagReadMessages: reads.acked,
          problems,
        },
      }),
      row({
        section: "memory",
        figure: "server peak RSS (VmHWM) over the same run",
        unit: "MB",
        value: memory.peakMb,
        command: command("memory"),
      }),
    ];
  } finally {
    await platform.stop();
  }
}
