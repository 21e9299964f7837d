import { copyFile, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const webDir = path.dirname(fileURLToPath(import.meta.url));
const srcDir = path.join(webDir, "src");

export const defaultOutDir = path.join(webDir, "dist");

/**
 * Bundle the browser app into `outDir`:
 *   main.js (+ .map)    from src/main.ts (Leaflet bundled in, IIFE, ES2020)
 *   style.css (+ .map)  from src/style.css, which @imports leaflet/dist/leaflet.css
 *   assets/*.png        images referenced by leaflet.css
 *   index.html          copied from src/index.html
 */
export async function buildWeb(outDir: string = defaultOutDir): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await esbuild.build({
    absWorkingDir: webDir,
    entryPoints: {
      main: path.join(srcDir, "main.ts"),
      style: path.join(srcDir, "style.css"),
    },
    outdir: outDir,
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    minify: true,
    sourcemap: true,
    loader: { ".png": "file" },
    assetNames: "assets/[name]-[hash]",
    legalComments: "eof",
    logLevel: "warning",
  });
  await copyFile(path.join(srcDir, "index.html"), path.join(outDir, "index.html"));
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;

if (invokedDirectly) {
  const started = performance.now();
  buildWeb().then(
    () =>
      console.log(
        `web: built ${path.relative(process.cwd(), defaultOutDir) || "."} in ${Math.round(performance.now() - started)} ms`,
      ),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
