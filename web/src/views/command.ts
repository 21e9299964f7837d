import * as L from "leaflet";
import {
  createIncident,
  getCoverage,
  getOrder,
  getOrders,
  getSiting,
  moveOrder,
  type OrderAction,
} from "../api.ts";
import type { CoverageResult, DispatchOrder, DispatchOrderSummary, SitingResult } from "../api-types.ts";
import type { AppContext, View } from "../context.ts";
import { h, replace } from "../dom.ts";
import { fmtDateTime, fmtHours, fmtKm, fmtNumber, fmtPercent, fmtQty, localName, messages } from "../i18n.ts";
import { orderStateLabel, tc, tierLabel } from "../labels.ts";
import type { Route } from "../router.ts";
import { type MapView, STATE_COLOURS, textNode } from "./map.ts";
import { planTotals } from "./plan-totals.ts";

const t = messages(
  {
    title: "Command centre",
    newIncident: "Open an incident",
    clickHint: "Click the map to place the incident, or type its coordinates.",
    name: "Incident name",
    defaultName: "Incident",
    type: "Type",
    type_flood: "Flood",
    type_earthquake: "Earthquake",
    type_public_order: "Public order",
    type_fire: "Fire",
    type_other: "Other",
    lat: "Latitude",
    lon: "Longitude",
    personnel: "Personnel to equip",
    override: "Emergency: depots may go below their minimum standard",
    costModel: "Optimise for",
    cost_distance: "distance × quantity",
    cost_eta: "arrival time × quantity",
    plan: "Plan dispatch",
    planning: "Planning…",
    planWhat: "planning the dispatch",
    badCoords: "Enter a latitude between -90 and 90 and a longitude between -180 and 180, or click the map.",
    badPersonnel: "Enter the number of people to equip (a whole number, 1 or more).",
    order: "Dispatch order {id}",
    state: "State",
    people: "{n} people",
    created: "Planned {at}",
    cost: "Plan cost",
    greedy: "Nearest-depot-first cost",
    gain: "Saving over nearest-first",
    arrival: "Last arrival",
    target2h: "All within 2 h",
    target24h: "All within 24 h",
    shortfall: "Shortfall",
    noShortfall: "Nothing short: the demand is met in full.",
    contract: "Agreement and external sources used",
    noContract: "Only own depots are used.",
    totals: "Totals by item type",
    lines: "Lines",
    source: "Source",
    item: "Item",
    qty: "Quantity",
    batch: "Batch",
    distance: "Distance",
    eta: "ETA",
    progress: "Sent / received",
    kind_own: "own",
    kind_agreement: "agreement",
    kind_external: "external",
    act_approve: "Approve",
    act_dispatch: "Confirm dispatch",
    act_deliver: "Confirm delivery",
    act_close: "Close",
    act_cancel: "Cancel order",
    actWhat: "{action} order {id}",
    recent: "Recent orders",
    noOrders: "No dispatch orders yet.",
    ordersWhat: "dispatch orders",
    orderWhat: "dispatch order {id}",
    analysis: "Coverage analysis",
    coverageBtn: "Coverage",
    n1Btn: "N-1 resilience",
    sitingBtn: "Suggest new depots",
    k: "New depots",
    coverageWhat: "coverage",
    sitingWhat: "siting",
    reach: "Reach {km} (radius {radius}, {hours} at {speed} km/h, road factor {circuity})",
    areaShare: "Area covered",
    demandShare: "Demand covered for every item type",
    perType: "Demand covered per item type",
    n1None: "No single depot's loss uncovers any demand point.",
    n1Head: "Depots whose loss uncovers demand",
    depot: "Depot",
    coveredWithout: "Covered without it",
    pointsLost: "Points losing cover",
    sitingHead: "Suggested new depots",
    sitingNone: "No new depot would cover more demand.",
    sitingGain: "Covered demand: {before} → {after} of {total}",
    suggested: "Suggested new depot: {name}",
  },
  {
    title: "指挥中心",
    newIncident: "新建事件",
    clickHint: "点击地图确定事件位置，或输入坐标。",
    name: "事件名称",
    defaultName: "突发事件",
    type: "类型",
    type_flood: "洪涝",
    type_earthquake: "地震",
    type_public_order: "群体性事件",
    type_fire: "火灾",
    type_other: "其他",
    lat: "纬度",
    lon: "经度",
    personnel: "需装备人数",
    override: "紧急状态：允许储备库低于最低储备标准",
    costModel: "优化目标",
    cost_distance: "距离 × 数量",
    cost_eta: "到达时间 × 数量",
    plan: "生成调拨方案",
    planning: "正在计算…",
    planWhat: "生成调拨方案",
    badCoords: "请输入 -90 到 90 之间的纬度和 -180 到 180 之间的经度，或点击地图。",
    badPersonnel: "请输入需装备的人数（不小于 1 的整数）。",
    order: "调拨单 {id}",
    state: "状态",
    people: "{n} 人",
    created: "计划于 {at}",
    cost: "方案成本",
    greedy: "就近优先成本",
    gain: "较就近优先节省",
    arrival: "最晚到达",
    target2h: "2 小时内全部到达",
    target24h: "24 小时内全部到达",
    shortfall: "缺口",
    noShortfall: "无缺口：需求全部满足。",
    contract: "使用的协议储备与外部支援",
    noContract: "仅使用自有储备库。",
    totals: "按物资汇总",
    lines: "明细",
    source: "来源",
    item: "物资",
    qty: "数量",
    batch: "批次",
    distance: "距离",
    eta: "预计到达",
    progress: "已发 / 已收",
    kind_own: "自有",
    kind_agreement: "协议代储",
    kind_external: "外部支援",
    act_approve: "批准",
    act_dispatch: "确认发出",
    act_deliver: "确认送达",
    act_close: "关闭",
    act_cancel: "取消调拨单",
    actWhat: "{action}调拨单 {id}",
    recent: "最近的调拨单",
    noOrders: "暂无调拨单。",
    ordersWhat: "调拨单",
    orderWhat: "调拨单 {id}",
    analysis: "覆盖分析",
    coverageBtn: "覆盖率",
    n1Btn: "N-1 韧性",
    sitingBtn: "建议新建储备库",
    k: "新建数量",
    coverageWhat: "覆盖分析",
    sitingWhat: "选址分析",
    reach: "实际半径 {km}（半径 {radius}，{hours}，时速 {speed} 公里，道路系数 {circuity}）",
    areaShare: "面积覆盖率",
    demandShare: "全品类需求覆盖率",
    perType: "各物资需求覆盖率",
    n1None: "任一储备库失效都不会使需求点失去覆盖。",
    n1Head: "失效后会造成覆盖缺口的储备库",
    depot: "储备库",
    coveredWithout: "失效后覆盖率",
    pointsLost: "失去覆盖的点",
    sitingHead: "建议新建储备库",
    sitingNone: "新建储备库不能进一步提高覆盖。",
    sitingGain: "需求覆盖：{before} → {after}（共 {total}）",
    suggested: "建议新建储备库：{name}",
  },
);

const INCIDENT_TYPES = ["flood", "earthquake", "public_order", "fire", "other"] as const;
const NEXT_ACTIONS: Record<string, OrderAction[]> = {
  planned: ["approve", "cancel"],
  approved: ["dispatch", "cancel"],
  dispatched: ["deliver"],
  delivered: ["close"],
};

export function createCommandView(
  ctx: AppContext,
  panel: HTMLElement,
  mapView: MapView,
): View<Extract<Route, { view: "command" }>> {
  // Commanders and admins plan and move orders; a viewer sees them disabled (the server refuses too).
  const mayCommand = ctx.role === "admin" || ctx.role === "commander";
  let active = false;
  let order: DispatchOrder | null = null;
  let orders: DispatchOrderSummary[] = [];
  let analysis:
    | { kind: "coverage" | "n1"; data: CoverageResult }
    | { kind: "siting"; data: SitingResult }
    | null = null;
  const form = {
    name: "",
    type: "flood" as (typeof INCIDENT_TYPES)[number],
    lat: "",
    lon: "",
    personnel: "2000",
    override: false,
    costModel: "distance" as "distance" | "eta",
    k: "1",
  };
  let busy = false;
  const pick = L.layerGroup();
  const suggestions = L.layerGroup();

  const setPoint = (lat: number, lon: number) => {
    form.lat = lat.toFixed(5);
    form.lon = lon.toFixed(5);
    drawPick();
    render(true);
  };
  const drawPick = () => {
    pick.clearLayers();
    const lat = Number(form.lat);
    const lon = Number(form.lon);
    if (form.lat && form.lon && Number.isFinite(lat) && Number.isFinite(lon)) {
      L.circleMarker([lat, lon], { radius: 10, color: "#c53030", weight: 3, fillOpacity: 0.2 }).addTo(pick);
    }
  };
  mapView.map.on("click", (e: L.LeafletMouseEvent) => {
    if (active) setPoint(e.latlng.lat, e.latlng.lng);
  });

  const loadOrders = async () => {
    // Dispatch is region-wide: not a keeper's to see.
    if (ctx.role === "keeper") return;
    try {
      orders = await getOrders(20);
    } catch (err) {
      ctx.error(tc("couldNotLoad", { what: t("ordersWhat") }), err);
    }
    if (active) render();
  };

  const showOrder = (next: DispatchOrder, fit: boolean) => {
    order = next;
    mapView.showOrder(next);
    if (fit) {
      const bounds = L.latLngBounds([[next.lat, next.lon]]);
      for (const line of next.lines) {
        const site = ctx.siteByCode.get(line.sourceSiteCode);
        if (site && line.sourceKind === "own") bounds.extend([site.lat, site.lon]);
      }
      mapView.map.fitBounds(bounds, { padding: [40, 40], maxZoom: 9 });
    }
    render();
  };

  const loadOrder = async (id: number) => {
    try {
      showOrder(await getOrder(id), true);
    } catch (err) {
      ctx.error(tc("couldNotLoad", { what: t("orderWhat", { id }) }), err);
    }
  };

  ctx.live.on("dispatch", (changed) => {
    if (order && changed.id === order.id) showOrder(changed, false);
    const summary = orders.find((o) => o.id === changed.id);
    if (summary) summary.state = changed.state;
    else void loadOrders();
    if (active) render();
  });
  ctx.live.onState((state, reconnected) => {
    if (state === "open" && reconnected && active) {
      void loadOrders();
      if (order) void loadOrder(order.id);
    }
  });

  const submit = async (e: Event) => {
    e.preventDefault();
    const lat = Number(form.lat);
    const lon = Number(form.lon);
    if (form.lat === "" || form.lon === "" || !(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180)) {
      ctx.error(t("planWhat"), new Error(t("badCoords")));
      return;
    }
    const personnel = Number(form.personnel);
    if (!Number.isInteger(personnel) || personnel < 1) {
      ctx.error(t("planWhat"), new Error(t("badPersonnel")));
      return;
    }
    busy = true;
    render(true);
    try {
      const created = await createIncident({
        name: form.name.trim() || t("defaultName"),
        type: form.type.replace("_", " "),
        lat,
        lon,
        personnel,
        emergencyOverride: form.override,
        costModel: form.costModel,
      });
      pick.clearLayers();
      ctx.navigate({ view: "command", orderId: created.id });
      showOrder(created, true);
      void loadOrders();
    } catch (err) {
      ctx.error(t("planWhat"), err);
    } finally {
      busy = false;
      render(true);
    }
  };

  const act = async (action: OrderAction) => {
    if (!order) return;
    const what = t("actWhat", { action: t(`act_${action}`), id: order.id });
    busy = true;
    render();
    try {
      showOrder(await moveOrder(order.id, action), false);
    } catch (err) {
      ctx.error(what, err);
    } finally {
      busy = false;
      render();
    }
  };

  const analyse = async (kind: "coverage" | "n1" | "siting") => {
    busy = true;
    render();
    try {
      suggestions.clearLayers();
      if (kind === "siting") {
        const k = Math.max(1, Math.min(50, Math.round(Number(form.k) || 1)));
        const data = await getSiting(k);
        analysis = { kind, data };
        for (const c of data.chosen) {
          const site = ctx.siteByCode.get(c.id);
          L.marker([c.lat, c.lon], {
            icon: L.divIcon({
              className: "suggested-marker",
              html: '<span class="suggested-shape" aria-hidden="true">★</span>',
              iconSize: [32, 32],
              iconAnchor: [16, 16],
            }),
            title: t("suggested", { name: site ? localName(site) : c.id }),
            zIndexOffset: 8000,
          })
            .bindTooltip(textNode(t("suggested", { name: site ? localName(site) : c.id })))
            .addTo(suggestions);
        }
      } else {
        analysis = { kind, data: await getCoverage() };
        mapView.setToggle("coverage", true);
        mapView.setToggle("uncoveredArea", true);
        mapView.setToggle("uncoveredPoints", true);
      }
    } catch (err) {
      ctx.error(tc("couldNotLoad", { what: kind === "siting" ? t("sitingWhat") : t("coverageWhat") }), err);
    } finally {
      busy = false;
      render();
    }
  };

  // ---- rendering --------------------------------------------------------------------------------
  const field = (label: string, input: HTMLElement) =>
    h("label", { class: "field" }, h("span", null, label), input);
  const input = (key: "name" | "lat" | "lon" | "personnel" | "k", attrs: Record<string, unknown>) =>
    h("input", {
      ...attrs,
      value: form[key],
      name: key,
      oninput: (e: Event) => {
        form[key] = (e.target as HTMLInputElement).value;
        if (key === "lat" || key === "lon") drawPick();
      },
    });

  const incidentForm = () =>
    h(
      "form",
      { class: "incident-form", onsubmit: submit, "data-testid": "incident-form" },
      h("h2", null, t("newIncident")),
      h("p", { class: "hint" }, t("clickHint")),
      field(t("name"), input("name", { type: "text", maxlength: 200, placeholder: t("defaultName") })),
      field(
        t("type"),
        h(
          "select",
          {
            name: "type",
            onchange: (e: Event) => {
              form.type = (e.target as HTMLSelectElement).value as typeof form.type;
            },
          },
          INCIDENT_TYPES.map((ty) => h("option", { value: ty, selected: ty === form.type }, t(`type_${ty}`))),
        ),
      ),
      h(
        "div",
        { class: "field-row" },
        field(
          t("lat"),
          input("lat", { type: "number", step: "any", min: -90, max: 90, inputmode: "decimal" }),
        ),
        field(
          t("lon"),
          input("lon", { type: "number", step: "any", min: -180, max: 180, inputmode: "decimal" }),
        ),
      ),
      field(t("personnel"), input("personnel", { type: "number", min: 1, step: 1, inputmode: "numeric" })),
      field(
        t("costModel"),
        h(
          "select",
          {
            name: "costModel",
            onchange: (e: Event) => {
              form.costModel = (e.target as HTMLSelectElement).value as "distance" | "eta";
            },
          },
          (["distance", "eta"] as const).map((m) =>
            h("option", { value: m, selected: m === form.costModel }, t(`cost_${m}`)),
          ),
        ),
      ),
      h(
        "label",
        { class: "check" },
        h("input", {
          type: "checkbox",
          name: "override",
          checked: form.override,
          onchange: (e: Event) => {
            form.override = (e.target as HTMLInputElement).checked;
          },
        }),
        h("span", null, t("override")),
      ),
      h(
        "button",
        { type: "submit", class: "primary", disabled: busy || !mayCommand, "data-testid": "plan-button" },
        busy ? t("planning") : t("plan"),
      ),
    );

  const unitOf = (code: string) => ctx.itemTypes.get(code)?.unit ?? "";

  const orderSection = (o: DispatchOrder) => {
    const totals = planTotals(o.lines);
    const contract = o.lines.filter((l) => l.sourceKind !== "own");
    return h(
      "section",
      {
        class: "order",
        "data-testid": "order",
        "data-order": o.id,
        "data-state": o.state,
        "aria-live": "polite",
      },
      h(
        "h2",
        null,
        `${t("order", { id: o.id })}: ${o.incidentName} `,
        h(
          "span",
          {
            class: "state-badge",
            style: `background:${STATE_COLOURS[o.state]}`,
            "data-testid": "order-state",
          },
          orderStateLabel(o.state),
        ),
      ),
      h(
        "p",
        { class: "hint" },
        `${t("people", { n: fmtNumber(o.personnel) })} · ${fmtNumber(o.lat, 4)}, ${fmtNumber(o.lon, 4)} · ${t("created", { at: fmtDateTime(o.createdAt) })}`,
      ),
      h(
        "dl",
        { class: "figures" },
        h("dt", null, t("cost")),
        h("dd", { "data-testid": "plan-cost" }, fmtNumber(o.totalCost, 1)),
        h("dt", null, t("greedy")),
        h("dd", { "data-testid": "greedy-cost" }, fmtNumber(o.greedyCost, 1)),
        h("dt", null, t("gain")),
        h("dd", null, o.greedyCost > 0 ? fmtPercent(o.gainOverGreedy / o.greedyCost) : "–"),
        h("dt", null, t("arrival")),
        h("dd", null, fmtHours(o.arrivalHours)),
        h("dt", null, t("target2h")),
        h("dd", { class: o.meetsTargetHours ? "yes" : "no" }, o.meetsTargetHours ? tc("yes") : tc("no")),
        h("dt", null, t("target24h")),
        h(
          "dd",
          { class: o.meetsCrossRegionTarget ? "yes" : "no" },
          o.meetsCrossRegionTarget ? tc("yes") : tc("no"),
        ),
      ),
      h(
        "div",
        { class: "actions" },
        (NEXT_ACTIONS[o.state] ?? []).map((action) =>
          h(
            "button",
            {
              type: "button",
              class: action === "cancel" ? "danger" : "primary",
              disabled: busy || !mayCommand,
              dataset: { action },
              onclick: () => act(action),
            },
            t(`act_${action}`),
          ),
        ),
      ),
      h("h3", null, t("shortfall")),
      o.shortfall.length === 0
        ? h("p", { class: "ok-note" }, t("noShortfall"))
        : h(
            "ul",
            { class: "shortfall", "data-testid": "shortfall" },
            o.shortfall.map((s) =>
              h(
                "li",
                { dataset: { item: s.itemTypeCode } },
                `${ctx.itemLabel(s.itemTypeCode)}: ${fmtQty(s.missing, unitOf(s.itemTypeCode))}`,
              ),
            ),
          ),
      h("h3", null, t("contract")),
      contract.length === 0
        ? h("p", { class: "hint" }, t("noContract"))
        : h(
            "ul",
            null,
            [...new Set(contract.map((l) => l.sourceSiteCode))].map((code) => {
              const site = ctx.siteByCode.get(code);
              return h("li", null, `${ctx.siteLabel(code)} (${site ? tierLabel(site.tier) : code})`);
            }),
          ),
      h("h3", null, t("totals")),
      h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "data-table", "data-testid": "plan-totals" },
          h("thead", null, h("tr", null, h("th", null, t("item")), h("th", { class: "num" }, t("qty")))),
          h(
            "tbody",
            null,
            totals.map((r) =>
              h(
                "tr",
                { dataset: { item: r.itemTypeCode, qty: String(r.quantity) } },
                h("td", null, ctx.itemLabel(r.itemTypeCode)),
                h("td", { class: "num" }, fmtQty(r.quantity, unitOf(r.itemTypeCode))),
              ),
            ),
          ),
        ),
      ),
      h("h3", null, t("lines")),
      h(
        "div",
        { class: "table-scroll" },
        h(
          "table",
          { class: "data-table", "data-testid": "plan-lines" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", null, t("source")),
              h("th", null, t("item")),
              h("th", { class: "num" }, t("qty")),
              h("th", null, t("batch")),
              h("th", { class: "num" }, t("distance")),
              h("th", { class: "num" }, t("eta")),
              h("th", { class: "num" }, t("progress")),
            ),
          ),
          h(
            "tbody",
            null,
            o.lines.map((l) =>
              h(
                "tr",
                { dataset: { item: l.itemTypeCode, qty: String(l.quantity) } },
                h(
                  "td",
                  null,
                  ctx.siteLabel(l.sourceSiteCode),
                  l.sourceKind !== "own" ? ` (${t(`kind_${l.sourceKind}`)})` : "",
                ),
                h("td", null, ctx.itemLabel(l.itemTypeCode)),
                h("td", { class: "num" }, fmtQty(l.quantity, unitOf(l.itemTypeCode))),
                h("td", null, l.batchId === null ? "–" : `#${l.batchId}`),
                h("td", { class: "num" }, fmtKm(l.distanceKm)),
                h("td", { class: "num" }, fmtHours(l.etaHours)),
                h("td", { class: "num" }, `${fmtNumber(l.dispatchedQty)} / ${fmtNumber(l.deliveredQty)}`),
              ),
            ),
          ),
        ),
      ),
    );
  };

  const recentOrders = () =>
    h(
      "section",
      { class: "recent" },
      h("h2", null, t("recent")),
      orders.length === 0
        ? h("p", { class: "hint" }, t("noOrders"))
        : h(
            "ul",
            { class: "order-list" },
            orders.map((o) =>
              h(
                "li",
                null,
                h(
                  "a",
                  { href: `#/command/${o.id}`, "aria-current": order?.id === o.id ? "true" : undefined },
                  `#${o.id} ${o.incidentName} · ${orderStateLabel(o.state)} · ${t("people", { n: fmtNumber(o.personnel) })}`,
                ),
              ),
            ),
          ),
    );

  const analysisSection = () => {
    const result = (() => {
      if (!analysis) return null;
      if (analysis.kind === "siting") {
        const s = analysis.data;
        return h(
          "div",
          { class: "analysis-result", "data-testid": "siting-result" },
          h("h3", null, t("sitingHead")),
          s.chosen.length === 0
            ? h("p", null, t("sitingNone"))
            : h(
                "ul",
                null,
                s.chosen.map((c) => h("li", { dataset: { site: c.id } }, ctx.siteLabel(c.id))),
              ),
          h(
            "p",
            null,
            t("sitingGain", {
              before: fmtNumber(s.weightCoveredBefore),
              after: fmtNumber(s.weightCoveredAfter),
              total: fmtNumber(s.totalWeight),
            }),
          ),
        );
      }
      const c = analysis.data;
      const p = c.params;
      const reach = h(
        "p",
        { class: "hint" },
        t("reach", {
          km: fmtKm(p.reachKm),
          radius: fmtKm(p.radiusKm),
          hours: fmtHours(p.hours),
          speed: fmtNumber(p.speedKmh),
          circuity: fmtNumber(p.circuity, 2),
        }),
      );
      if (analysis.kind === "coverage") {
        return h(
          "div",
          { class: "analysis-result", "data-testid": "coverage-result" },
          reach,
          h(
            "dl",
            { class: "figures" },
            h("dt", null, t("areaShare")),
            h("dd", null, c.area ? fmtPercent(c.area.coveredShare) : "–"),
            h("dt", null, t("demandShare")),
            h("dd", null, fmtPercent(c.weightShareAll)),
          ),
          h("h3", null, t("perType")),
          h(
            "ul",
            { class: "per-type" },
            c.perItemType.map((x) =>
              h("li", null, `${ctx.itemLabel(x.itemTypeCode)}: ${fmtPercent(x.weightShare)}`),
            ),
          ),
        );
      }
      const losses = c.resilience
        .filter((r) => r.pointsLosingCoverage.length > 0)
        .sort((a, b) => a.weightShareAll - b.weightShareAll);
      return h(
        "div",
        { class: "analysis-result", "data-testid": "n1-result" },
        reach,
        losses.length === 0
          ? h("p", null, t("n1None"))
          : [
              h("h3", null, t("n1Head")),
              h(
                "div",
                { class: "table-scroll" },
                h(
                  "table",
                  { class: "data-table" },
                  h(
                    "thead",
                    null,
                    h(
                      "tr",
                      null,
                      h("th", null, t("depot")),
                      h("th", { class: "num" }, t("coveredWithout")),
                      h("th", { class: "num" }, t("pointsLost")),
                    ),
                  ),
                  h(
                    "tbody",
                    null,
                    losses.map((r) =>
                      h(
                        "tr",
                        null,
                        h("td", null, ctx.siteLabel(r.depotCode)),
                        h("td", { class: "num" }, fmtPercent(r.weightShareAll)),
                        h("td", { class: "num" }, fmtNumber(r.pointsLosingCoverage.length)),
                      ),
                    ),
                  ),
                ),
              ),
            ],
      );
    })();
    return h(
      "section",
      { class: "analysis" },
      h("h2", null, t("analysis")),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", disabled: busy, onclick: () => analyse("coverage") }, t("coverageBtn")),
        h("button", { type: "button", disabled: busy, onclick: () => analyse("n1") }, t("n1Btn")),
        h(
          "span",
          { class: "inline-field" },
          h("label", { for: "siting-k" }, t("k")),
          h("input", {
            id: "siting-k",
            type: "number",
            min: 1,
            max: 50,
            value: form.k,
            oninput: (e: Event) => {
              form.k = (e.target as HTMLInputElement).value;
            },
          }),
          h("button", { type: "button", disabled: busy, onclick: () => analyse("siting") }, t("sitingBtn")),
        ),
      ),
      result,
    );
  };

  const title = h("h1", { class: "panel-title" });
  const boxes = { order: h("div"), form: h("div"), recent: h("div"), analysis: h("div") };
  panel.append(title, boxes.order, boxes.form, boxes.recent, boxes.analysis);

  /** Re-renders the results; the form only when asked, so typing is never interrupted. */
  function render(withForm = false): void {
    if (!active) return;
    title.textContent = t("title");
    replace(boxes.order, order ? orderSection(order) : null);
    replace(boxes.recent, recentOrders());
    replace(boxes.analysis, analysisSection());
    if (withForm) {
      const focused = document.activeElement;
      const key = focused instanceof HTMLElement && boxes.form.contains(focused) ? focusKeyOf(focused) : null;
      replace(boxes.form, incidentForm());
      if (key) boxes.form.querySelector<HTMLElement>(key)?.focus();
    }
  }

  return {
    show(route) {
      const first = !active;
      active = true;
      panel.hidden = false;
      pick.addTo(mapView.map);
      suggestions.addTo(mapView.map);
      mapView.container.classList.add("picking");
      mapView.invalidate();
      if (route.orderId && route.orderId !== order?.id) void loadOrder(route.orderId);
      if (!route.orderId) order = null;
      if (first) void loadOrders();
      render(true);
    },
    hide() {
      active = false;
      panel.hidden = true;
      pick.remove();
      suggestions.remove();
      mapView.container.classList.remove("picking");
      mapView.invalidate();
    },
    relabel() {
      render(true);
    },
  };
}

function focusKeyOf(el: HTMLElement): string | null {
  const name = el.getAttribute("name");
  if (name) return `[name="${name}"]`;
  return el.id ? `#${el.id}` : null;
}
