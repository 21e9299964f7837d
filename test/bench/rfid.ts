/**
 * Batched RFID ingest: the demo's RFID readers (central and branch depots) publish Zebra IoT
 * Connector arrays of 50 tag reads, cycling through the tags registered to their site, read on the
 * storage antennas (so tags become present and then are only sighted, as on a real shelf).
 */
import { encodeSgtin96 } from "../../server/ingest/decoders/epc.ts";
import { type BenchContext, log, platformRun, settings } from "./context.ts";
import type { ConnectionSpec } from "./loadgen.ts";
import { type BenchPlatform, startPlatformProcess } from "./platform-process.ts";
import { command, type Row, row } from "./report.ts";

export const READS_PER_MESSAGE = 50;

export interface Reader {
  id: string;
  siteCode: string;
  topic: string;
  antennas: Array<{ antenna: number; role: string; zone: string }>;
}

export interface TagRange {
  gtin14: string;
  companyPrefixDigits: number | null;
  serialFrom: number;
  serialTo: number;
  itemTypeCode: string;
  siteCode: string | null;
}

/** The EPCs (upper-case hex SGTIN-96) of the ranges registered to a site. */
export async function siteEpcs(platform: BenchPlatform, siteCode: string): Promise<string[]> {
  const { ranges } = await platform.api<{ ranges: TagRange[] }>("GET", `/api/tags?siteCode=${siteCode}`);
  return ranges.flatMap((r) =>
    Array.from({ length: r.serialTo - r.serialFrom + 1 }, (_, i) =>
      encodeSgtin96(r.gtin14, r.companyPrefixDigits ?? 7, r.serialFrom + i).toUpperCase(),
    ),
  );
}

/** One connection per reader, authenticated as it, reading `epcs(reader)` on its storage antennas. */
export function readerConnections(
  readers: Reader[],
  secrets: Record<string, { password: string }>,
  epcs: (reader: Reader) => string[],
): ConnectionSpec[] {
  return readers.map((reader) => {
    const storage = reader.antennas.filter((a) => a.role === "storage").map((a) => a.antenna);
    return {
      clientId: `bench-${reader.id}`,
      username: reader.id,
      password: secrets[reader.id]?.password as string,
      topic: reader.topic,
      message: {
        kind: "rfid",
        deviceId: reader.id,
        epcs: epcs(reader),
        readsPerMessage: READS_PER_MESSAGE,
        antennas: storage.length > 0 ? storage : [1],
      },
    };
  });
}

export async function rfidSection(ctx: BenchContext): Promise<Row[]> {
  const platform = await startPlatformProcess(ctx.tempDir("rfid"));
  try {
    const readers = await platform.api<Reader[]>("GET", "/api/devices?kind=rfid");
    const tags = new Map<string, string[]>();
    for (const r of readers) tags.set(r.siteCode, await siteEpcs(platform, r.siteCode));
    const connections = readerConnections(readers, platform.secrets(), (r) => tags.get(r.siteCode) ?? []);
    const tagCount = [...tags.values()].reduce((n, list) => n + list.length, 0);
    log(`rfid: ${readers.length} readers, ${tagCount} registered tags, ${settings.rfidSeconds} s`);

    const { result, e2e, problems } = await platformRun(ctx, platform, "rfid", {
      connections,
      window: settings.rfidWindow,
      seconds: settings.rfidSeconds,
    });
    // Every tag was read at least twice on a storage antenna, so all must be present.
    let present = 0;
    for (const r of readers) {
      const list = await platform.api<unknown[]>("GET", `/api/sites/${r.siteCode}/tags?present=true`);
      present += list.length;
    }
    if (present !== tagCount) problems.push(`${present} of ${tagCount} tags present`);
    const detail = {
      readers: readers.length,
      tags: tagCount,
      tagsPresent: present,
      messages: result.acked,
      readsPerMessage: READS_PER_MESSAGE,
      window: settings.rfidWindow,
      ackLatencyMs: result.ackLatency,
      problems,
    };
    return [
      row({
        section: "rfid",
        figure: `RFID acknowledged, Zebra arrays of ${READS_PER_MESSAGE} reads, ${readers.length} readers`,
        unit: "reads/s",
        value: result.ackRate * READS_PER_MESSAGE,
        command: command("rfid"),
        detail,
      }),
      row({
        section: "rfid",
        figure: "RFID end to end (journaled, stored, presence projected)",
        unit: "reads/s",
        value: e2e.rate * READS_PER_MESSAGE,
        goals: [{ kind: "min", on: "value", limit: 250_000 }],
        command: command("rfid"),
      }),
    ];
  } finally {
    await platform.stop();
  }
}
