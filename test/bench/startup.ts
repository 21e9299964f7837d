/** Startup: spawn to a healthy /api/health on a fresh data dir (loads the demo, issues its secrets), then a restart. */
import type { BenchContext } from "./context.ts";
import { startPlatformProcess } from "./platform-process.ts";
import { command, type Row, row } from "./report.ts";

export async function startupSection(ctx: BenchContext): Promise<Row[]> {
  const dataDir = ctx.tempDir("startup");
  const first = await startPlatformProcess(dataDir);
  await first.stop();
  const again = await startPlatformProcess(dataDir);
  await again.stop();
  const goals = [{ kind: "max" as const, on: "value" as const, limit: 10_000 }];
  return [
    row({
      section: "startup",
      figure: "startup to healthy, fresh data dir (loads the demo, issues its secrets)",
      unit: "ms",
      value: first.startupMs,
      goals,
      command: command("startup"),
    }),
    row({
      section: "startup",
      figure: "startup to healthy, restart",
      unit: "ms",
      value: again.startupMs,
      goals,
      command: command("startup"),
    }),
  ];
}
