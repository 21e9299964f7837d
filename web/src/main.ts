import type { Feature, Geometry } from "geojson";
import { getCatalogue, getMapConfig, getRegion, getSites, getStockStatus } from "./api.ts";
import type { Category, MapConfig, Site } from "./api-types.ts";
import {
  type AppContext,
  createNotices,
  indexReference,
  storedOperator,
  storeOperator,
  type View,
} from "./context.ts";
import { byId } from "./dom.ts";
import { getLang, onLangChange, setLang } from "./i18n.ts";
import { tc } from "./labels.ts";
import { type ConnectionState, LiveFeed } from "./live.ts";
import { parseRoute, type Route, routeHash } from "./router.ts";
import { createCommandView } from "./views/command.ts";
import { createKeeperView } from "./views/keeper.ts";
import { createMapView } from "./views/map.ts";

const notices = createNotices(byId("notices"));
const operatorInput = byId<HTMLInputElement>("operator");
const live = new LiveFeed();

function relabelShell(): void {
  document.documentElement.lang = getLang();
  document.title = tc("appTitle");
  byId("app-title").textContent = tc("appTitle");
  const labels: Record<string, string> = {
    map: tc("navMap"),
    keeper: tc("navKeeper"),
    command: tc("navCommand"),
  };
  for (const link of byId("nav").querySelectorAll<HTMLAnchorElement>("a[data-view]")) {
    link.textContent = labels[link.dataset.view ?? ""] ?? link.textContent;
  }
  byId("demo-badge").textContent = tc("demo");
  byId("operator-label").textContent = tc("operator");
  operatorInput.placeholder = tc("operatorPlaceholder");
  const switcher = byId("lang-switch");
  switcher.textContent = tc("switchTo");
  switcher.lang = getLang() === "en" ? "zh-CN" : "en";
  switcher.setAttribute("aria-label", `${tc("language")}: ${tc("switchTo")}`);
  showLiveState(live.state);
}

function showLiveState(state: ConnectionState): void {
  const el = byId("live");
  el.className = `live live-${state}`;
  el.dataset.state = state;
  const text = { open: tc("liveOpen"), connecting: tc("liveConnecting"), closed: tc("liveClosed") }[state];
  const title = {
    open: tc("liveTitleOpen"),
    connecting: tc("liveTitleConnecting"),
    closed: tc("liveTitleClosed"),
  }[state];
  el.textContent = text;
  el.title = title;
}

async function loadReference(): Promise<{
  sites: Site[];
  categories: Category[];
  region: Feature<Geometry> | null;
  config: MapConfig | null;
}> {
  const [sites, catalogue, region, config] = await Promise.allSettled([
    getSites(),
    getCatalogue(),
    getRegion(),
    getMapConfig(),
  ]);
  const value = <T>(r: PromiseSettledResult<T>, what: string, fallback: T): T => {
    if (r.status === "fulfilled") return r.value;
    notices.error(tc("couldNotLoad", { what }), r.reason);
    return fallback;
  };
  return {
    sites: value(sites, "/api/sites", []),
    categories: value(catalogue, "/api/catalogue", { categories: [] }).categories,
    region: value(region, "/api/region", null),
    config: value(config, "/api/map-config", null),
  };
}

async function start(): Promise<void> {
  relabelShell();
  live.onState((state) => showLiveState(state));
  live.start();
  operatorInput.value = storedOperator();
  operatorInput.addEventListener("change", () => storeOperator(operatorInput.value.trim()));
  byId("lang-switch").addEventListener("click", () => setLang(getLang() === "en" ? "zh-CN" : "en"));

  const reference = await loadReference();
  if (reference.config?.demo || reference.sites.some((s) => s.demo)) {
    const badge = byId("demo-badge");
    badge.hidden = false;
    if (reference.config?.demoNotice) badge.title = reference.config.demoNotice;
  }
  const index = indexReference(reference.sites, reference.categories);
  const ctx: AppContext = {
    sites: reference.sites,
    categories: reference.categories,
    ...index,
    live,
    error: notices.error,
    info: notices.info,
    operator(action) {
      const name = operatorInput.value.trim();
      if (name) return name;
      notices.error(tc("operator"), new Error(tc("operatorMissing", { action })));
      operatorInput.focus();
      return null;
    },
    navigate(route) {
      const hash = routeHash(route);
      if (location.hash !== hash) location.hash = hash;
      else route_();
    },
  };

  const mapSection = byId("view-map");
  const keeperSection = byId("view-keeper");
  const mapView = await createMapView(ctx, byId("map"), reference.region, reference.config);
  getStockStatus().then(mapView.applyStatuses, (err) =>
    notices.error(tc("couldNotLoad", { what: "/api/stock/status" }), err),
  );
  const command = createCommandView(ctx, byId("command-panel"), mapView);
  const keeper = createKeeperView(ctx, keeperSection);
  let current: View | null = null;

  function route_(): void {
    const route: Route = parseRoute(location.hash);
    for (const link of byId("nav").querySelectorAll<HTMLAnchorElement>("a[data-view]")) {
      if (link.dataset.view === route.view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    mapSection.hidden = route.view === "keeper";
    keeperSection.hidden = route.view !== "keeper";
    const next: View =
      route.view === "keeper" ? (keeper as View) : route.view === "command" ? (command as View) : mapOnly;
    if (current && current !== next) current.hide();
    current = next;
    next.show(route);
    document.body.dataset.view = route.view;
  }
  const mapOnly: View = {
    show: () => mapView.invalidate(),
    hide: () => {},
    relabel: () => {},
  };

  onLangChange(() => {
    relabelShell();
    mapView.relabel();
    command.relabel();
    keeper.relabel();
  });
  window.addEventListener("hashchange", route_);
  route_();
  document.body.dataset.ready = "true";
}

start().catch((err: unknown) => notices.error("Console failed to start", err));
