import type { Feature, Geometry } from "geojson";
import type {
  Alert,
  ApiErrorBody,
  Audit,
  AuditFindings,
  Batch,
  Category,
  CoverageResult,
  Device,
  DispatchOrder,
  DispatchOrderSummary,
  IncidentRequest,
  MapConfig,
  Readings,
  RotationPlan,
  Site,
  SiteStatusSummary,
  SiteStock,
  SitingResult,
} from "./api-types.ts";

/** An HTTP or network failure, with a message meant to be shown to the user. */
export class ApiError extends Error {
  readonly status: number | null;

  constructor(message: string, status: number | null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  return typeof body === "object" && body !== null && typeof (body as ApiErrorBody).message === "string";
}

async function readErrorMessage(response: Response): Promise<string> {
  const prefix = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  try {
    const body: unknown = await response.json();
    if (isErrorBody(body) && body.message) return `${prefix}: ${body.message}`;
  } catch {
    // Body is not JSON (proxy page, empty body…): the status line is all we have.
  }
  return prefix;
}

export async function request<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? "GET",
      headers: {
        accept: "application/json",
        ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ApiError(`Network error requesting ${path}: ${reason}`, null);
  }
  if (response.status === 401 && path !== "/api/auth/login") {
    // The session is gone (expired, logged out elsewhere): back to the login screen.
    window.dispatchEvent(new Event("reserve:unauthorized"));
  }
  if (!response.ok) {
    throw new ApiError(`${path}: ${await readErrorMessage(response)}`, response.status);
  }
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(`${path} returned a response that is not valid JSON`, response.status);
  }
}

export const fetchJson = <T>(path: string): Promise<T> => request<T>(path);
const post = <T>(path: string, body: unknown): Promise<T> => request<T>(path, { method: "POST", body });

/** Builds a query string from the defined values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

const enc = encodeURIComponent;

export async function getSites(): Promise<Site[]> {
  const sites = await fetchJson<unknown>("/api/sites");
  if (!Array.isArray(sites)) throw new ApiError("/api/sites did not return a list", null);
  return sites as Site[];
}

export async function getRegion(): Promise<Feature<Geometry>> {
  const region = await fetchJson<Feature<Geometry>>("/api/region");
  if (region?.type !== "Feature" || !region.geometry) {
    throw new ApiError("/api/region did not return a GeoJSON Feature", null);
  }
  return region;
}

export const getMapConfig = () => fetchJson<MapConfig>("/api/map-config");
export const getCatalogue = () => fetchJson<{ categories: Category[] }>("/api/catalogue");
export const getSiteStock = (code: string) => fetchJson<SiteStock>(`/api/sites/${enc(code)}/stock`);
export const getStockStatus = () => fetchJson<SiteStatusSummary[]>("/api/stock/status");

export const getAlerts = (siteCode?: string) => fetchJson<Alert[]>(`/api/alerts${query({ siteCode })}`);
export const acknowledgeAlert = (id: number) => post<Alert>(`/api/alerts/${id}/acknowledge`, {});

export const getBatches = (siteCode: string) => fetchJson<Batch[]>(`/api/batches${query({ siteCode })}`);
export const getRotationPlan = (siteCode: string) =>
  fetchJson<RotationPlan>(`/api/rotation/plan${query({ siteCode })}`);
export const executeRotation = (line: {
  batchId: number;
  siteCode: string;
  quantity: number;
  action: string;
  destinationSiteCode: string | null;
  reason: string;
}) => post<{ ledgerIds: number[] }>("/api/rotation/execute", line);

export const getAudits = (siteCode: string) => fetchJson<Audit[]>(`/api/audits${query({ siteCode })}`);
export const getAudit = (id: number) =>
  fetchJson<{ audit: Audit; findings: AuditFindings }>(`/api/audits/${id}`);
export const startAudit = (siteCode: string, durationMinutes: number) =>
  post<Audit>(`/api/sites/${enc(siteCode)}/audits`, { durationMinutes });
export const closeAudit = (id: number) =>
  request<{ audit: Audit; findings: AuditFindings }>(`/api/audits/${id}/close`, { method: "POST", body: {} });
export const approveAudit = (id: number, reason: string) =>
  post<{ audit: Audit; ledgerIds: number[] }>(`/api/audits/${id}/approve`, { reason });

export const getDevices = (siteCode: string) => fetchJson<Device[]>(`/api/devices${query({ siteCode })}`);
export const getReadings = (device: string, from?: string) =>
  fetchJson<Readings>(`/api/readings${query({ device, from })}`);

export const createIncident = (body: IncidentRequest) => post<DispatchOrder>("/api/incidents", body);
export const getOrders = (limit = 50) =>
  fetchJson<DispatchOrderSummary[]>(`/api/dispatch-orders${query({ limit })}`);
export const getOrder = (id: number) => fetchJson<DispatchOrder>(`/api/dispatch-orders/${id}`);
export type OrderAction = "approve" | "dispatch" | "deliver" | "close" | "cancel";
export const moveOrder = (id: number, action: OrderAction) =>
  post<DispatchOrder>(`/api/dispatch-orders/${id}/${action}`, {});

export const getCoverage = (itemType?: string) =>
  fetchJson<CoverageResult>(`/api/coverage${query({ itemType })}`);
export const getSiting = (k: number) => fetchJson<SitingResult>(`/api/coverage/siting${query({ k })}`);

/** Download links (plain GETs the browser saves). */
export const csvLinks = {
  stock: (siteCode: string) => `/api/sites/${enc(siteCode)}/stock.csv`,
  rotationPlan: (siteCode: string) => `/api/rotation/plan.csv${query({ siteCode })}`,
  audit: (id: number) => `/api/audits/${id}/report.csv`,
};

export interface Me {
  username: string;
  role: "admin" | "commander" | "keeper" | "viewer";
  sites: string[];
}

/** Who is logged in; null when nobody is (401). */
export async function getMe(): Promise<Me | null> {
  const response = await fetch("/api/auth/me", { headers: { accept: "application/json" } });
  if (!response.ok) throw new ApiError(`/api/auth/me: ${await readErrorMessage(response)}`, response.status);
  return ((await response.json()) as { user: Me | null }).user;
}

export async function login(username: string, password: string): Promise<Me> {
  let response: Response;
  try {
    response = await fetch("/api/auth/login", {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
  } catch (err) {
    throw new ApiError(err instanceof Error ? err.message : String(err), null);
  }
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try {
      const body: unknown = await response.json();
      if (isErrorBody(body)) message = body.message;
    } catch {
      // not JSON
    }
    throw new ApiError(message, response.status);
  }
  return ((await response.json()) as { user: Me }).user;
}

export const logout = () => fetch("/api/auth/logout", { method: "POST" });

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
