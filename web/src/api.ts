import type { Feature, Geometry } from "geojson";
import type { ApiErrorBody, MapConfig, Site, SiteStock } from "./api-types.ts";

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

export async function fetchJson<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: "application/json" } });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ApiError(`Network error requesting ${path}: ${reason}`, null);
  }
  if (!response.ok) {
    throw new ApiError(`${path} failed: ${await readErrorMessage(response)}`, response.status);
  }
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(`${path} returned a response that is not valid JSON`, response.status);
  }
}

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

export function getMapConfig(): Promise<MapConfig> {
  return fetchJson<MapConfig>("/api/map-config");
}

export function getSiteStock(code: string): Promise<SiteStock> {
  return fetchJson<SiteStock>(`/api/sites/${encodeURIComponent(code)}/stock`);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
