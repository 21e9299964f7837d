import type { Feature, Geometry } from "geojson";
import * as L from "leaflet";
import { errorMessage, getMapConfig, getRegion, getSiteStock, getSites } from "./api.ts";
import type { MapConfig, Site } from "./api-types.ts";
import { createLegend } from "./legend.ts";
import { popupHtml, stockErrorHtml, stockHtml, stockLoadingHtml } from "./popup.ts";
import { isKnownTier, TIERS, tierIcon } from "./tiers.ts";

/** Rough view of Ningxia, used until (or if) the outline and sites load. */
const FALLBACK_BOUNDS = L.latLngBounds([35.2, 104.2], [39.4, 107.7]);

const REGION_STYLE: L.PathOptions = {
  color: "#4a6a8a",
  weight: 1.5,
  fillColor: "#e3ecf4",
  fillOpacity: 0.8,
  interactive: false,
};

// ---- status line -----------------------------------------------------------

const problems: string[] = [];

function renderStatus(text: string): void {
  const el = document.getElementById("status");
  if (!el) return;
  el.textContent = problems.length > 0 ? problems.join(" · ") : text;
  el.classList.toggle("status-error", problems.length > 0);
}

function reportProblem(what: string, err: unknown): void {
  const message = `${what}: ${errorMessage(err)}`;
  problems.push(message);
  console.error(message, err);
  renderStatus("");
}

function showDemoBadge(demo: boolean, notice?: string | null): void {
  const badge = document.getElementById("demo-badge");
  if (!badge) return;
  badge.hidden = !demo;
  if (notice) badge.title = notice;
}

// ---- map layers ------------------------------------------------------------

function createMap(): L.Map {
  const map = L.map("map", { zoomSnap: 0.25, attributionControl: true });
  map.fitBounds(FALLBACK_BOUNDS);
  map.attributionControl.setPrefix(false);
  createLegend().addTo(map);
  return map;
}

function addTileLayer(map: L.Map, config: MapConfig): void {
  if (!config.tileLayer) return;
  const { url, attribution } = config.tileLayer;
  L.tileLayer(url, { attribution, maxZoom: 18 }).addTo(map).bringToBack();
}

function addRegion(map: L.Map, region: Feature<Geometry>): L.GeoJSON {
  return L.geoJSON(region, { style: () => REGION_STYLE }).addTo(map);
}

function hasValidPosition(site: Site): boolean {
  return Number.isFinite(site.lat) && Number.isFinite(site.lon);
}

/** Open-once popup that (re)loads the stock summary every time it opens. */
function bindStockPopup(marker: L.Marker, site: Site): void {
  let request = 0;
  marker.bindPopup(popupHtml(site, stockLoadingHtml()), {
    maxWidth: 360,
    minWidth: 240,
    autoPanPadding: [16, 16],
  });
  marker.on("popupopen", async () => {
    const popup = marker.getPopup();
    if (!popup) return;
    const current = ++request;
    popup.setContent(popupHtml(site, stockLoadingHtml()));
    let part: string;
    try {
      part = stockHtml(await getSiteStock(site.code));
    } catch (err) {
      console.error(`stock for ${site.code}`, err);
      part = stockErrorHtml(errorMessage(err));
    }
    // Ignore a response that arrives after the popup was closed and reopened.
    if (current === request) popup.setContent(popupHtml(site, part));
  });
}

function createSiteMarker(site: Site): L.Marker {
  const marker = L.marker([site.lat, site.lon], {
    icon: tierIcon(site.tier),
    title: site.nameZh ? `${site.name} (${site.nameZh})` : site.name,
    alt: site.name,
    riseOnHover: true,
    zIndexOffset: TIERS[site.tier].zIndex,
  });
  bindStockPopup(marker, site);
  return marker;
}

function addSites(map: L.Map, sites: Site[]): Site[] {
  const usable = sites.filter((site) => hasValidPosition(site) && isKnownTier(site.tier));
  const skipped = sites.length - usable.length;
  if (skipped > 0) {
    reportProblem("Sites", new Error(`${skipped} site(s) skipped (missing coordinates or unknown tier)`));
  }
  const group = L.layerGroup(usable.map(createSiteMarker));
  group.addTo(map);
  return usable;
}

/** Region outline plus every in-region site; external depots may fall outside the view. */
function fitView(map: L.Map, region: L.GeoJSON | null, sites: Site[]): void {
  const bounds = region ? region.getBounds() : L.latLngBounds([]);
  for (const site of sites) {
    if (site.tier !== "external") bounds.extend([site.lat, site.lon]);
  }
  map.fitBounds(bounds.isValid() ? bounds : FALLBACK_BOUNDS, { padding: [24, 24] });
}

// ---- start-up ----------------------------------------------------------------

async function start(): Promise<void> {
  renderStatus("Loading map…");
  const map = createMap();

  const [configResult, regionResult, sitesResult] = await Promise.allSettled([
    getMapConfig(),
    getRegion(),
    getSites(),
  ]);

  if (configResult.status === "fulfilled") {
    showDemoBadge(configResult.value.demo === true, configResult.value.demoNotice);
    addTileLayer(map, configResult.value);
  } else {
    reportProblem("Map configuration", configResult.reason);
  }

  let region: L.GeoJSON | null = null;
  if (regionResult.status === "fulfilled") {
    try {
      region = addRegion(map, regionResult.value);
    } catch (err) {
      reportProblem("Region outline", err);
    }
  } else {
    reportProblem("Region outline", regionResult.reason);
  }

  let sites: Site[] = [];
  if (sitesResult.status === "fulfilled") {
    sites = addSites(map, sitesResult.value);
    if (sites.some((site) => site.demo)) showDemoBadge(true);
  } else {
    reportProblem("Sites", sitesResult.reason);
  }

  fitView(map, region, sites);
  renderStatus(`${sites.length} sites`);
}

start().catch((err: unknown) => reportProblem("Map failed to start", err));
