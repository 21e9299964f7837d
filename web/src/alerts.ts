import type { Alert } from "./api-types.ts";

const SEVERITY_RANK = { critical: 2, warning: 1, info: 0 } as const;

/** Alerts as the API lists them: most severe first, then newest. */
export function sortAlerts(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      Date.parse(b.firstSeenAt) - Date.parse(a.firstSeenAt) ||
      b.id - a.id,
  );
}

/** A live alert change applied to the list: cleared ones go, others are added or replaced. */
export function applyAlertChange(
  alerts: readonly Alert[],
  change: "raised" | "cleared" | "acknowledged",
  alert: Alert,
): Alert[] {
  const others = alerts.filter((a) => a.id !== alert.id);
  if (change === "cleared" || alert.clearedAt !== null) return others;
  return sortAlerts([...others, alert]);
}
