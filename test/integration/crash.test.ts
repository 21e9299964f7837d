import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import mqtt, { type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { readDemoCredentials } from "../../server/security/demo-credentials.ts";
import { senmlWeight, tempDataDir, waitFor } from "../helpers/platform.ts";
import { apiGet, type RunningProcess, startServerProcess } from "../helpers/process.ts";

const CLIENTS = 4;
/** QoS 1 messages each client keeps in flight: it publishes the next as soon as a PUBACK returns. */
const WINDOW = 32;
/** Each round kills the server once this many PUBACKs of the round have arrived, mid-stream. */
const KILL_AFTER_ACKS = 2000;
/**
 * Crash rounds on the same data dir. A kill lands between an acknowledgement and its commit only
 * some of the time, so one round alone would often miss an acknowledge-before-write bug; each
 * round after the first also starts while the previous crash's journal may still be replaying.
 */
const ROUNDS = 3;

/** The per-device rate limit (on by default) would only delay the PUBACKs: this is about the journal. */
const ENV = { DEVICE_MAX_MSGS_PER_S: "0" };

const getJson = async (url: string) => (await apiGet(url)).json() as Promise<any>;

/**
 * One device's readings: sequence number seq is published with time base + seq s and value
 * seq / 1000 kg (grams, so thousands of readings stay within a demo shelf's capacity).
 */
interface Stream {
  deviceId: string;
  topic: string;
  password: string;
  sent: number;
  acked: number[];
}

describe("a crash in the middle of a heavy ingest stream", () => {
  let server: RunningProcess | undefined;
  let dataDir: string | undefined;
  const clients: MqttClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await server?.stop("SIGKILL");
    server = undefined;
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  /** Publishes from every stream until the server, killed after KILL_AFTER_ACKS acks, is gone. */
  async function streamAndKill(running: RunningProcess, streams: Stream[], base: number) {
    let acks = 0;
    let killed: Promise<number | string | null> | undefined;
    const publishUntilClosed = async (stream: Stream) => {
      const client = await mqtt.connectAsync(running.mqttUrl, {
        clientId: `crash-${stream.deviceId}`,
        username: stream.deviceId,
        password: stream.password,
        reconnectPeriod: 0,
      });
      clients.push(client);
      // The killed broker resets the connection; that error is the point, not a failure.
      client.on("error", () => {});
      const closed = new Promise<false>((resolve) => client.once("close", () => resolve(false)));
      const worker = async () => {
        while (!killed || client.connected) {
          const seq = stream.sent++;
          const ok = await Promise.race([
            client
              .publishAsync(stream.topic, senmlWeight(stream.deviceId, seq / 1000, base + seq), { qos: 1 })
              .then(
                () => true,
                () => false,
              ),
            closed,
          ]);
          if (!ok) return;
          stream.acked.push(seq);
          // SIGKILL from inside the stream, at once: every client has messages in flight.
          if (++acks === KILL_AFTER_ACKS) killed = running.stop("SIGKILL");
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, worker));
    };
    await Promise.all(streams.map(publishUntilClosed));
    expect(await killed).toBe("SIGKILL");
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    return acks;
  }

  it("stores every acknowledged reading exactly once after SIGKILLs and restarts", {
    timeout: 60_000,
  }, async () => {
    dataDir = tempDataDir("reserve-crash-");
    server = await startServerProcess(dataDir, ENV);
    const shelves = (await getJson(`${server.httpUrl}/api/devices?kind=shelf`)) as Array<{
      id: string;
      topic: string;
    }>;
    // The demo's first start wrote the devices' secrets where the simulators (and this test) read them.
    const secrets = readDemoCredentials(dataDir);
    const streams: Stream[] = shelves.slice(0, CLIENTS).map((shelf) => ({
      deviceId: shelf.id,
      topic: shelf.topic,
      password: secrets[shelf.id]?.password ?? "",
      sent: 0,
      acked: [],
    }));
    expect(streams.filter((s) => s.password)).toHaveLength(CLIENTS);
    const base = Math.floor(Date.now() / 1000) - 2 * 86400;

    const rounds: string[] = [];
    let recoverMs = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const acks = await streamAndKill(server, streams, base);
      // Restart on the same data dir: rows the crash left pending are stored before new ones.
      const restarting = Date.now();
      server = await startServerProcess(dataDir, ENV);
      rounds.push(
        `round ${round}: ${acks} acks, restart ready in ${((Date.now() - restarting) / 1000).toFixed(1)} s`,
      );
      if (round === ROUNDS) {
        const running = server;
        await waitFor(
          async () =>
            (await getJson(`${running.httpUrl}/api/health`)).ingest.pending === 0 ? true : undefined,
          "the journal drained after the restart",
          20_000,
        );
        recoverMs = Date.now() - restarting;
      }
    }
    const running = server;
    const health = await getJson(`${running.httpUrl}/api/health`);
    expect(health.ingest.lastError).toBeNull();

    let stored = 0;
    for (const stream of streams) {
      const from = new Date((base - 1) * 1000).toISOString();
      const to = new Date((base + stream.sent + 1) * 1000).toISOString();
      const { points } = await getJson(
        `${running.httpUrl}/api/readings?device=${stream.deviceId}&measurement=weight&from=${from}&to=${to}&limit=100000`,
      );
      const readings = (points as Array<{ time: string; value: number }>).map((p) => ({
        seq: Date.parse(p.time) / 1000 - base,
        value: p.value,
      }));
      // Each reading is the one published with its sequence number, and was published at all.
      const foreign = readings.filter((r) => r.value !== r.seq / 1000 || r.seq < 0 || r.seq >= stream.sent);
      expect(foreign.slice(0, 5), `${stream.deviceId}: readings never published`).toEqual([]);
      const seqs = readings.map((r) => r.seq);
      expect(new Set(seqs).size, `${stream.deviceId}: a reading stored twice`).toBe(seqs.length);
      const found = new Set(seqs);
      const lost = stream.acked.filter((seq) => !found.has(seq));
      expect(lost, `${stream.deviceId}: acknowledged readings lost in a crash`).toEqual([]);
      stored += seqs.length;
    }
    // The journal agrees: one stored row per stored reading, none pending, none dead.
    expect(health.ingest).toMatchObject({ stored, pending: 0, deadLetters: 0 });

    // A clean stop, then the journal itself, read-only: no message was journaled twice.
    expect(await running.stop("SIGTERM")).toBe(0);
    server = undefined;
    const db = new Database(path.join(dataDir, "reserve.db"), { readonly: true, fileMustExist: true });
    try {
      const twice = db
        .prepare("SELECT topic, count(*) AS n FROM ingest_journal GROUP BY topic, payload HAVING n > 1")
        .all();
      expect(twice, "messages journaled more than once").toEqual([]);
      expect(db.prepare("SELECT state, count(*) AS n FROM ingest_journal GROUP BY state").all()).toEqual([
        { state: 1, n: stored },
      ]);
    } finally {
      db.close();
    }

    const acknowledged = streams.reduce((n, s) => n + s.acked.length, 0);
    const sent = streams.reduce((n, s) => n + s.sent, 0);
    console.log(
      `crash: ${CLIENTS} clients, ${ROUNDS} SIGKILLs mid-stream (${rounds.join("; ")}): ${sent} readings sent, ` +
        `${acknowledged} acknowledged, ${stored} stored after the last restart (every acknowledged one, ` +
        `plus ${stored - acknowledged} of the ${sent - acknowledged} unacknowledged); ` +
        `last restart to journal drained ${(recoverMs / 1000).toFixed(1)} s`,
    );
  });
});
