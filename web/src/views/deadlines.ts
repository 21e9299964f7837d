import type { Batch } from "../api-types.ts";

export type TaskKind = "rotation" | "scrap" | "expired" | "inspection" | "maintenance";

export interface DeadlineTask {
  kind: TaskKind;
  batch: Batch;
  deadline: string | null;
}

/**
 * What has a date to meet: batches that are not ok (rotate before expiry, replace before the end
 * of service life, take expired stock out) and inspections / maintenance of durable equipment.
 * Nearest deadline first; undated last.
 */
export function deadlineTasks(batches: readonly Batch[]): DeadlineTask[] {
  const tasks: DeadlineTask[] = [];
  for (const batch of batches) {
    if (batch.status !== "ok") {
      const kind: TaskKind =
        batch.status === "expired" ? "expired" : batch.expiryDate === null ? "scrap" : "rotation";
      tasks.push({ kind, batch, deadline: batch.endOfLife ?? batch.expiryDate ?? batch.rotationDeadline });
    }
    if (batch.nextInspection) tasks.push({ kind: "inspection", batch, deadline: batch.nextInspection });
    if (batch.nextMaintenance) tasks.push({ kind: "maintenance", batch, deadline: batch.nextMaintenance });
  }
  return tasks.sort((a, b) => {
    if (a.deadline !== b.deadline) {
      if (a.deadline === null) return 1;
      if (b.deadline === null) return -1;
      return a.deadline < b.deadline ? -1 : 1;
    }
    return a.batch.batchId - b.batch.batchId || a.kind.localeCompare(b.kind);
  });
}

/** Whole days from `from` to `to` (both YYYY-MM-DD): the server's day arithmetic (calendar.ts). */
export { daysBetween } from "../../../server/domain/calendar.ts";
