import mqtt from "mqtt";
import { readDemoCredentials } from "../../server/security/demo-credentials.ts";
import { startTestPlatform } from "../helpers/platform.ts";

const t = await startTestPlatform({ env: { MAX_PAYLOAD_BYTES: "32768" } });
const creds = readDemoCredentials(t.dataDir);
const as = (id: string) =>
  mqtt.connectAsync(t.platform.mqttUrl, {
    clientId: id + Math.random(),
    username: creds[id]!.username,
    password: creds[id]!.password,
    reconnectPeriod: 0,
  });
const attempt = async (topic: string, payload: string | Buffer) => {
  const c = await as("NX-C01-SH1");
  c.on("error", (e) => console.log("  error event", e.message));
  const r = await Promise.race([
    c.publishAsync(topic, payload, { qos: 1 }).then(
      () => "acked",
      (e) => `rejected: ${e.message}`,
    ),
    new Promise((res) => c.once("close", () => res("closed"))),
    new Promise((res) => setTimeout(() => res("timeout"), 2000)),
  ]);
  console.log(JSON.stringify(topic).slice(0, 60), "->", r, "connected", c.connected);
  await c.endAsync(true);
};
await attempt("", "x");
await attempt("sites/+/shelf/x", "x");
await attempt("sites/NX-C01/shelf/#", "x");
await attempt("sites/\u0000/shelf/x", "x");
await attempt("$SYS/x", "x");
await attempt("sites/NX-C01/shelf/NX-C01-SH1", Buffer.alloc(0));
await attempt("sites/NX-C01/shelf/NX-C01-SH1", Buffer.from([0xff, 0xfe, 0xc3, 0x28]));
await attempt("sites/NX-C01/status/NX-C01-SH1", '{"online":true}');
await attempt(
  "sites/NX-C01/shelf/NX-C01-SH1",
  '[{"bn":"urn:dev:shelf:NX-C01-SH1:","bt":1795443427,"bv":1e308,"n":"weight","u":"kg","v":1e308}]',
);
await attempt("sites/NX-C01/shelf/NX-C01-SH1", Buffer.alloc(40000, 0x41));
await new Promise((r) => setTimeout(r, 500));
const dl = (await t.http("/api/dead-letters?limit=50")).body;
console.log(
  dl.total,
  dl.items.map((i: any) => [i.topic.slice(0, 40), i.reason.slice(0, 150)]),
);
console.log((await t.http("/api/health")).body.ingest);
await t.stop();
