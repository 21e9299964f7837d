import type { Feature, Geometry } from "geojson";
import * as L from "leaflet";
import { applyAlertChange, sortAlerts } from "../alerts.ts";
import { getAlerts, getCoverage, getOrder, getOrders, getSiteStock } from "../api.ts";
import type {
  Alert,
  CoverageResult,
  DispatchOrder,
  MapConfig,
  OrderState,
  Site,
  SiteStatus,
  SiteStatusSummary,
  SiteStock,
} from "../api-types.ts";
import type { AppContext } from "../context.ts";
import { h, replace } from "../dom.ts";
import { fmtKm, fmtNumber, fmtPercent, fmtQty, localName, messages } from "../i18n.ts";
import { alertKindLabel, orderStateLabel, severityLabel, statusLabel, tc, tierLabel } from "../labels.ts";
import { isKnownTier, TIER_ORDER, TIER_Z, tierIcon, tierShapeHtml } from "../tiers.ts";

const t = messages(
  {
    mapLabel: "Map of reserve sites",
    layers: "Layers",
    circles: "{km} km rescue circles",
    coverage: "Coverage union",
    coverageAll: "all item types",
    uncoveredPoints: "Uncovered demand points",
    uncoveredArea: "Uncovered area",
    dispatch: "Incidents and dispatches",
    legendTiers: "Site tiers",
    legendStatus: "Stock status",
    coverageSummary: "Area covered: {share} · demand covered: {points} (reach {reach})",
    coverageLoading: "Computing coverage…",
    coverageWhat: "coverage",
    ordersWhat: "dispatch orders",
    stockWhat: "stock of {site}",
    code: "Code",
    tier: "Tier",
    city: "City",
    stock: "Stock",
    onHand: "On hand",
    required: "Required",
    allOk: "All item types at standard.",
    noItems: "No item types are configured for this site.",
    openKeeper: "Open keeper view",
    incident: "Incident: {name}",
    personnel: "{n} people",
    uncoveredPoint: "{name}: not covered for {types}",
    sites: "{n} sites",
    alerts: "Open alerts",
    alertCounts: "{critical} critical · {warning} warning",
    noAlerts: "No open alerts.",
    alertsWhat: "alerts",
  },
  {
    mapLabel: "储备点地图",
    layers: "图层",
    circles: "{km} 公里救援圈",
    coverage: "覆盖范围",
    coverageAll: "全部物资",
    uncoveredPoints: "未覆盖需求点",
    uncoveredArea: "未覆盖区域",
    dispatch: "事件与调拨",
    legendTiers: "储备点层级",
    legendStatus: "库存状态",
    coverageSummary: "面积覆盖率：{share} · 需求覆盖率：{points}（实际半径 {reach}）",
    coverageLoading: "正在计算覆盖…",
    coverageWhat: "覆盖分析",
    ordersWhat: "调拨单",
    stockWhat: "{site}的库存",
    code: "编码",
    tier: "层级",
    city: "城市",
    stock: "库存",
    onHand: "在库",
    required: "标准",
    allOk: "全部物资达到标准。",
    noItems: "该点未配置物资。",
    openKeeper: "打开库管视图",
    incident: "事件：{name}",
    personnel: "{n} 人",
    uncoveredPoint: "{name}：未覆盖 {types}",
    sites: "{n} 个储备点",
    alerts: "未处理告警",
    alertCounts: "严重 {critical} · 警告 {warning}",
    noAlerts: "没有未处理的告警。",
    alertsWhat: "告警",
  },
);

/** Rough view of Ningxia, used until (or if) the outline and sites load. */
const FALLBACK_BOUNDS = L.latLngBounds([35.2, 104.2], [39.4, 107.7]);
const DEPOT_TIERS = new Set(["central", "branch", "county"]);
const STATUS_ORDER: SiteStatus[] = ["critical", "low", "over", "ok", "none"];

export const STATE_COLOURS: Record<OrderState, string> = {
  planned: "#6b46c1",
  approved: "#2b6cb0",
  dispatched: "#9c4221",
  delivered: "#276749",
  closed: "#4a5568",
  cancelled: "#2d3748",
};

type Toggle = "circles" | "coverage" | "uncoveredPoints" | "uncoveredArea" | "dispatch";

export interface MapView {
  map: L.Map;
  container: HTMLElement;
  /** Leaflet panes and groups other views draw on (command centre: plan, suggested depots). */
  overlay: L.LayerGroup;
  /** Shows or refreshes one order's incident and lines on the dispatch layer. */
  showOrder(order: DispatchOrder): void;
  /** Switches a toggle on (and loads what it needs). */
  setToggle(name: Toggle, on: boolean): void;
  /** Fits the map after its container changed size. */
  invalidate(): void;
  relabel(): void;
  statusOf(code: string): SiteStatus | undefined;
  /** Colours the markers from one request for every site's status. */
  applyStatuses(list: SiteStatusSummary[]): void;
}

export async function createMapView(
  ctx: AppContext,
  container: HTMLElement,
  region: Feature<Geometry> | null,
  config: MapConfig | null,
): Promise<MapView> {
  const map = L.map(container, { zoomSnap: 0.25, attributionControl: true });
  container.setAttribute("aria-label", t("mapLabel"));
  map.fitBounds(FALLBACK_BOUNDS);
  map.attributionControl.setPrefix(false);
  map.createPane("coverage");
  // Circles are drawn opaque in a translucent pane: overlaps do not darken, so it reads as a union.
  const coveragePane = map.getPane("coverage") as HTMLElement;
  coveragePane.style.opacity = "0.28";
  coveragePane.style.zIndex = "350";

  if (config?.tileLayer) {
    L.tileLayer(config.tileLayer.url, { attribution: config.tileLayer.attribution, maxZoom: 18 })
      .addTo(map)
      .bringToBack();
  }
  let regionLayer: L.GeoJSON | null = null;
  if (region) {
    regionLayer = L.geoJSON(region, {
      style: () => ({ color: "#4a6a8a", weight: 1.5, fillColor: "#e3ecf4", fillOpacity: 0.8 }),
      interactive: false,
    }).addTo(map);
  }

  // ---- sites ------------------------------------------------------------------------------
  const status = new Map<string, SiteStatus>();
  const markers = new Map<string, L.Marker>();
  const sites = ctx.sites.filter(
    (s) => Number.isFinite(s.lat) && Number.isFinite(s.lon) && isKnownTier(s.tier),
  );
  if (sites.length < ctx.sites.length) {
    ctx.error(t("sites", { n: ctx.sites.length }), new Error(`${ctx.sites.length - sites.length} skipped`));
  }
  const siteLayer = L.layerGroup().addTo(map);
  for (const site of sites) {
    const marker = L.marker([site.lat, site.lon], {
      icon: tierIcon(site.tier, "none"),
      title: localName(site),
      alt: localName(site),
      riseOnHover: true,
      zIndexOffset: TIER_Z[site.tier],
      keyboard: true,
    });
    marker.getElement()?.setAttribute("data-site", site.code);
    marker.on("add", () => marker.getElement()?.setAttribute("data-site", site.code));
    bindPopup(ctx, marker, site);
    markers.set(site.code, marker);
    siteLayer.addLayer(marker);
  }
  const setStatus = (code: string, value: SiteStatus) => {
    status.set(code, value);
    const marker = markers.get(code);
    const site = ctx.siteByCode.get(code);
    if (!marker || !site) return;
    marker.setIcon(tierIcon(site.tier, value));
    const el = marker.getElement();
    el?.setAttribute("data-site", code);
    el?.setAttribute("data-status", value);
    el?.setAttribute("aria-label", `${localName(site)}: ${statusLabel(value)}`);
  };
  const applyStatuses = (list: SiteStatusSummary[]) => {
    for (const s of list) setStatus(s.siteCode, s.status);
  };

  // A stock event can come many times a second: refresh each site at most once a second.
  const dirty = new Set<string>();
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const flush = async () => {
    flushTimer = null;
    const codes = [...dirty];
    dirty.clear();
    for (const code of codes) {
      try {
        const stock = await getSiteStock(code);
        setStatus(code, stock.status);
      } catch (err) {
        ctx.error(t("stockWhat", { site: ctx.siteLabel(code) }), err);
      }
    }
  };
  ctx.live.on("stock", ({ siteCode }) => {
    if (!markers.has(siteCode)) return;
    dirty.add(siteCode);
    if (flushTimer === null) flushTimer = setTimeout(flush, 1000);
  });

  // ---- legend and layer toggles --------------------------------------------------------------
  // Both boxes fold away (a <details>), folded from the start on a tablet or phone.
  const roomy = window.matchMedia("(min-width: 1000px)").matches;
  const legendBox = h("details", { class: "legend", open: roomy });
  const legend = new L.Control({ position: "bottomright" });
  legend.onAdd = () => {
    L.DomEvent.disableClickPropagation(legendBox);
    L.DomEvent.disableScrollPropagation(legendBox);
    return legendBox;
  };
  legend.addTo(map);

  const toggles: Record<Toggle, boolean> = {
    circles: false,
    coverage: false,
    uncoveredPoints: false,
    uncoveredArea: false,
    dispatch: true,
  };
  let coverageType = "";
  const controlBox = h("details", { class: "map-layers", open: roomy });
  const control = new L.Control({ position: "topright" });
  control.onAdd = () => {
    L.DomEvent.disableClickPropagation(controlBox);
    L.DomEvent.disableScrollPropagation(controlBox);
    return controlBox;
  };
  control.addTo(map);

  const circlesLayer = L.layerGroup();
  const coverageLayer = L.layerGroup();
  const uncoveredPointsLayer = L.layerGroup();
  const uncoveredAreaLayer = L.layerGroup();
  const dispatchLayer = L.layerGroup().addTo(map);
  const overlay = L.layerGroup().addTo(map);
  const layerOf: Record<Toggle, L.LayerGroup> = {
    circles: circlesLayer,
    coverage: coverageLayer,
    uncoveredPoints: uncoveredPointsLayer,
    uncoveredArea: uncoveredAreaLayer,
    dispatch: dispatchLayer,
  };

  let coverage: CoverageResult | null = null;
  let coverageFor: string | null = null;
  let coverageNote = "";
  const needsCoverage = () => toggles.coverage || toggles.uncoveredPoints || toggles.uncoveredArea;

  const drawCircles = () => {
    circlesLayer.clearLayers();
    const km = coverage?.params.radiusKm ?? 200;
    for (const site of sites) {
      if (!DEPOT_TIERS.has(site.tier)) continue;
      L.circle([site.lat, site.lon], {
        radius: km * 1000,
        color: "#2b6cb0",
        weight: 1,
        dashArray: "4 4",
        fill: false,
        interactive: false,
      }).addTo(circlesLayer);
    }
  };

  const drawCoverage = () => {
    coverageLayer.clearLayers();
    uncoveredPointsLayer.clearLayers();
    uncoveredAreaLayer.clearLayers();
    if (!coverage) return;
    if (coverage.area) {
      L.geoJSON(coverage.area.circles, {
        pane: "coverage",
        style: () => ({ stroke: false, fillColor: "#2f855a", fillOpacity: 1 }),
        interactive: false,
      }).addTo(coverageLayer);
      if (coverage.area.uncovered) {
        L.geoJSON(coverage.area.uncovered, {
          style: () => ({ color: "#c53030", weight: 1, fillColor: "#c53030", fillOpacity: 0.35 }),
          interactive: false,
        }).addTo(uncoveredAreaLayer);
      }
    }
    const type = coverage.params.itemType;
    for (const point of coverage.points) {
      const missing = type ? point.uncoveredTypes.includes(type) : !point.coveredAll;
      if (!missing) continue;
      const site = ctx.siteByCode.get(point.pointId);
      if (!site) continue;
      const types = (type ? [type] : point.uncoveredTypes).map((c) => ctx.itemLabel(c)).join(", ");
      L.circleMarker([site.lat, site.lon], {
        radius: 9,
        color: "#c53030",
        weight: 3,
        fill: false,
        className: "uncovered-point",
      })
        .bindTooltip(textNode(t("uncoveredPoint", { name: localName(site), types })))
        .addTo(uncoveredPointsLayer);
    }
    const covered = coverage.points.filter((p) => (type ? !p.uncoveredTypes.includes(type) : p.coveredAll));
    coverageNote = t("coverageSummary", {
      share: coverage.area ? fmtPercent(coverage.area.coveredShare) : "–",
      points: type
        ? fmtPercent(coverage.perItemType.find((p) => p.itemTypeCode === type)?.weightShare ?? 0)
        : fmtPercent(coverage.weightShareAll),
      reach: fmtKm(coverage.params.reachKm),
    });
    coverageNote += ` · ${fmtNumber(covered.length)}/${fmtNumber(coverage.points.length)}`;
    renderControl();
  };

  const loadCoverage = async () => {
    if (ctx.role === "keeper") return;
    if (coverage && coverageFor === coverageType) return;
    coverageNote = t("coverageLoading");
    renderControl();
    try {
      coverage = await getCoverage(coverageType || undefined);
      coverageFor = coverageType;
      drawCoverage();
      if (toggles.circles) drawCircles();
    } catch (err) {
      coverageNote = "";
      renderControl();
      ctx.error(tc("couldNotLoad", { what: t("coverageWhat") }), err);
    }
  };

  const setToggle = (name: Toggle, on: boolean) => {
    toggles[name] = on;
    const layer = layerOf[name];
    if (on) layer.addTo(map);
    else layer.remove();
    if (name === "circles" && on) drawCircles();
    if (on && name !== "circles" && name !== "dispatch" && needsCoverage()) void loadCoverage();
    if (name === "dispatch" && on) void loadOrders();
    renderControl();
  };

  function renderControl(): void {
    const row = (name: Toggle, label: string, extra?: HTMLElement) =>
      h(
        "li",
        null,
        h(
          "label",
          { class: "toggle" },
          h("input", {
            type: "checkbox",
            checked: toggles[name],
            dataset: { toggle: name },
            onchange: (e: Event) => setToggle(name, (e.target as HTMLInputElement).checked),
          }),
          h("span", null, label),
        ),
        extra,
      );
    const typeSelect = h(
      "select",
      {
        "aria-label": t("coverage"),
        class: "coverage-type",
        onchange: (e: Event) => {
          coverageType = (e.target as HTMLSelectElement).value;
          if (needsCoverage()) void loadCoverage();
        },
      },
      h("option", { value: "" }, t("coverageAll")),
      ctx.categories.flatMap((c) =>
        c.itemTypes.map((it) =>
          h("option", { value: it.code, selected: it.code === coverageType }, localName(it)),
        ),
      ),
    );
    replace(
      controlBox,
      h("summary", null, t("layers")),
      h(
        "ul",
        null,
        row("circles", t("circles", { km: fmtNumber(coverage?.params.radiusKm ?? 200) })),
        row("coverage", t("coverage"), typeSelect),
        row("uncoveredPoints", t("uncoveredPoints")),
        row("uncoveredArea", t("uncoveredArea")),
        row("dispatch", t("dispatch")),
      ),
      coverageNote ? h("p", { class: "coverage-note", role: "status" }, coverageNote) : null,
    );
  }

  function renderLegend(): void {
    replace(
      legendBox,
      h("summary", null, t("legendTiers")),
      h(
        "ul",
        null,
        TIER_ORDER.map((tier) => {
          const symbol = h("span", { class: "legend-symbol" });
          symbol.innerHTML = tierShapeHtml(tier); // fixed markup from our own constants
          return h("li", null, symbol, h("span", null, tierLabel(tier)));
        }),
      ),
      h("h2", null, t("legendStatus")),
      h(
        "ul",
        { class: "legend-status" },
        STATUS_ORDER.map((s) => h("li", null, h("span", { class: `status status-${s}` }, statusLabel(s)))),
      ),
    );
  }

  // ---- open alerts, live ------------------------------------------------------------------------
  let alerts: Alert[] = [];
  // Folded to its summary line (the counts) until asked: the list is long and popups need room.
  const alertsBox = h("details", { class: "map-alerts", "data-testid": "map-alerts" });
  const alertsControl = new L.Control({ position: "bottomleft" });
  alertsControl.onAdd = () => {
    L.DomEvent.disableClickPropagation(alertsBox);
    L.DomEvent.disableScrollPropagation(alertsBox);
    return alertsBox;
  };
  alertsControl.addTo(map);
  function renderAlerts(): void {
    const count = (sev: Alert["severity"]) => alerts.filter((a) => a.severity === sev).length;
    replace(
      alertsBox,
      h(
        "summary",
        null,
        `${t("alerts")}: `,
        h(
          "span",
          { dataset: { critical: String(count("critical")) } },
          t("alertCounts", { critical: fmtNumber(count("critical")), warning: fmtNumber(count("warning")) }),
        ),
      ),
      alerts.length === 0
        ? h("p", { class: "hint" }, t("noAlerts"))
        : h(
            "ul",
            null,
            alerts.map((a) =>
              h(
                "li",
                { dataset: { kind: a.kind, site: a.siteCode } },
                h("span", { class: `status sev-${a.severity}` }, severityLabel(a.severity)),
                " ",
                h(
                  "a",
                  { href: `#/site/${encodeURIComponent(a.siteCode)}` },
                  `${ctx.siteLabel(a.siteCode)}: ${alertKindLabel(a.kind)}`,
                ),
              ),
            ),
          ),
    );
  }
  const loadAlerts = async () => {
    try {
      alerts = sortAlerts((await getAlerts()).filter((a) => a.clearedAt === null));
      renderAlerts();
    } catch (err) {
      ctx.error(tc("couldNotLoad", { what: t("alertsWhat") }), err);
    }
  };
  ctx.live.on("alert", ({ change, alert }) => {
    alerts = applyAlertChange(alerts, change, alert);
    renderAlerts();
  });

  // ---- incidents and dispatch lines ---------------------------------------------------------
  const orderLayers = new Map<number, L.LayerGroup>();
  const showOrder = (order: DispatchOrder) => {
    let group = orderLayers.get(order.id);
    if (!group) {
      group = L.layerGroup().addTo(dispatchLayer);
      orderLayers.set(order.id, group);
    }
    group.clearLayers();
    if (order.state === "closed" || order.state === "cancelled") return;
    const colour = STATE_COLOURS[order.state];
    const seen = new Set<string>();
    for (const line of order.lines) {
      const source = ctx.siteByCode.get(line.sourceSiteCode);
      if (!source || seen.has(source.code)) continue;
      seen.add(source.code);
      const qty = order.lines
        .filter((l) => l.sourceSiteCode === source.code)
        .map(
          (l) =>
            `${ctx.itemLabel(l.itemTypeCode)} ${fmtQty(l.quantity, ctx.itemTypes.get(l.itemTypeCode)?.unit ?? "")}`,
        )
        .join(", ");
      L.polyline(
        [
          [source.lat, source.lon],
          [order.lat, order.lon],
        ],
        { color: colour, weight: 3, opacity: 0.85, className: `dispatch-line state-${order.state}` },
      )
        .bindTooltip(textNode(`${localName(source)} → ${order.incidentName}: ${qty}`))
        .addTo(group);
    }
    L.marker([order.lat, order.lon], {
      icon: L.divIcon({
        className: "incident-marker",
        html: `<span class="incident-shape" style="background:${colour}" aria-hidden="true"></span>`,
        iconSize: [30, 30],
        iconAnchor: [15, 15],
      }),
      title: t("incident", { name: order.incidentName }),
      zIndexOffset: 7000,
    })
      .bindTooltip(
        textNode(
          `${t("incident", { name: order.incidentName })} · ${t("personnel", { n: fmtNumber(order.personnel) })} · ${orderStateLabel(order.state)}`,
        ),
      )
      .on("click", () => ctx.navigate({ view: "command", orderId: order.id }))
      .addTo(group);
  };

  const loadOrders = async () => {
    // Dispatch is region-wide: not a keeper's to see.
    if (ctx.role === "keeper") return;
    try {
      const list = await getOrders(50);
      const active = list.filter((o) => o.state !== "closed" && o.state !== "cancelled").slice(0, 20);
      const orders = await Promise.all(active.map((o) => getOrder(o.id)));
      for (const order of orders) showOrder(order);
    } catch (err) {
      ctx.error(tc("couldNotLoad", { what: t("ordersWhat") }), err);
    }
  };
  ctx.live.on("dispatch", (order) => showOrder(order));
  ctx.live.onState((state, reconnected) => {
    if (state === "open" && reconnected) {
      for (const code of markers.keys()) dirty.add(code);
      void flush();
      void loadOrders();
      void loadAlerts();
    }
  });

  // ---- first paint ------------------------------------------------------------------------------
  const bounds = regionLayer ? regionLayer.getBounds() : L.latLngBounds([]);
  for (const site of sites) if (site.tier !== "external") bounds.extend([site.lat, site.lon]);
  map.fitBounds(bounds.isValid() ? bounds : FALLBACK_BOUNDS, { padding: [24, 24] });
  renderControl();
  renderLegend();
  renderAlerts();
  void loadOrders();
  void loadAlerts();

  return {
    map,
    container,
    overlay,
    showOrder,
    setToggle,
    invalidate: () => map.invalidateSize(),
    statusOf: (code) => status.get(code),
    relabel() {
      container.setAttribute("aria-label", t("mapLabel"));
      renderControl();
      renderLegend();
      renderAlerts();
      if (coverage) drawCoverage();
      for (const site of sites) {
        const marker = markers.get(site.code);
        if (marker) marker.options.title = localName(site);
        marker?.getElement()?.setAttribute("title", localName(site));
        const value = status.get(site.code) ?? "none";
        marker?.getElement()?.setAttribute("aria-label", `${localName(site)}: ${statusLabel(value)}`);
        if (marker?.isPopupOpen()) marker.fire("popupopen");
      }
    },
    applyStatuses,
  };
}

/**
 * Leaflet puts a string tooltip in as HTML; names come from users (incident names) and the
 * database, so tooltips get an element holding them as text.
 */
export function textNode(text: string): HTMLElement {
  return h("span", null, text);
}

/** Popup content: built on open from the latest stock, so it never shows stale figures. */
function bindPopup(ctx: AppContext, marker: L.Marker, site: Site): void {
  let request = 0;
  const body = h("div", { class: "site-popup" });
  marker.bindPopup(body, { maxWidth: 360, minWidth: 240, autoPanPadding: [16, 16] });
  marker.on("popupopen", async () => {
    const current = ++request;
    const header = popupHeader(site);
    replace(body, header, h("p", { class: "stock-note", role: "status" }, tc("loading")));
    let part: HTMLElement;
    try {
      part = stockPart(ctx, await getSiteStock(site.code));
    } catch (err) {
      part = h(
        "p",
        { class: "stock-note stock-error", role: "alert" },
        `${tc("couldNotLoad", { what: t("stockWhat", { site: localName(site) }) })}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (current !== request) return;
    replace(
      body,
      popupHeader(site),
      h("div", { class: "site-stock" }, part),
      h(
        "p",
        { class: "popup-link" },
        h("a", { href: `#/site/${encodeURIComponent(site.code)}` }, t("openKeeper")),
      ),
    );
    marker.getPopup()?.update();
  });
}

function popupHeader(site: Site): HTMLElement {
  return h(
    "div",
    null,
    h("h3", { class: "site-name" }, localName(site)),
    h(
      "dl",
      { class: "site-details" },
      h("dt", null, t("code")),
      h("dd", null, h("code", null, site.code)),
      h("dt", null, t("tier")),
      h("dd", null, tierLabel(site.tier)),
      site.city ? [h("dt", null, t("city")), h("dd", null, site.city)] : null,
    ),
  );
}

function stockPart(ctx: AppContext, stock: SiteStock): HTMLElement {
  const exceptions = stock.items
    .filter((i) => i.status !== "ok")
    .sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status));
  return h(
    "div",
    { class: "stock-summary" },
    h(
      "div",
      null,
      `${t("stock")}: `,
      h("span", { class: `status status-${stock.status}` }, statusLabel(stock.status)),
    ),
    h(
      "ul",
      { class: "stock-counts" },
      (["critical", "low", "over", "ok"] as const).map((s) =>
        h("li", null, `${statusLabel(s)}: `, h("strong", null, fmtNumber(stock.counts[s] ?? 0))),
      ),
    ),
    stock.items.length === 0
      ? h("p", { class: "stock-note" }, t("noItems"))
      : exceptions.length === 0
        ? h("p", { class: "stock-note stock-all-ok" }, t("allOk"))
        : h(
            "table",
            { class: "stock-table" },
            h(
              "thead",
              null,
              h(
                "tr",
                null,
                h("th", null, ""),
                h("th", { class: "num" }, t("onHand")),
                h("th", { class: "num" }, t("required")),
                h("th", null, ""),
              ),
            ),
            h(
              "tbody",
              null,
              exceptions.map((i) =>
                h(
                  "tr",
                  null,
                  h("td", null, ctx.itemLabel(i.itemTypeCode)),
                  h("td", { class: "num" }, fmtQty(i.onHandQty, i.unit)),
                  h("td", { class: "num" }, fmtQty(i.requiredQty, i.unit)),
                  h("td", null, h("span", { class: `status status-${i.status}` }, statusLabel(i.status))),
                ),
              ),
            ),
          ),
  );
}
