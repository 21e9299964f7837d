import { execFile } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { promisify } from "node:util";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config.ts";
import {
  senmlWeight,
  startTestPlatform,
  type TestPlatform,
  tempDataDir,
  waitFor,
} from "../helpers/platform.ts";

const run = promisify(execFile);

/** GET over HTTPS trusting only the test's own certificate. */
function httpsGet(
  url: string,
  ca: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on("error", reject);
  });
}

describe("TLS when a certificate is configured", () => {
  let t: TestPlatform;
  let cert: Buffer;
  let certFile: string;
  let keyFile: string;
  beforeAll(async () => {
    // A self-signed certificate for localhost, made by Debian's openssl.
    const dir = tempDataDir("reserve-tls-");
    certFile = path.join(dir, "cert.pem");
    keyFile = path.join(dir, "key.pem");
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ]);
    cert = fs.readFileSync(certFile);
    t = await startTestPlatform({ env: { TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile, MQTTS_PORT: "0" } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("serves the API over HTTPS only, with HSTS", async () => {
    expect(t.platform.httpUrl.startsWith("https://")).toBe(true);
    const { status, headers } = await httpsGet(
      `${t.platform.httpUrl.replace("localhost", "127.0.0.1")}/api/health`,
      cert,
    );
    expect(status).toBe(200);
    expect(headers["strict-transport-security"]).toBe("max-age=31536000");
    // Plain HTTP on the same port gets no answer a browser would accept.
    const plain = t.platform.httpUrl.replace("https://", "http://");
    await expect(fetch(`${plain}/api/health`)).rejects.toThrow();
    // A client that does not trust the certificate is refused by TLS itself.
    await expect(fetch(`${t.platform.httpUrl}/api/health`)).rejects.toThrow();
  });

  it("takes device readings over MQTT with TLS, authenticated as usual", async () => {
    expect(t.platform.mqttsUrl).toMatch(/^mqtts:\/\//);
    const device = await mqtt.connectAsync(t.platform.mqttsUrl as string, {
      ca: cert,
      servername: "localhost",
      username: "NX-K02-SH1",
      password: await t.secretOf("NX-K02-SH1"),
      reconnectPeriod: 0,
    });
    await device.publishAsync(
      "sites/NX-K02/shelf/NX-K02-SH1",
      senmlWeight("NX-K02-SH1", 20, Math.floor(Date.now() / 1000) - 5),
      { qos: 1 },
    );
    await device.endAsync();
    const readings = await waitFor(async () => {
      const { status, body } = await httpsGet(
        `${t.platform.httpUrl.replace("localhost", "127.0.0.1")}/api/readings?device=NX-K02-SH1`,
        cert,
        await t.headers(),
      );
      const points = status === 200 ? (JSON.parse(body) as { points: unknown[] }).points : [];
      return points.length > 0 ? points : undefined;
    }, "the reading sent over TLS");
    expect(readings).toEqual([expect.objectContaining({ measurement: "weight", value: 20 })]);
    // Wrong secret over TLS is refused like over TCP.
    const refused = await mqtt
      .connectAsync(t.platform.mqttsUrl as string, {
        ca: cert,
        servername: "localhost",
        username: "NX-K02-SH1",
        password: "wrong",
        reconnectPeriod: 0,
      })
      .then(
        () => 0,
        (err: { code?: number }) => err.code,
      );
    expect(refused).toBe(4);
  });

  it("refuses a certificate without its key, or a file it cannot read, at boot", () => {
    expect(() => loadConfig({ TLS_CERT_FILE: certFile })).toThrow(ConfigError);
    expect(() => loadConfig({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: "/nonexistent/key.pem" })).toThrow(
      /TLS_CERT_FILE \/ TLS_KEY_FILE: .*ENOENT/,
    );
  });
});
