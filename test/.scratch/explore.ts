import mqtt from "mqtt";
import { readDemoCredentials } from "../../server/security/demo-credentials.ts";
import { senmlWeight, startTestPlatform } from "../helpers/platform.ts";

const t = await startTestPlatform({ env: { MAX_PAYLOAD_BYTES: "32768" } });
const devs = (await t.http("/api/devices")).body as any[];
console.log(
  "devices",
  devs.length,
  devs.slice(0, 6).map((d) => [d.id, d.kind, d.topic]),
);
const creds = readDemoCredentials(t.dataDir);
const as = (id: string) =>
  mqtt.connectAsync(t.platform.mqttUrl, {
    clientId: id + Math.random(),
    username: creds[id]!.username,
    password: creds[id]!.password,
    reconnectPeriod: 0,
  });

const at = Math.floor(Date.now() / 1000) - 100;
const shelf = "sites/NX-C01/shelf/NX-C01-SH1";
const env = devs.find((d) => d.kind === "env" && d.siteCode === "NX-C01");
const rfid = devs.find((d) => d.kind === "rfid");
console.log(env.topic, rfid.topic);
const tries: Array<[string, string | Buffer]> = [
  [
    shelf,
    '[{"bn":"urn:dev:shelf:NX-C01-SH1:","bt":' +
      at +
      ',"n":"weight","u":"kg","v":20},{"n":"x","u":"constructor","v":1}]',
  ],
  [
    env.topic,
    '[{"bn":"urn:dev:env:X:","bt":' +
      (at + 1) +
      ',"n":"temp","u":"Cel","v":20},{"n":"hum","u":"__proto__","v":1}]',
  ],
  [
    shelf,
    '[{"bn":"urn:dev:shelf:NX-C01-SH1:","bt":' + (at + 2) + ',"bv":1e308,"n":"weight","u":"kg","v":1e308}]',
  ],
  [shelf, senmlWeight("NX-C02-SH1", 20, at + 3)],
  [shelf, '[{"bn":"urn:dev:shelf:NX-C01-SH1:","bt":' + (at + 4) + ',"n":"weight","u":"kg","v":1e308}]'],
  [env.topic, '[{"bn":"urn:dev:env:X:","bt":' + (at + 5) + ',"n":"temp","u":"Far","v":99}]'],
  [shelf, "[".repeat(10000) + "]".repeat(10000)],
  [
    rfid.topic,
    `{"type":"SIMPLE","timestamp":"2026-11-20T08:15:02.120+0000","data":{"idHex":${"[".repeat(10000) + "]".repeat(10000)}}}`,
  ],
  [
    rfid.topic,
    '{"type":"SIMPLE","timestamp":"2026-11-20T08:15:02.120+0000","data":{"idHex":"3074257bf7194e4000001a85","reads":1e308}}',
  ],
  [env.topic, '{"__proto__":{"polluted":1},"temperature":20}'],
  [
    rfid.topic,
    '{"timestamp":"2026-11-20T00:15:02.123456789Z","__proto__Event":{"a":1},"constructor":{"x":1}}',
  ],
  [
    rfid.topic,
    '{"timestamp":"2026-11-20T00:15:02.123456789Z","inventoryStatusEvent":{"__proto__":{"polluted":1}}}',
  ],
  ["sites/NX-C01/shelf/NX-C01-SH1/extra", "x"],
  ["sites//shelf/x", "x"],
];
const conns = new Map<string, any>();
for (const [topic, payload] of tries) {
  const dev = topic.split("/")[3]!;
  let c = conns.get(dev);
  if (!c || !c.connected) {
    try {
      c = await as(creds[dev] ? dev : "NX-C01-SH1");
      conns.set(dev, c);
    } catch (e) {
      console.log("conn fail", dev, (e as Error).message);
      continue;
    }
  }
  try {
    await Promise.race([
      c.publishAsync(topic, payload, { qos: 1 }),
      new Promise((_, rej) => c.once("close", () => rej(new Error("closed")))),
    ]);
    console.log("acked", topic.slice(0, 40), String(payload).slice(0, 60));
  } catch (e) {
    console.log("refused", topic, (e as Error).message);
  }
}
await new Promise((r) => setTimeout(r, 1500));
console.log((await t.http("/api/health")).body);
const dl = (await t.http("/api/dead-letters?limit=50")).body;
console.log(
  dl.total,
  dl.items.map((i: any) => i.reason.slice(0, 150)),
);
console.log((await t.http("/api/readings?device=NX-C01-SH1&from=2000-01-01T00:00:00Z")).body.points);
const s = await t.http("/api/sites/NX-C01/stock");
console.log(s.status, JSON.stringify(s.body).slice(0, 300));
console.log(({} as any).polluted);
for (const q of ["", ""]) {
}
const c = await as("NX-C01-SH1");
try {
  await Promise.race([
    c.publishAsync("", "x", { qos: 1 }),
    new Promise((_, rej) => c.once("close", () => rej(new Error("closed")))),
  ]);
  console.log("empty topic acked");
} catch (e) {
  console.log("empty topic refused", (e as Error).message);
}
try {
  await Promise.race([
    c.publishAsync("sites/+/shelf/x", "x", { qos: 1 }),
    new Promise((_, rej) => c.once("close", () => rej(new Error("closed")))),
  ]);
  console.log("wild acked");
} catch (e) {
  console.log("wild refused", (e as Error).message);
}
try {
  await Promise.race([
    c.publishAsync("sites/\u0000/shelf/x", "x", { qos: 1 }),
    new Promise((_, rej) => c.once("close", () => rej(new Error("closed")))),
  ]);
  console.log("nul acked");
} catch (e) {
  console.log("nul refused", (e as Error).message);
}
console.log("connected", c.connected);
await t.stop();
