import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "../helpers/platform.ts";

const run = promisify(execFile);
const root = path.resolve(new URL("../..", import.meta.url).pathname);
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

/** Every ```sh block of README.md, in order. */
const shellBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");

/**
 * The blocks a reader types against a running demo, in one terminal, in the README's order. Left
 * out, and why: `npm install && npm start` and `npm test` (this test is that platform, under that
 * test command) and `npm run simulate` runs of a minute each (test/integration/simulators.test.ts
 * drives the same CLI).
 */
const runnable = shellBlocks.filter((block) => !/npm start|npm test|npm run simulate/.test(block));

describe("README's shell examples, as written, against the demo", () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("run in a shell: the login gives a token, and every request with it is answered", async () => {
    expect(runnable.length).toBeGreaterThanOrEqual(4);
    const http = new URL(t.platform.httpUrl);
    // Only the addresses differ from the README: this platform listens on free ports and keeps its
    // data in its own folder; the reader stands in the project's root, as here.
    const script = runnable
      .join("\n")
      .replaceAll("./data/", `${t.dataDir}/`)
      .replaceAll("localhost:8080", `127.0.0.1:${http.port}`)
      .replaceAll("mosquitto_pub ", `mosquitto_pub -h 127.0.0.1 -p ${t.broker.port} `);
    const { stdout, stderr } = await run("bash", ["-euo", "pipefail", "-c", script], {
      cwd: root,
      env: {
        ...process.env,
        DATA_DIR: t.dataDir,
        PATH: `${path.join(root, "node_modules/.bin")}:${process.env.PATH}`,
      },
      timeout: 60_000,
    });
    expect(stderr).not.toMatch(/error/i);
    expect(stdout).not.toMatch(/"statusCode":\s*40[13]/);
    // The admin password, the health, the site, the issued secret, and the answers of each curl.
    expect(stdout).toMatch(/"status":"(ok|degraded)"/);
    expect(stdout).toMatch(/"code":"NX-K01"/);
    expect(stdout).toMatch(/"deviceId":"NX-K01-SH1"/);
    const patched = stdout.trim().split("\n").at(-1) ?? "";
    expect(JSON.parse(patched)).toMatchObject({ id: "NX-K01-SH1", enabled: false });
    await t.drained();
    expect(t.journaled("sites/NX-K01/shelf/NX-K01-SH1")).toContain(
      '[{"bn":"urn:dev:shelf:NX-K01-SH1:","n":"weight","u":"kg","v":19.2}]',
    );
  }, 90_000);
});
