/**
 * The keeper's charts: weight of each shelf and temperature / humidity of each environment sensor
 * over the last 24 hours (uPlot), with the site's storage limits drawn as dashed lines.
 */
import uPlot from "uplot";
import { errorMessage, getDevices, getReadings } from "../api.ts";
import type { Device, ItemType, ReadingPoint } from "../api-types.ts";
import type { AppContext } from "../context.ts";
import { h, replace } from "../dom.ts";
import { fmtDateTime, fmtNumber, getLang, getTimeZone, messages } from "../i18n.ts";
import { tc } from "../labels.ts";

const t = messages(
  {
    heading: "Shelves and storage conditions, last 24 hours",
    devicesWhat: "the site's devices",
    readingsWhat: "readings of {device}",
    noDevices: "This site has no weight shelf or environment sensor.",
    noReadings: "No readings in the last 24 hours",
    shelfTitle: "Shelf {name}: {item}",
    envTitle: "Environment sensor {name}",
    refreshNamed: "Refresh {title}",
    refreshAll: "Refresh all charts",
    offline: "Offline",
    disabled: "Disabled",
    weight: "Weight",
    temperature: "Temperature",
    humidity: "Relative humidity",
    axisTime: "Time",
    axisWeight: "Weight (kg)",
    axisTemp: "Temperature (°C)",
    axisHum: "Relative humidity (%RH)",
    minTemp: "Minimum {value} °C",
    maxTemp: "Maximum {value} °C",
    maxRh: "Maximum {value} %RH",
    limitsNote: "Dashed lines: storage limits, the strictest of the item types held here ({limits}).",
    limitsNone: "None of the item types held here has storage limits.",
    summary: "Latest {value} at {time}; range over 24 hours {min} to {max}.",
  },
  {
    heading: "货架与储存环境（近24小时）",
    devicesWhat: "本库点设备",
    readingsWhat: "{device}的读数",
    noDevices: "本库点没有称重货架或环境传感器。",
    noReadings: "近24小时无读数",
    shelfTitle: "货架 {name}：{item}",
    envTitle: "环境传感器 {name}",
    refreshNamed: "刷新{title}",
    refreshAll: "刷新全部图表",
    offline: "离线",
    disabled: "已停用",
    weight: "重量",
    temperature: "温度",
    humidity: "相对湿度",
    axisTime: "时间",
    axisWeight: "重量（千克）",
    axisTemp: "温度（°C）",
    axisHum: "相对湿度（%RH）",
    minTemp: "温度下限 {value} °C",
    maxTemp: "温度上限 {value} °C",
    maxRh: "湿度上限 {value} %RH",
    limitsNote: "虚线为储存环境限值，取本库点所存物资中最严格的要求（{limits}）。",
    limitsNone: "本库点所存物资均无储存环境要求。",
    summary: "最新读数 {value}（{time}）；近24小时范围 {min} 至 {max}。",
  },
);

const DAY_MS = 24 * 3600 * 1000;
const PLOT_HEIGHT = 220;
/** A shelf's chart reloads at most this often on live shelf movements. */
const MOVEMENT_THROTTLE_MS = 5000;

/** Measurement names as stored by the ingest (server/ingest/decoders). */
export const MEASUREMENTS = { weight: "weight", temperature: "temp", humidity: "hum" } as const;

export interface StorageLimits {
  minTempC: number | null;
  maxTempC: number | null;
  maxRhPct: number | null;
}

export const NO_LIMITS: StorageLimits = { minTempC: null, maxTempC: null, maxRhPct: null };

type LimitSource = Pick<ItemType, "storageMinTempC" | "storageMaxTempC" | "storageMaxRhPct">;

/** The strictest storage limits of several item types: highest minimum, lowest maxima. */
export function strictestLimits(types: Iterable<LimitSource>): StorageLimits {
  let { minTempC, maxTempC, maxRhPct } = NO_LIMITS;
  for (const type of types) {
    if (type.storageMinTempC !== null) minTempC = Math.max(minTempC ?? -Infinity, type.storageMinTempC);
    if (type.storageMaxTempC !== null) maxTempC = Math.min(maxTempC ?? Infinity, type.storageMaxTempC);
    if (type.storageMaxRhPct !== null) maxRhPct = Math.min(maxRhPct ?? Infinity, type.storageMaxRhPct);
  }
  return { minTempC, maxTempC, maxRhPct };
}

export function sameLimits(a: StorageLimits, b: StorageLimits): boolean {
  return a.minTempC === b.minTempC && a.maxTempC === b.maxTempC && a.maxRhPct === b.maxRhPct;
}

/** One measurement's points as uPlot columns: x in seconds, ascending. */
export function seriesOf(points: readonly ReadingPoint[], measurement: string): [number[], number[]] {
  const rows = points
    .filter((p) => p.measurement === measurement && Number.isFinite(p.value))
    .map((p) => [Date.parse(p.time) / 1000, p.value] as const)
    .filter(([x]) => Number.isFinite(x))
    .sort((a, b) => a[0] - b[0]);
  return [rows.map((r) => r[0]), rows.map((r) => r[1])];
}

export interface KeeperCharts {
  /** Loads the site's devices and their readings; replaces whatever was shown. */
  load(siteCode: string): Promise<void>;
  /** New storage limits (the item types held changed): environment charts are redrawn. */
  setLimits(limits: StorageLimits): void;
  /** Redraws every text in the current language from the data held. */
  relabel(): void;
  /** Destroys the plots, stops timers and live listeners. */
  clear(): void;
}

interface ChartSpec {
  caption: string;
  axis: string;
  unit: string;
  digits: number;
  stroke: string;
  measurement: string;
  limits: Array<{ label: string; value: number; stroke: string }>;
}

interface DeviceChart {
  device: Device;
  points: ReadingPoint[] | null;
  from: number;
  to: number;
  error: string | null;
  loading: boolean;
  card: HTMLElement;
  refreshButton: HTMLButtonElement | null;
  plots: uPlot[];
  observers: ResizeObserver[];
  lastLoad: number;
  timer: ReturnType<typeof setTimeout> | null;
  request: number;
}

export function createKeeperCharts(ctx: AppContext, section: HTMLElement): KeeperCharts {
  let generation = 0;
  let siteCode: string | null = null;
  let devicesLoading = false;
  let devicesError: string | null = null;
  let limits: StorageLimits = NO_LIMITS;
  const charts = new Map<string, DeviceChart>();
  let offMovement: (() => void) | null = null;
  let refreshAllButton: HTMLButtonElement | null = null;

  const headingId = "keeper-charts-heading";
  section.setAttribute("aria-labelledby", headingId);

  function deviceTitle(device: Device): string {
    return device.kind === "shelf"
      ? t("shelfTitle", { name: device.name, item: device.itemType ? ctx.itemLabel(device.itemType) : "–" })
      : t("envTitle", { name: device.name });
  }

  function limitsText(): string {
    const parts: string[] = [];
    if (limits.minTempC !== null) parts.push(t("minTemp", { value: fmtNumber(limits.minTempC, 1) }));
    if (limits.maxTempC !== null) parts.push(t("maxTemp", { value: fmtNumber(limits.maxTempC, 1) }));
    if (limits.maxRhPct !== null) parts.push(t("maxRh", { value: fmtNumber(limits.maxRhPct, 0) }));
    return parts.length > 0
      ? t("limitsNote", { limits: parts.join(getLang() === "en" ? "; " : "；") })
      : t("limitsNone");
  }

  function specsOf(device: Device): ChartSpec[] {
    if (device.kind === "shelf") {
      return [
        {
          caption: t("weight"),
          axis: t("axisWeight"),
          unit: "kg",
          digits: 2,
          stroke: "#2b6cb0",
          measurement: MEASUREMENTS.weight,
          limits: [],
        },
      ];
    }
    const tempLimits: ChartSpec["limits"] = [];
    if (limits.minTempC !== null) {
      tempLimits.push({
        label: t("minTemp", { value: fmtNumber(limits.minTempC, 1) }),
        value: limits.minTempC,
        stroke: "#2b6cb0",
      });
    }
    if (limits.maxTempC !== null) {
      tempLimits.push({
        label: t("maxTemp", { value: fmtNumber(limits.maxTempC, 1) }),
        value: limits.maxTempC,
        stroke: "#c53030",
      });
    }
    return [
      {
        caption: t("temperature"),
        axis: t("axisTemp"),
        unit: "°C",
        digits: 1,
        stroke: "#c05621",
        measurement: MEASUREMENTS.temperature,
        limits: tempLimits,
      },
      {
        caption: t("humidity"),
        axis: t("axisHum"),
        unit: "%RH",
        digits: 0,
        stroke: "#2c7a7b",
        measurement: MEASUREMENTS.humidity,
        limits:
          limits.maxRhPct === null
            ? []
            : [
                {
                  label: t("maxRh", { value: fmtNumber(limits.maxRhPct, 0) }),
                  value: limits.maxRhPct,
                  stroke: "#c53030",
                },
              ],
      },
    ];
  }

  function destroyPlots(dc: DeviceChart): void {
    for (const observer of dc.observers) observer.disconnect();
    for (const plot of dc.plots) plot.destroy();
    dc.observers = [];
    dc.plots = [];
  }

  /** A tick on the deployment's clock: the date at its midnight, else the time. */
  function timeTick(seconds: number): string {
    const date = new Date(seconds * 1000);
    const lang = getLang();
    const timeZone = getTimeZone();
    const wall = uPlot.tzDate(date, timeZone);
    return wall.getHours() === 0 && wall.getMinutes() === 0
      ? new Intl.DateTimeFormat(lang, { month: "short", day: "numeric", timeZone }).format(date)
      : new Intl.DateTimeFormat(lang, {
          hour: "2-digit",
          minute: "2-digit",
          hourCycle: "h23",
          timeZone,
        }).format(date);
  }

  function makePlot(dc: DeviceChart, spec: ChartSpec, target: HTMLElement, xs: number[], ys: number[]): void {
    // The whole 24-hour window is drawn, with the limit lines across it.
    const from = dc.from / 1000;
    const to = dc.to / 1000;
    const x: number[] = [];
    const y: Array<number | null> = [];
    if (xs.length === 0 || from < (xs[0] ?? from)) {
      x.push(from);
      y.push(null);
    }
    x.push(...xs);
    y.push(...ys);
    if (to > (x[x.length - 1] ?? to)) {
      x.push(to);
      y.push(null);
    }
    const fmtValue = (v: number | null | undefined) =>
      v === null || v === undefined ? "–" : `${fmtNumber(v, spec.digits)} ${spec.unit}`;
    const opts: uPlot.Options = {
      width: Math.max(target.clientWidth, 280),
      height: PLOT_HEIGHT,
      scales: { x: { time: true } },
      // Ticks fall on the deployment's hours and midnights, not the browser's.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), getTimeZone()),
      series: [
        {
          label: t("axisTime"),
          value: (_u, v) => (v === null || v === undefined ? "–" : fmtDateTime(v * 1000)),
        },
        { label: spec.caption, stroke: spec.stroke, width: 2, value: (_u, v) => fmtValue(v) },
        ...spec.limits.map(
          (limit): uPlot.Series => ({
            label: limit.label,
            stroke: limit.stroke,
            width: 1.5,
            dash: [6, 4],
            points: { show: false },
            value: () => fmtValue(limit.value),
          }),
        ),
      ],
      axes: [
        {
          label: t("axisTime"),
          stroke: "#1f2933",
          grid: { stroke: "#e4e7eb" },
          ticks: { stroke: "#cbd2d9" },
          values: (_u, splits) => splits.map(timeTick),
        },
        {
          label: spec.axis,
          stroke: "#1f2933",
          grid: { stroke: "#e4e7eb" },
          ticks: { stroke: "#cbd2d9" },
          size: 64,
          values: (_u, splits) => splits.map((v) => fmtNumber(v, spec.digits)),
        },
      ],
    };
    const data: uPlot.AlignedData = [x, y, ...spec.limits.map((limit) => x.map(() => limit.value))];
    const plot = new uPlot(opts, data, target);
    dc.plots.push(plot);
    if (typeof ResizeObserver !== "undefined") {
      let frame = 0;
      const observer = new ResizeObserver((entries) => {
        const width = Math.floor(entries[0]?.contentRect.width ?? 0);
        if (width <= 0 || width === plot.width) return;
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(() => plot.setSize({ width, height: PLOT_HEIGHT }));
      });
      observer.observe(target);
      dc.observers.push(observer);
    }
  }

  function renderCard(dc: DeviceChart): void {
    destroyPlots(dc);
    const title = deviceTitle(dc.device);
    const headingId = `chart-${dc.device.id}`;
    dc.refreshButton = h(
      "button",
      {
        type: "button",
        class: "keeper-btn keeper-btn-secondary",
        "aria-label": t("refreshNamed", { title }),
        disabled: dc.loading,
        onclick: () => void loadDevice(dc),
      },
      tc("refresh"),
    );
    const flags = [
      !dc.device.enabled && h("span", { class: "device-flag" }, t("disabled")),
      dc.device.online === false && h("span", { class: "device-flag" }, t("offline")),
    ];
    const pending: Array<{ spec: ChartSpec; target: HTMLElement; xs: number[]; ys: number[] }> = [];
    const figures = (dc.points === null ? [] : specsOf(dc.device)).map((spec) => {
      const [xs, ys] = seriesOf(dc.points ?? [], spec.measurement);
      if (xs.length === 0) {
        return h(
          "figure",
          { class: "chart-figure" },
          h("figcaption", null, spec.caption),
          h("p", { class: "chart-empty" }, t("noReadings")),
        );
      }
      const latest = ys[ys.length - 1] ?? null;
      const fmt = (v: number) => `${fmtNumber(v, spec.digits)} ${spec.unit}`;
      const summary = t("summary", {
        value: latest === null ? "–" : fmt(latest),
        time: fmtDateTime((xs[xs.length - 1] ?? 0) * 1000),
        min: fmt(ys.reduce((a, b) => Math.min(a, b), Infinity)),
        max: fmt(ys.reduce((a, b) => Math.max(a, b), -Infinity)),
      });
      const target = h("div", {
        class: "chart-plot",
        role: "img",
        "aria-label": `${spec.caption}: ${summary}`,
      });
      pending.push({ spec, target, xs, ys });
      return h(
        "figure",
        { class: "chart-figure" },
        h("figcaption", null, spec.caption),
        target,
        h("p", { class: "chart-summary" }, summary),
      );
    });
    replace(
      dc.card,
      h("div", { class: "chart-card-head" }, h("h3", { id: headingId }, title), flags, dc.refreshButton),
      dc.error && h("p", { class: "keeper-error", role: "alert" }, dc.error),
      dc.points === null && !dc.error && h("p", { class: "keeper-loading" }, tc("loading")),
      figures,
    );
    dc.card.setAttribute("aria-labelledby", headingId);
    for (const p of pending) makePlot(dc, p.spec, p.target, p.xs, p.ys);
  }

  function render(): void {
    for (const dc of charts.values()) destroyPlots(dc);
    refreshAllButton = h(
      "button",
      {
        type: "button",
        class: "keeper-btn keeper-btn-secondary",
        disabled: siteCode === null || devicesLoading,
        onclick: () => {
          if (siteCode) void load(siteCode);
        },
      },
      t("refreshAll"),
    );
    const list = h("div", { class: "chart-list" });
    replace(
      section,
      h("div", { class: "keeper-section-head" }, h("h2", { id: headingId }, t("heading")), refreshAllButton),
      devicesError && h("p", { class: "keeper-error", role: "alert" }, devicesError),
      devicesLoading && h("p", { class: "keeper-loading" }, tc("loading")),
      !devicesLoading && !devicesError && charts.size === 0 && siteCode && h("p", null, t("noDevices")),
      [...charts.values()].some((dc) => dc.device.kind === "env") &&
        h("p", { class: "chart-note" }, limitsText()),
      list,
    );
    for (const dc of charts.values()) {
      list.append(dc.card);
      renderCard(dc);
    }
  }

  async function loadDevice(dc: DeviceChart): Promise<void> {
    const gen = generation;
    const request = ++dc.request;
    if (dc.timer) {
      clearTimeout(dc.timer);
      dc.timer = null;
    }
    dc.lastLoad = Date.now();
    dc.loading = true;
    if (dc.refreshButton) dc.refreshButton.disabled = true;
    dc.card.setAttribute("aria-busy", "true");
    const to = Date.now();
    const from = to - DAY_MS;
    try {
      const readings = await getReadings(dc.device.id, new Date(from).toISOString());
      if (gen !== generation || request !== dc.request) return;
      dc.points = readings.points;
      dc.from = from;
      dc.to = to;
      dc.error = null;
    } catch (err) {
      if (gen !== generation || request !== dc.request) return;
      const what = tc("couldNotLoad", { what: t("readingsWhat", { device: dc.device.name }) });
      ctx.error(what, err);
      dc.error = `${what}: ${errorMessage(err)}`;
    }
    dc.loading = false;
    dc.card.removeAttribute("aria-busy");
    renderCard(dc);
  }

  /** Live shelf movement: reload that shelf's chart, at most every few seconds. */
  function onMovement(deviceId: string): void {
    const dc = charts.get(deviceId);
    if (!dc || dc.timer) return;
    const wait = dc.lastLoad + MOVEMENT_THROTTLE_MS - Date.now();
    if (wait <= 0) {
      void loadDevice(dc);
      return;
    }
    dc.timer = setTimeout(() => {
      dc.timer = null;
      void loadDevice(dc);
    }, wait);
  }

  function clear(): void {
    generation += 1;
    for (const dc of charts.values()) {
      destroyPlots(dc);
      if (dc.timer) clearTimeout(dc.timer);
    }
    charts.clear();
    offMovement?.();
    offMovement = null;
    devicesError = null;
    devicesLoading = false;
  }

  async function load(code: string): Promise<void> {
    clear();
    const gen = generation;
    siteCode = code;
    devicesLoading = true;
    render();
    offMovement = ctx.live.on("shelf-movement", (m) => {
      if (m.siteCode === siteCode) onMovement(m.deviceId);
    });
    if (refreshAllButton) refreshAllButton.disabled = true;
    let devices: Device[];
    try {
      devices = await getDevices(code);
    } catch (err) {
      if (gen !== generation) return;
      const what = tc("couldNotLoad", { what: t("devicesWhat") });
      ctx.error(what, err);
      devicesError = `${what}: ${errorMessage(err)}`;
      devicesLoading = false;
      render();
      return;
    }
    if (gen !== generation) return;
    devicesLoading = false;
    const kindOrder = { shelf: 0, env: 1, rfid: 2 } as const;
    const shown = devices
      .filter((d) => d.kind === "shelf" || d.kind === "env")
      .sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || a.name.localeCompare(b.name, getLang()));
    for (const device of shown) {
      charts.set(device.id, {
        device,
        points: null,
        from: Date.now() - DAY_MS,
        to: Date.now(),
        error: null,
        loading: false,
        card: h("article", { class: "chart-card", dataset: { device: device.id } }),
        refreshButton: null,
        plots: [],
        observers: [],
        lastLoad: 0,
        timer: null,
        request: 0,
      });
    }
    render();
    await Promise.all([...charts.values()].map((dc) => loadDevice(dc)));
  }

  return {
    load,
    setLimits(next) {
      if (sameLimits(next, limits)) return;
      limits = next;
      if (charts.size === 0) return;
      // The note above the charts changes too, so redraw the section from the data held.
      render();
    },
    relabel: render,
    clear() {
      clear();
      siteCode = null;
      section.replaceChildren();
    },
  };
}
