import type { Feature, Geometry } from "geojson";
import {
  errorMessage,
  getCatalogue,
  getMapConfig,
  getMe,
  getRegion,
  getSites,
  getStockStatus,
  login,
  logout,
  type Me,
} from "./api.ts";
import type { Category, MapConfig, Site } from "./api-types.ts";
import { type AppContext, createNotices, indexReference, type View } from "./context.ts";
import { byId } from "./dom.ts";
import { getLang, getTimeZone, onLangChange, setLang, setTimeZone } from "./i18n.ts";
import { tc } from "./labels.ts";
import { type ConnectionState, LiveFeed } from "./live.ts";
import { parseRoute, type Route, routeHash } from "./router.ts";
import { createCommandView } from "./views/command.ts";
import { createKeeperView } from "./views/keeper.ts";
import { createMapView } from "./views/map.ts";

const notices = createNotices(byId("notices"));
let me: Me | null = null;
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
  byId("user-info").textContent = me ? `${me.username} (${tc(`role_${me.role}`)})` : "";
  byId("logout").textContent = tc("logOut");
  byId("login-title").textContent = tc("loginTitle");
  byId("login-username-label").textContent = tc("username");
  byId("login-password-label").textContent = tc("password");
  byId("login-submit").textContent = tc("logIn");
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

/** The login screen: shown instead of the console until someone logs in; then the page reloads. */
function showLogin(reason: string | null): void {
  live.stop?.();
  byId("main").hidden = true;
  byId("nav").hidden = true;
  byId("logout").hidden = true;
  byId("login").hidden = false;
  const error = byId("login-error");
  error.hidden = reason === null;
  error.textContent = reason ?? "";
  byId<HTMLInputElement>("login-username").focus();
  document.body.dataset.ready = "login";
}

async function start(): Promise<void> {
  byId("lang-switch").addEventListener("click", () => setLang(getLang() === "en" ? "zh-CN" : "en"));
  byId<HTMLFormElement>("login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const username = byId<HTMLInputElement>("login-username").value.trim();
    const password = byId<HTMLInputElement>("login-password").value;
    login(username, password).then(
      () => location.reload(),
      (err: unknown) => showLogin(tc("loginFailed", { reason: errorMessage(err) })),
    );
  });
  byId("logout").addEventListener("click", () => {
    logout().finally(() => location.reload());
  });
  window.addEventListener("reserve:unauthorized", () => showLogin(tc("sessionEnded")));
  onLangChange(() => relabelShell());
  me = await getMe();
  relabelShell();
  if (!me) {
    showLogin(null);
    return;
  }
  const user = me;
  byId("logout").hidden = false;
  document.body.dataset.role = user.role;
  // The command centre plans incidents and dispatch: not a keeper's (the server refuses it anyway).
  const commandLink = byId("nav").querySelector<HTMLAnchorElement>('a[data-view="command"]');
  if (user.role === "keeper") commandLink?.remove();
  live.onState((state) => showLiveState(state));
  live.start();

  const reference = await loadReference();
  // Before any view computes a day: the depot's calendar, not the browser's.
  if (reference.config) {
    try {
      setTimeZone(reference.config.timeZone);
    } catch (err) {
      notices.error(
        tc("couldNotLoad", { what: `TIME_ZONE ${reference.config.timeZone} (${getTimeZone()} used)` }),
        err,
      );
    }
  }
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
    role: user.role,
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
    mapView.relabel();
    command.relabel();
    keeper.relabel();
  });
  window.addEventListener("hashchange", route_);
  route_();
  document.body.dataset.ready = "true";
}

start().catch((err: unknown) => notices.error("Console failed to start", err));
