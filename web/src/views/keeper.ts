/**
 * The keeper view (#/site/CODE): one site's stock against its standard, alerts, rotation and
 * inspection tasks, audits (清查), downloads and sensor charts, kept current by the live feed.
 */

import { applyAlertChange, sortAlerts } from "../alerts.ts";
import {
  acknowledgeAlert,
  approveAudit,
  closeAudit,
  csvLinks,
  errorMessage,
  executeRotation,
  getAlerts,
  getAudit,
  getAudits,
  getBatches,
  getRotationPlan,
  getSiteStock,
  startAudit,
} from "../api.ts";
import type {
  Alert,
  Audit,
  AuditFindings,
  Batch,
  ItemStatus,
  ItemType,
  RotationPlan,
  RotationPlanLine,
  Site,
  SiteStock,
  StockItem,
  Tier,
} from "../api-types.ts";
import type { AppContext, View } from "../context.ts";
import { type Child, h, replace } from "../dom.ts";
import { fmtDateTime, fmtDay, fmtNumber, fmtQty, fmtUnit, getLang, messages, todayOf } from "../i18n.ts";
import { alertKindLabel, batchStatusLabel, severityLabel, statusLabel, tc, tierLabel } from "../labels.ts";
import type { Route } from "../router.ts";
import { type DeadlineTask, daysBetween, deadlineTasks } from "./deadlines.ts";
import { createKeeperCharts, strictestLimits } from "./keeper-charts.ts";
import {
  applyStockLine,
  ariaSort,
  DEFAULT_FILTER,
  DEFAULT_SORT,
  ITEM_STATUSES,
  type ItemNames,
  nextSort,
  type SortKey,
  type StockFilter,
  type StockSort,
  summariseStock,
  visibleStock,
} from "./stock-table.ts";

const t = messages(
  {
    sitePicker: "Site",
    pickPlaceholder: "Choose a site…",
    pickPrompt: "Choose a site above to see its stock, alerts, tasks and audits.",
    unknownSite: "There is no site with the code “{code}”. Choose a site from the list.",
    siteMeta: "{tier} · code {code}",
    siteCity: "{city}",
    overall: "Overall status",
    countsLabel: "Item types by status",
    stockHeading: "Stock against the standard",
    stockWhat: "the stock",
    colItem: "Item type",
    colOnHand: "On hand",
    colReserved: "Reserved",
    colAvailable: "Available",
    colRequired: "Required",
    colMinimum: "Minimum",
    colStatus: "Status",
    filterText: "Filter",
    filterPlaceholder: "Code or name",
    filterStatus: "Status",
    allStatuses: "All statuses",
    showing: "{shown} of {total} item types shown",
    noItems: "This site holds no stock and has no standard to meet.",
    noMatch: "No item type matches the filter.",
    basis_sensed: "S",
    basis_reconciled: "R",
    basis_book: "B",
    basisTitle_sensed: "Sensed: counted by the weight shelves and RFID tags",
    basisTitle_reconciled: "Reconciled: book quantity less the tagged units registered here but not seen",
    basisTitle_book: "Book: from the stock ledger; no sensor measures this item type",
    basisLegend: "On hand: S sensed, R reconciled with the tags, B book (ledger).",
    alertsHeading: "Alerts",
    alertsWhat: "the alerts",
    noAlerts: "No open alerts.",
    firstSeen: "First seen {time}",
    acknowledgedBy: "Acknowledged by {by}, {time}",
    acknowledge: "Acknowledge",
    ackWhat: "Acknowledging the alert",
    ackDone: "Alert acknowledged.",
    tasksHeading: "Rotation and inspection tasks",
    tasksWhat: "the rotation plan and batches",
    planHeading: "Rotation plan",
    planToday: "Plan of {day}",
    noPlan: "Nothing to rotate this cycle.",
    colBatch: "Batch",
    colQty: "Quantity",
    colAction: "Action",
    colDestination: "Destination",
    colReason: "Reason",
    colDeadline: "Deadline",
    colTask: "Task",
    colRun: "Carry out",
    action_transfer_to_station: "Transfer to a station",
    action_replace: "Return for replacement",
    action_dispose: "Dispose of",
    execute: "Execute",
    executeLabel: "Execute the rotation of batch {batch}",
    executeWhat: "Executing the rotation",
    executeDone: "Rotation of batch {batch} recorded.",
    deadlinesHeading: "Deadlines",
    noDeadlines: "No batch needs rotation, inspection or maintenance.",
    task_rotation: "Rotate out before expiry",
    task_scrap: "Replace before end of service life",
    task_expired: "Expired: take out of stock",
    task_inspection: "Inspection",
    task_maintenance: "Maintenance",
    overdueBy: "{days} d overdue",
    dueToday: "due today",
    dueIn: "in {days} d",
    noDeadline: "no date",
    qcPending: "quality check pending",
    showAll: "Show all {count}",
    showFewer: "Show fewer",
    auditsHeading: "Audits",
    auditsWhat: "the audits",
    auditWhat: "the audit",
    duration: "Duration (minutes)",
    startAudit: "Start audit",
    startWhat: "Starting the audit",
    startDone: "Audit #{id} started.",
    noAudits: "No audits of this site yet.",
    auditListLabel: "Audits of this site, newest first",
    auditTitle: "Audit #{id}",
    auditPick: "#{id} · {state} · {time}",
    auditState_open: "Open",
    auditState_closed: "Closed",
    auditState_approved: "Approved",
    auditStarted: "Started",
    auditEnds: "Window ends",
    auditClosed: "Closed",
    auditApproved: "Approved",
    auditNote: "Note",
    byOn: "{by}, {time}",
    auditLive: "Findings update every 10 seconds while the audit is open.",
    refreshAudit: "Refresh findings",
    closeAudit: "Close audit",
    closeWhat: "Closing the audit",
    closeDone: "Audit #{id} closed; its findings are frozen for approval.",
    approveReason: "Reason for approval",
    approve: "Approve adjustments",
    approveWhat: "Approving the audit",
    approveDone: "Audit #{id} approved; the adjustments are in the ledger.",
    reasonRequired: "Enter the reason for the approval.",
    missingTags: "Missing tags",
    unexpectedTags: "Unexpected tags",
    mismatches: "Quantity mismatches",
    adjustments: "Proposed adjustments",
    colEpc: "EPC",
    colUnits: "Units",
    colBook: "Book",
    colCounted: "Counted",
    colDifference: "Difference",
    colAdjustment: "Adjustment",
    unknownItem: "Unknown item type",
    clean: "No discrepancies: the count matches the book.",
    reportCsv: "Audit report (CSV)",
    downloadsHeading: "Downloads",
    stockCsv: "Stock against the standard (CSV)",
    planCsv: "Rotation plan (CSV)",
  },
  {
    sitePicker: "库点",
    pickPlaceholder: "请选择库点…",
    pickPrompt: "请在上方选择库点，查看其库存、告警、任务和清查。",
    unknownSite: "没有代码为“{code}”的库点，请从列表中选择。",
    siteMeta: "{tier} · 代码 {code}",
    siteCity: "{city}",
    overall: "总体状态",
    countsLabel: "各状态品类数",
    stockHeading: "库存与储备标准对照",
    stockWhat: "库存",
    colItem: "物资品类",
    colOnHand: "实有数量",
    colReserved: "已预留",
    colAvailable: "可用数量",
    colRequired: "标准储备",
    colMinimum: "最低储备",
    colStatus: "状态",
    filterText: "筛选",
    filterPlaceholder: "编码或名称",
    filterStatus: "状态",
    allStatuses: "全部状态",
    showing: "显示 {shown} / {total} 个品类",
    noItems: "该库点无库存，也没有储备标准要求。",
    noMatch: "没有符合筛选条件的品类。",
    basis_sensed: "感",
    basis_reconciled: "核",
    basis_book: "账",
    basisTitle_sensed: "感知：由称重货架和RFID标签实时清点",
    basisTitle_reconciled: "核对：账面数减去本库登记但未读到的标签物资",
    basisTitle_book: "账面：取自库存台账，该品类无传感器计量",
    basisLegend: "实有数量：感＝传感器清点，核＝账面与标签核对，账＝台账账面数。",
    alertsHeading: "告警",
    alertsWhat: "告警",
    noAlerts: "当前没有未消除的告警。",
    firstSeen: "首次发现 {time}",
    acknowledgedBy: "{by} 已于 {time} 确认",
    acknowledge: "确认",
    ackWhat: "确认告警",
    ackDone: "告警已确认。",
    tasksHeading: "轮换与检验任务",
    tasksWhat: "轮换计划和批次",
    planHeading: "轮换计划",
    planToday: "{day} 的计划",
    noPlan: "本周期无需轮换。",
    colBatch: "批次",
    colQty: "数量",
    colAction: "处置方式",
    colDestination: "去向",
    colReason: "原因",
    colDeadline: "截止日期",
    colTask: "事项",
    colRun: "执行",
    action_transfer_to_station: "调拨至基层所队",
    action_replace: "退回更换",
    action_dispose: "报废处置",
    execute: "执行",
    executeLabel: "执行批次 {batch} 的轮换",
    executeWhat: "执行轮换",
    executeDone: "批次 {batch} 的轮换已登记。",
    deadlinesHeading: "到期事项",
    noDeadlines: "没有需要轮换、检验或保养的批次。",
    task_rotation: "临期轮换出库",
    task_scrap: "到达报废年限前更新",
    task_expired: "已过期，需出库处置",
    task_inspection: "定期检验",
    task_maintenance: "维护保养",
    overdueBy: "已逾期 {days} 天",
    dueToday: "今日到期",
    dueIn: "还剩 {days} 天",
    noDeadline: "无日期",
    qcPending: "待质量检验",
    showAll: "显示全部 {count} 项",
    showFewer: "收起",
    auditsHeading: "清查",
    auditsWhat: "清查记录",
    auditWhat: "清查详情",
    duration: "清查时长（分钟）",
    startAudit: "开始清查",
    startWhat: "开始清查",
    startDone: "清查 #{id} 已开始。",
    noAudits: "该库点尚无清查记录。",
    auditListLabel: "本库点清查记录（最新在前）",
    auditTitle: "清查 #{id}",
    auditPick: "#{id} · {state} · {time}",
    auditState_open: "进行中",
    auditState_closed: "已结束",
    auditState_approved: "已审批",
    auditStarted: "开始",
    auditEnds: "清查截止",
    auditClosed: "结束",
    auditApproved: "审批",
    auditNote: "备注",
    byOn: "{by}，{time}",
    auditLive: "清查进行中，结果每 10 秒自动更新。",
    refreshAudit: "刷新清查结果",
    closeAudit: "结束清查",
    closeWhat: "结束清查",
    closeDone: "清查 #{id} 已结束，结果已锁定，等待审批。",
    approveReason: "审批理由",
    approve: "审批调账",
    approveWhat: "审批清查",
    approveDone: "清查 #{id} 已审批，调整已记入台账。",
    reasonRequired: "请填写审批理由。",
    missingTags: "缺失标签",
    unexpectedTags: "账外标签",
    mismatches: "数量差异",
    adjustments: "拟调账",
    colEpc: "EPC",
    colUnits: "数量",
    colBook: "账面数",
    colCounted: "实盘数",
    colDifference: "差异",
    colAdjustment: "调整数",
    unknownItem: "未知品类",
    clean: "无差异：实盘与账面一致。",
    reportCsv: "清查报告（CSV）",
    downloadsHeading: "下载",
    stockCsv: "库存与标准对照表（CSV）",
    planCsv: "轮换计划（CSV）",
  },
);

type KeeperRoute = Extract<Route, { view: "keeper" }>;
type Translate = typeof t;
type Key = Parameters<Translate>[0];

/** Tiers that hold the force's own reserve, in the order the picker lists them. */
const OWN_TIERS: readonly Tier[] = ["central", "branch", "county", "station"];
const ALL_TIERS: readonly Tier[] = [...OWN_TIERS, "agreement", "external"];
const LAST_SITE_KEY = "reserve.keeper.site";
const AUDIT_REFRESH_MS = 10_000;
const DEADLINES_SHOWN = 10;
const NUMERIC_HEADS = new Set<string>([
  "colUnits",
  "colBook",
  "colCounted",
  "colDifference",
  "colAdjustment",
]);

// ---- pure helpers ---------------------------------------------------------------------------

function readLastSite(): string | null {
  try {
    return localStorage.getItem(LAST_SITE_KEY);
  } catch {
    return null;
  }
}

function storeLastSite(code: string): void {
  try {
    localStorage.setItem(LAST_SITE_KEY, code);
  } catch {
    // Private mode: remembered for this page only.
  }
}

// ---- the view -------------------------------------------------------------------------------

export function createKeeperView(ctx: AppContext, root: HTMLElement): View<KeeperRoute> {
  // Keepers and admins change stock; others see the buttons disabled (the server refuses them too).
  const mayKeep = ctx.role === "admin" || ctx.role === "keeper";
  // What is shown.
  let active = false;
  let site: Site | null = null;
  let unknownCode: string | null = null;
  let generation = 0;

  let stock: SiteStock | null = null;
  let stockError: string | null = null;
  let alerts: Alert[] | null = null;
  let alertsError: string | null = null;
  let plan: RotationPlan | null = null;
  let batches: Batch[] | null = null;
  let tasksError: string | null = null;
  let audits: Audit[] | null = null;
  let auditsError: string | null = null;
  let selectedAuditId: number | null = null;
  let auditDetail: { audit: Audit; findings: AuditFindings } | null = null;
  let auditDetailError: string | null = null;

  // What the keeper typed or chose.
  let filter: StockFilter = { ...DEFAULT_FILTER };
  let sort: StockSort = { ...DEFAULT_SORT };
  let showAllDeadlines = false;
  let auditMinutes = 60;
  let approveReason = "";

  /** Requests under way, by action key: their buttons stay disabled across re-renders. */
  const pending = new Set<string>();
  let auditTimer: ReturnType<typeof setInterval> | null = null;
  let unsubscribe: Array<() => void> = [];

  // ---- skeleton -------------------------------------------------------------------------------

  root.classList.add("keeper");
  const pickerBar = h("div", { class: "keeper-picker" });
  const message = h("div", { class: "keeper-message" });
  const header = h("section", {
    class: "keeper-card keeper-header",
    "aria-labelledby": "keeper-site-heading",
  });
  const stockSection = h("section", {
    class: "keeper-card keeper-stock",
    "aria-labelledby": "keeper-stock-heading",
  });
  const chartsSection = h("section", { class: "keeper-card keeper-charts", "data-testid": "charts" });
  const alertsSection = h("section", {
    class: "keeper-card keeper-alerts",
    "aria-labelledby": "keeper-alerts-heading",
  });
  const tasksSection = h("section", {
    class: "keeper-card keeper-tasks",
    "aria-labelledby": "keeper-tasks-heading",
  });
  const auditsSection = h("section", {
    class: "keeper-card keeper-audits",
    "aria-labelledby": "keeper-audits-heading",
  });
  const downloadsSection = h("section", {
    class: "keeper-card keeper-downloads",
    "aria-labelledby": "keeper-downloads-heading",
  });
  const content = h(
    "div",
    { class: "keeper-content" },
    header,
    h(
      "div",
      { class: "keeper-grid" },
      h("div", { class: "keeper-col keeper-col-main" }, stockSection, chartsSection),
      h(
        "div",
        { class: "keeper-col keeper-col-side" },
        alertsSection,
        tasksSection,
        auditsSection,
        downloadsSection,
      ),
    ),
  );
  replace(root, pickerBar, message, content);
  const charts = createKeeperCharts(ctx, chartsSection);

  // ---- small helpers ------------------------------------------------------------------------

  const itemUnit = (code: string): string => ctx.itemTypes.get(code)?.unit ?? "";
  const stockLabel = (item: StockItem): string =>
    ctx.itemTypes.has(item.itemTypeCode) ? ctx.itemLabel(item.itemTypeCode) : item.itemTypeName;
  const stockNames = (item: StockItem): ItemNames => {
    const type = ctx.itemTypes.get(item.itemTypeCode);
    return { name: type?.name ?? item.itemTypeName, nameZh: type?.nameZh ?? null };
  };
  const badge = (status: ItemStatus | "none") =>
    h("span", { class: `status status-${status}` }, statusLabel(status));
  const errorText = (text: string | null) => text && h("p", { class: "keeper-error", role: "alert" }, text);
  const loadingText = () => h("p", { class: "keeper-loading" }, tc("loading"));

  /** Reports a failure to the user (notice and inline) and returns the inline text. */
  function failure(what: string, err: unknown): string {
    ctx.error(what, err);
    return `${what}: ${errorMessage(err)}`;
  }

  /** Runs a request for a button: disabled (here and in any re-render) until it settles. */
  async function busy(
    key: string,
    button: HTMLButtonElement | null,
    run: () => Promise<void>,
  ): Promise<void> {
    if (pending.has(key)) return;
    pending.add(key);
    if (button) {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
    }
    try {
      await run();
    } finally {
      pending.delete(key);
      if (button) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
      }
    }
  }

  function button(label: string, key: string, onclick: (b: HTMLButtonElement) => void, attrs: object = {}) {
    const b: HTMLButtonElement = h(
      "button",
      {
        type: "button",
        class: "keeper-btn",
        disabled: pending.has(key) || !mayKeep,
        onclick: () => onclick(b),
        ...attrs,
      },
      label,
    );
    return b;
  }

  function scrollTable(labelledBy: string, table: HTMLTableElement): HTMLElement {
    // Focusable so a keyboard can scroll it sideways on a narrow screen.
    return h(
      "div",
      { class: "table-scroll", role: "region", tabindex: "0", "aria-labelledby": labelledBy },
      table,
    );
  }

  // ---- site picker, message -------------------------------------------------------------------

  function renderPicker(): void {
    const collator = new Intl.Collator(getLang());
    const select = h("select", {
      id: "keeper-site-select",
      class: "keeper-select",
      "data-testid": "site-picker",
      onchange: () => {
        if (select.value) ctx.navigate({ view: "keeper", siteCode: select.value });
      },
    });
    select.append(h("option", { value: "" }, t("pickPlaceholder")));
    const shown = ctx.sites.filter((s) => OWN_TIERS.includes(s.tier) || s.code === site?.code);
    for (const tier of ALL_TIERS) {
      const group = shown
        .filter((s) => s.tier === tier)
        .sort((a, b) => collator.compare(ctx.siteLabel(a.code), ctx.siteLabel(b.code)));
      if (group.length === 0) continue;
      select.append(
        h(
          "optgroup",
          { label: tierLabel(tier) },
          group.map((s) => h("option", { value: s.code }, `${ctx.siteLabel(s.code)} (${s.code})`)),
        ),
      );
    }
    select.value = site?.code ?? "";
    replace(pickerBar, h("label", { for: "keeper-site-select" }, t("sitePicker")), select);
  }

  function renderMessage(): void {
    if (site) {
      replace(message);
      message.hidden = true;
      return;
    }
    message.hidden = false;
    replace(
      message,
      unknownCode === null
        ? h("p", { class: "keeper-prompt" }, t("pickPrompt"))
        : h("p", { class: "keeper-error", role: "alert" }, t("unknownSite", { code: unknownCode })),
    );
  }

  // ---- header -------------------------------------------------------------------------------

  function renderHeader(): void {
    if (!site) return;
    const summary = stock ? summariseStock(stock.items) : null;
    replace(
      header,
      h("h2", { id: "keeper-site-heading" }, ctx.siteLabel(site.code)),
      h(
        "p",
        { class: "keeper-meta" },
        t("siteMeta", { tier: tierLabel(site.tier), code: site.code }),
        site.city && ` · ${site.city}`,
      ),
      summary
        ? h(
            "div",
            { class: "keeper-summary" },
            h(
              "p",
              { class: "keeper-overall" },
              `${t("overall")}: `,
              h(
                "span",
                {
                  class: `status status-${summary.status}`,
                  "data-testid": "site-status",
                  "data-status": summary.status,
                },
                statusLabel(summary.status),
              ),
            ),
            h(
              "ul",
              { class: "keeper-counts", "aria-label": t("countsLabel"), "data-testid": "site-counts" },
              ITEM_STATUSES.map((s) =>
                h(
                  "li",
                  { "data-status": s },
                  h("span", { class: `status status-${s}` }, statusLabel(s)),
                  " ",
                  h("strong", { class: "count" }, fmtNumber(summary.counts[s])),
                ),
              ),
            ),
          )
        : !stockError && loadingText(),
    );
  }

  // ---- stock table ----------------------------------------------------------------------------

  const COLUMNS: ReadonlyArray<{ key: SortKey; label: Key; numeric: boolean }> = [
    { key: "itemType", label: "colItem", numeric: false },
    { key: "onHand", label: "colOnHand", numeric: true },
    { key: "reserved", label: "colReserved", numeric: true },
    { key: "available", label: "colAvailable", numeric: true },
    { key: "required", label: "colRequired", numeric: true },
    { key: "minimum", label: "colMinimum", numeric: true },
    { key: "status", label: "colStatus", numeric: false },
  ];

  let stockStatusLine: HTMLElement = h("div");
  let stockCount: HTMLElement = h("p");
  let stockBody: HTMLTableSectionElement = h("tbody");
  const sortHeads = new Map<SortKey, { th: HTMLElement; mark: HTMLElement }>();

  function sortMark(key: SortKey): string {
    if (sort.key !== key) return "↕";
    return sort.dir === "asc" ? "▲" : "▼";
  }

  function updateSortHeads(): void {
    for (const [key, { th, mark }] of sortHeads) {
      th.setAttribute("aria-sort", ariaSort(sort, key));
      th.classList.toggle("sorted", sort.key === key);
      mark.textContent = sortMark(key);
    }
  }

  function buildStockSection(): void {
    sortHeads.clear();
    const textInput = h("input", {
      id: "keeper-filter-text",
      type: "search",
      class: "keeper-input",
      placeholder: t("filterPlaceholder"),
      autocomplete: "off",
      value: filter.text,
      oninput: () => {
        filter = { ...filter, text: textInput.value };
        renderStockRows();
      },
    });
    const statusSelect = h(
      "select",
      {
        id: "keeper-filter-status",
        class: "keeper-select",
        onchange: () => {
          filter = { ...filter, status: statusSelect.value as StockFilter["status"] };
          renderStockRows();
        },
      },
      h("option", { value: "all" }, t("allStatuses")),
      ITEM_STATUSES.map((s) => h("option", { value: s }, statusLabel(s))),
    );
    statusSelect.value = filter.status;

    const headRow = h("tr");
    for (const column of COLUMNS) {
      const mark = h("span", { class: "sort-mark", "aria-hidden": "true" }, sortMark(column.key));
      const th = h(
        "th",
        { scope: "col", class: column.numeric ? "num" : null, "aria-sort": ariaSort(sort, column.key) },
        h(
          "button",
          {
            type: "button",
            class: "sort-btn",
            "data-sort": column.key,
            onclick: () => {
              sort = nextSort(sort, column.key);
              updateSortHeads();
              renderStockRows();
            },
          },
          t(column.label),
          mark,
        ),
      );
      sortHeads.set(column.key, { th, mark });
      headRow.append(th);
    }
    updateSortHeads();
    stockBody = h("tbody");
    stockStatusLine = h("div");
    stockCount = h("p", { class: "stock-count", "aria-live": "polite" });
    const table = h(
      "table",
      { class: "keeper-table keeper-stock-table", "data-testid": "stock-table" },
      h("thead", null, headRow),
      stockBody,
    );
    replace(
      stockSection,
      h("h2", { id: "keeper-stock-heading" }, t("stockHeading")),
      h(
        "div",
        { class: "keeper-controls" },
        h(
          "div",
          { class: "keeper-field" },
          h("label", { for: "keeper-filter-text" }, t("filterText")),
          textInput,
        ),
        h(
          "div",
          { class: "keeper-field" },
          h("label", { for: "keeper-filter-status" }, t("filterStatus")),
          statusSelect,
        ),
      ),
      stockStatusLine,
      stockCount,
      scrollTable("keeper-stock-heading", table),
      h("p", { class: "keeper-note" }, t("basisLegend")),
    );
    renderStockRows();
  }

  function stockRow(item: StockItem): HTMLTableRowElement {
    const num = (col: string, value: number) =>
      h("td", { class: "num", "data-col": col, "data-value": String(value) }, fmtNumber(value));
    return h(
      "tr",
      { dataset: { item: item.itemTypeCode }, class: `row-${item.status}` },
      h(
        "th",
        { scope: "row", class: "col-item", "data-col": "itemType" },
        h("span", { class: "item-name" }, stockLabel(item)),
        h("span", { class: "item-code" }, `${item.itemTypeCode} · ${fmtUnit(item.unit)}`),
      ),
      h(
        "td",
        {
          class: "num",
          "data-col": "onHand",
          "data-value": String(item.onHandQty),
          "data-basis": item.basis,
        },
        fmtNumber(item.onHandQty),
        " ",
        h(
          "abbr",
          { class: `basis basis-${item.basis}`, title: t(`basisTitle_${item.basis}`) },
          t(`basis_${item.basis}`),
        ),
      ),
      num("reserved", item.reservedQty),
      num("available", item.availableQty),
      num("required", item.requiredQty),
      num("minimum", item.minQty),
      h("td", { "data-col": "status", "data-status": item.status }, badge(item.status)),
    );
  }

  function visibleRows(): StockItem[] {
    return stock ? visibleStock(stock.items, filter, sort, stockNames, stockLabel, getLang()) : [];
  }

  function renderStockRows(): void {
    replace(stockStatusLine, errorText(stockError), !stock && !stockError && loadingText());
    if (!stock) {
      replace(stockBody);
      stockCount.textContent = "";
      return;
    }
    const rows = visibleRows();
    const empty = stock.items.length === 0 ? t("noItems") : rows.length === 0 ? t("noMatch") : null;
    replace(
      stockBody,
      empty
        ? h("tr", { class: "empty-row" }, h("td", { colspan: String(COLUMNS.length) }, empty))
        : rows.map(stockRow),
    );
    stockCount.textContent = t("showing", {
      shown: fmtNumber(rows.length),
      total: fmtNumber(stock.items.length),
    });
  }

  /** A live line: its row is replaced where it stands when the order holds, else the rows are redrawn. */
  function updateStockRow(itemTypeCode: string): void {
    if (!stock) return;
    const rows = visibleRows();
    const shownCodes = [...stockBody.querySelectorAll<HTMLTableRowElement>("tr[data-item]")].map(
      (r) => r.dataset.item,
    );
    const sameOrder =
      rows.length === shownCodes.length && rows.every((r, i) => r.itemTypeCode === shownCodes[i]);
    if (!sameOrder) {
      renderStockRows();
    } else {
      const item = rows.find((r) => r.itemTypeCode === itemTypeCode);
      const old = [...stockBody.rows].find((r) => r.dataset.item === itemTypeCode);
      if (item && old) {
        const row = stockRow(item);
        row.classList.add("row-updated");
        old.replaceWith(row);
      }
      stockCount.textContent = t("showing", {
        shown: fmtNumber(rows.length),
        total: fmtNumber(stock.items.length),
      });
    }
  }

  function updateLimits(): void {
    if (!stock) return;
    const held = stock.items
      .filter((i) => i.bookQty > 0 || i.onHandQty > 0)
      .map((i) => ctx.itemTypes.get(i.itemTypeCode))
      .filter((type): type is ItemType => type !== undefined);
    charts.setLimits(strictestLimits(held));
  }

  // ---- alerts -------------------------------------------------------------------------------

  function alertItem(alert: Alert): HTMLLIElement {
    const key = `ack:${alert.id}`;
    return h(
      "li",
      {
        class: `alert-item alert-${alert.severity}`,
        dataset: { kind: alert.kind, alertId: String(alert.id) },
      },
      h(
        "div",
        { class: "alert-head" },
        h("span", { class: `severity severity-${alert.severity}` }, severityLabel(alert.severity)),
        h("strong", { class: "alert-kind" }, alertKindLabel(alert.kind)),
      ),
      h("p", { class: "alert-message" }, alert.message),
      h("p", { class: "alert-meta" }, t("firstSeen", { time: fmtDateTime(alert.firstSeenAt) })),
      alert.acknowledgedAt
        ? h(
            "p",
            { class: "alert-ack" },
            t("acknowledgedBy", { by: alert.acknowledgedBy ?? "–", time: fmtDateTime(alert.acknowledgedAt) }),
          )
        : button(t("acknowledge"), key, (b) => void acknowledge(alert, b), {
            class: "keeper-btn keeper-btn-secondary",
          }),
    );
  }

  function renderAlerts(): void {
    const list = h("ul", { class: "alert-list", "data-testid": "alerts" }, (alerts ?? []).map(alertItem));
    replace(
      alertsSection,
      h(
        "h2",
        { id: "keeper-alerts-heading" },
        t("alertsHeading"),
        alerts && ` (${fmtNumber(alerts.length)})`,
      ),
      errorText(alertsError),
      !alerts && !alertsError && loadingText(),
      alerts && alerts.length === 0 && h("p", { class: "keeper-empty" }, t("noAlerts")),
      list,
    );
  }

  async function acknowledge(alert: Alert, b: HTMLButtonElement): Promise<void> {
    await busy(`ack:${alert.id}`, b, async () => {
      try {
        const updated = await acknowledgeAlert(alert.id);
        alertsError = null;
        if (alerts) alerts = applyAlertChange(alerts, "acknowledged", updated);
        ctx.info(t("ackDone"));
      } catch (err) {
        alertsError = failure(tc("failed", { what: t("ackWhat") }), err);
      }
    });
    renderAlerts();
  }

  // ---- rotation and inspection tasks ----------------------------------------------------------

  function batchOf(id: number): Batch | undefined {
    return batches?.find((b) => b.batchId === id);
  }

  function deadlineCell(deadline: string | null, late: boolean, today: string): HTMLElement {
    if (!deadline) return h("td", { class: "deadline" }, t("noDeadline"));
    const days = daysBetween(today, deadline);
    const overdue = late || days < 0;
    const relative =
      days < 0
        ? t("overdueBy", { days: fmtNumber(-days) })
        : days === 0
          ? t("dueToday")
          : t("dueIn", { days: fmtNumber(days) });
    return h(
      "td",
      { class: overdue ? "deadline overdue" : "deadline", "data-deadline": deadline },
      h("time", { datetime: deadline }, fmtDay(deadline)),
      h("span", { class: "deadline-rel" }, relative),
    );
  }

  function planTable(lines: RotationPlanLine[], today: string): HTMLElement {
    const rows = lines.map((line) => {
      const batch = batchOf(line.batchId);
      const batchName = batch ? `${batch.lotCode} (#${line.batchId})` : `#${line.batchId}`;
      const key = `exec:${line.batchId}:${line.action}:${line.destinationSiteCode ?? ""}`;
      return h(
        "tr",
        { dataset: { batch: String(line.batchId), item: line.itemTypeCode } },
        // The button comes first so it is in reach without scrolling on a narrow screen.
        h(
          "td",
          null,
          button(t("execute"), key, (b) => void execute(line, key, b), {
            "aria-label": t("executeLabel", { batch: batchName }),
          }),
        ),
        h("td", null, batchName),
        h("td", null, ctx.itemLabel(line.itemTypeCode)),
        h("td", { class: "num" }, fmtQty(line.quantity, itemUnit(line.itemTypeCode))),
        h("td", null, t(`action_${line.action.replace(/-/g, "_")}` as Key)),
        h("td", null, line.destinationSiteCode ? ctx.siteLabel(line.destinationSiteCode) : "–"),
        h("td", { class: "reason" }, line.reason),
        h(
          "td",
          null,
          h("span", { class: `batch-status batch-${line.status}` }, batchStatusLabel(line.status)),
        ),
        deadlineCell(
          batch ? (batch.endOfLife ?? batch.expiryDate) : null,
          line.status === "overdue" || line.status === "expired",
          today,
        ),
      );
    });
    const heads: Key[] = [
      "colRun",
      "colBatch",
      "colItem",
      "colQty",
      "colAction",
      "colDestination",
      "colReason",
      "colStatus",
      "colDeadline",
    ];
    return scrollTable(
      "keeper-plan-heading",
      h(
        "table",
        { class: "keeper-table", "data-testid": "rotation-plan" },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            heads.map((k) => h("th", { scope: "col" }, t(k))),
          ),
        ),
        h("tbody", null, rows),
      ),
    );
  }

  function deadlinesTable(tasks: DeadlineTask[], today: string): HTMLElement {
    const shown = showAllDeadlines ? tasks : tasks.slice(0, DEADLINES_SHOWN);
    const rows = shown.map((task) => {
      const b = task.batch;
      const late =
        task.kind === "expired" ||
        (task.kind !== "inspection" && task.kind !== "maintenance" && b.status === "overdue");
      return h(
        "tr",
        { dataset: { batch: String(b.batchId), task: task.kind } },
        deadlineCell(task.deadline, late, today),
        h(
          "td",
          null,
          t(`task_${task.kind}`),
          (task.kind === "rotation" || task.kind === "scrap" || task.kind === "expired") &&
            h("span", { class: `batch-status batch-${b.status}` }, batchStatusLabel(b.status)),
          b.qualityCheckPending && h("span", { class: "qc-flag" }, t("qcPending")),
        ),
        h("td", null, ctx.itemTypes.has(b.itemTypeCode) ? ctx.itemLabel(b.itemTypeCode) : b.itemTypeName),
        h("td", null, `${b.lotCode} (#${b.batchId})`),
        h("td", { class: "num" }, fmtQty(b.quantity, itemUnit(b.itemTypeCode))),
      );
    });
    const heads: Key[] = ["colDeadline", "colTask", "colItem", "colBatch", "colQty"];
    return h(
      "div",
      null,
      scrollTable(
        "keeper-deadlines-heading",
        h(
          "table",
          { class: "keeper-table", "data-testid": "deadlines" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              heads.map((k) => h("th", { scope: "col" }, t(k))),
            ),
          ),
          h("tbody", null, rows),
        ),
      ),
      tasks.length > DEADLINES_SHOWN &&
        h(
          "button",
          {
            type: "button",
            class: "keeper-btn keeper-btn-secondary",
            "aria-expanded": String(showAllDeadlines),
            onclick: () => {
              showAllDeadlines = !showAllDeadlines;
              renderTasks();
            },
          },
          showAllDeadlines ? t("showFewer") : t("showAll", { count: fmtNumber(tasks.length) }),
        ),
    );
  }

  function renderTasks(): void {
    const today = plan?.today ?? todayOf();
    const tasks = batches ? deadlineTasks(batches) : [];
    replace(
      tasksSection,
      h("h2", { id: "keeper-tasks-heading" }, t("tasksHeading")),
      errorText(tasksError),
      !plan && !batches && !tasksError && loadingText(),
      plan && [
        h("h3", { id: "keeper-plan-heading" }, t("planHeading")),
        h("p", { class: "keeper-note" }, t("planToday", { day: fmtDay(plan.today) })),
        plan.lines.length === 0
          ? h("p", { class: "keeper-empty" }, t("noPlan"))
          : planTable(plan.lines, today),
      ],
      batches && [
        h("h3", { id: "keeper-deadlines-heading" }, t("deadlinesHeading")),
        tasks.length === 0
          ? h("p", { class: "keeper-empty" }, t("noDeadlines"))
          : deadlinesTable(tasks, today),
      ],
    );
  }

  async function execute(line: RotationPlanLine, key: string, b: HTMLButtonElement): Promise<void> {
    const batch = batchOf(line.batchId);
    const batchName = batch ? batch.lotCode : `#${line.batchId}`;
    let done = false;
    await busy(key, b, async () => {
      try {
        await executeRotation({
          batchId: line.batchId,
          siteCode: line.siteCode,
          quantity: line.quantity,
          action: line.action,
          destinationSiteCode: line.destinationSiteCode,
          reason: line.reason,
        });
        done = true;
        tasksError = null;
        ctx.info(t("executeDone", { batch: batchName }));
      } catch (err) {
        tasksError = failure(tc("failed", { what: t("executeWhat") }), err);
      }
    });
    if (done) await Promise.all([loadTasks(generation), loadStock(generation)]);
    else renderTasks();
  }

  // ---- audits -------------------------------------------------------------------------------

  let auditMetaEl: HTMLElement | null = null;
  let auditFindingsEl: HTMLElement | null = null;
  let auditShownState: Audit["state"] | null = null;
  let auditShownError: string | null = null;

  const auditStateLabel = (state: Audit["state"]) => t(`auditState_${state}`);

  function findingsView(findings: AuditFindings): Child {
    if (findings.clean) return h("p", { class: "keeper-ok" }, t("clean"));
    const itemName = (code: string | null) => (code ? ctx.itemLabel(code) : t("unknownItem"));
    const table = (id: string, title: Key, heads: Key[], rows: Child[][]) =>
      rows.length === 0
        ? null
        : h(
            "div",
            { class: "finding" },
            h("h4", { id }, t(title), ` (${fmtNumber(rows.length)})`),
            scrollTable(
              id,
              h(
                "table",
                { class: "keeper-table" },
                h(
                  "thead",
                  null,
                  h(
                    "tr",
                    null,
                    heads.map((k) =>
                      h("th", { scope: "col", class: NUMERIC_HEADS.has(k) ? "num" : null }, t(k)),
                    ),
                  ),
                ),
                h(
                  "tbody",
                  null,
                  rows.map((cells) =>
                    h(
                      "tr",
                      null,
                      cells.map((c, i) =>
                        h("td", { class: NUMERIC_HEADS.has(heads[i] as Key) ? "num" : null }, c),
                      ),
                    ),
                  ),
                ),
              ),
            ),
          );
    const signed = (n: number) => (n > 0 ? `+${fmtNumber(n)}` : fmtNumber(n));
    return [
      table(
        "audit-missing",
        "missingTags",
        ["colEpc", "colItem", "colUnits"],
        findings.missingTags.map((m) => [m.epc, itemName(m.itemTypeCode), fmtNumber(m.units)]),
      ),
      table(
        "audit-unexpected",
        "unexpectedTags",
        ["colEpc", "colItem", "colUnits"],
        findings.unexpectedTags.map((u) => [u.epc, itemName(u.itemTypeCode), fmtNumber(u.units)]),
      ),
      table(
        "audit-mismatches",
        "mismatches",
        ["colItem", "colBook", "colCounted", "colDifference"],
        findings.mismatches.map((m) => [
          itemName(m.itemTypeCode),
          fmtNumber(m.bookQty),
          fmtNumber(m.countedQty),
          signed(m.difference),
        ]),
      ),
      table(
        "audit-adjustments",
        "adjustments",
        ["colItem", "colAdjustment"],
        findings.proposedAdjustments.map((a) => [itemName(a.itemTypeCode), signed(a.quantity)]),
      ),
    ];
  }

  function auditMeta(audit: Audit): HTMLElement {
    const row = (label: Key, value: string | null) =>
      value === null ? null : [h("dt", null, t(label)), h("dd", null, value)];
    return h(
      "dl",
      { class: "keeper-dl" },
      row("auditStarted", t("byOn", { by: audit.startedBy, time: fmtDateTime(audit.startedAt) })),
      row("auditEnds", fmtDateTime(audit.endsAt)),
      row("auditClosed", audit.closedAt ? fmtDateTime(audit.closedAt) : null),
      row(
        "auditApproved",
        audit.approvedAt
          ? t("byOn", { by: audit.approvedBy ?? "–", time: fmtDateTime(audit.approvedAt) })
          : null,
      ),
      row("auditNote", audit.note),
    );
  }

  function auditActions(audit: Audit): Child {
    if (audit.state === "open") {
      return [
        h("p", { class: "keeper-note" }, t("auditLive")),
        h(
          "div",
          { class: "keeper-actions" },
          button(t("refreshAudit"), `audit-refresh:${audit.id}`, (b) => void refreshAudit(b), {
            class: "keeper-btn keeper-btn-secondary",
          }),
          button(t("closeAudit"), `audit-close:${audit.id}`, (b) => void close(audit, b)),
        ),
      ];
    }
    if (audit.state === "closed") {
      const key = `audit-approve:${audit.id}`;
      const reason = h("input", {
        id: "keeper-approve-reason",
        class: "keeper-input",
        type: "text",
        required: true,
        maxlength: "1000",
        value: approveReason,
        oninput: () => {
          approveReason = reason.value;
          reason.setCustomValidity("");
        },
      });
      const submit = h(
        "button",
        { type: "submit", class: "keeper-btn", disabled: pending.has(key) || !mayKeep },
        t("approve"),
      );
      const form = h(
        "form",
        {
          class: "keeper-form",
          novalidate: true,
          onsubmit: (event: Event) => {
            event.preventDefault();
            if (!reason.value.trim()) {
              reason.setCustomValidity(t("reasonRequired"));
              reason.reportValidity();
              reason.focus();
              return;
            }
            void approve(audit, reason.value.trim(), submit);
          },
        },
        h(
          "div",
          { class: "keeper-field keeper-field-grow" },
          h("label", { for: "keeper-approve-reason" }, t("approveReason")),
          reason,
        ),
        submit,
      );
      return form;
    }
    return null;
  }

  function renderAuditDetail(container: HTMLElement): void {
    auditMetaEl = null;
    auditFindingsEl = null;
    auditShownState = null;
    auditShownError = auditDetailError;
    if (selectedAuditId === null) return;
    if (!auditDetail || auditDetail.audit.id !== selectedAuditId) {
      replace(container, errorText(auditDetailError), !auditDetailError && loadingText());
      return;
    }
    const { audit, findings } = auditDetail;
    auditMetaEl = h("div", null, auditMeta(audit));
    auditFindingsEl = h("div", { class: "audit-findings" }, findingsView(findings));
    auditShownState = audit.state;
    replace(
      container,
      h(
        "div",
        { class: "keeper-section-head" },
        h("h3", { id: "keeper-audit-heading" }, t("auditTitle", { id: audit.id })),
        h("span", { class: `audit-state audit-${audit.state}` }, auditStateLabel(audit.state)),
      ),
      errorText(auditDetailError),
      auditMetaEl,
      auditActions(audit),
      auditFindingsEl,
      h(
        "p",
        null,
        h("a", { class: "keeper-link", href: csvLinks.audit(audit.id), download: "" }, t("reportCsv")),
      ),
    );
  }

  function renderAudits(): void {
    if (!site) return;
    const startKey = "audit-start";
    const minutes = h("input", {
      id: "keeper-audit-minutes",
      class: "keeper-input keeper-input-number",
      type: "number",
      min: "1",
      max: String(7 * 24 * 60),
      step: "1",
      required: true,
      inputmode: "numeric",
      value: String(auditMinutes),
      oninput: () => {
        const n = Number(minutes.value);
        if (Number.isInteger(n) && n > 0) auditMinutes = n;
      },
    });
    const submit = h(
      "button",
      { type: "submit", class: "keeper-btn", disabled: pending.has(startKey) || !mayKeep },
      t("startAudit"),
    );
    const startForm = h(
      "form",
      {
        class: "keeper-form",
        onsubmit: (event: Event) => {
          event.preventDefault();
          if (!minutes.reportValidity()) return;
          void start(Number(minutes.value), submit);
        },
      },
      h(
        "div",
        { class: "keeper-field" },
        h("label", { for: "keeper-audit-minutes" }, t("duration")),
        minutes,
      ),
      submit,
    );
    const list =
      audits &&
      (audits.length === 0
        ? h("p", { class: "keeper-empty" }, t("noAudits"))
        : h(
            "ul",
            { class: "audit-list", "aria-label": t("auditListLabel"), "data-testid": "audit-list" },
            audits.map((a) =>
              h(
                "li",
                { dataset: { auditId: String(a.id), state: a.state } },
                h(
                  "button",
                  {
                    type: "button",
                    class: "audit-pick",
                    "aria-pressed": String(a.id === selectedAuditId),
                    onclick: () => selectAudit(a.id),
                  },
                  t("auditPick", {
                    id: a.id,
                    state: auditStateLabel(a.state),
                    time: fmtDateTime(a.startedAt),
                  }),
                ),
              ),
            ),
          ));
    const detail = h("div", { class: "audit-detail", "data-testid": "audit-detail" });
    replace(
      auditsSection,
      h("h2", { id: "keeper-audits-heading" }, t("auditsHeading")),
      startForm,
      errorText(auditsError),
      !audits && !auditsError && loadingText(),
      list,
      detail,
    );
    renderAuditDetail(detail);
    syncAuditTimer();
  }

  function syncAuditTimer(): void {
    const wanted = active && auditDetail?.audit.state === "open" && auditDetail.audit.id === selectedAuditId;
    if (wanted && !auditTimer) {
      auditTimer = setInterval(() => void refreshAudit(null), AUDIT_REFRESH_MS);
    } else if (!wanted && auditTimer) {
      clearInterval(auditTimer);
      auditTimer = null;
    }
  }

  function selectAudit(id: number): void {
    if (selectedAuditId !== id) {
      selectedAuditId = id;
      auditDetail = null;
      auditDetailError = null;
      approveReason = "";
    }
    renderAudits();
    void loadAuditDetail(generation);
  }

  async function loadAuditDetail(gen: number): Promise<void> {
    const id = selectedAuditId;
    if (id === null) return;
    try {
      const detail = await getAudit(id);
      if (gen !== generation || id !== selectedAuditId) return;
      auditDetail = detail;
      auditDetailError = null;
      const summary = audits?.find((a) => a.id === id);
      if (audits && summary && summary.state !== detail.audit.state) {
        audits = audits.map((a) => (a.id === id ? detail.audit : a));
      }
    } catch (err) {
      if (gen !== generation || id !== selectedAuditId) return;
      auditDetailError = failure(tc("couldNotLoad", { what: t("auditWhat") }), err);
    }
    // An open audit refreshing in place keeps the buttons (and the focus on them).
    if (
      auditDetail &&
      auditShownState === auditDetail.audit.state &&
      auditMetaEl &&
      auditFindingsEl &&
      auditDetailError === null &&
      auditShownError === null
    ) {
      replace(auditMetaEl, auditMeta(auditDetail.audit));
      replace(auditFindingsEl, findingsView(auditDetail.findings));
      syncAuditTimer();
    } else {
      renderAudits();
    }
  }

  async function refreshAudit(b: HTMLButtonElement | null): Promise<void> {
    if (selectedAuditId === null) return;
    await busy(`audit-refresh:${selectedAuditId}`, b, () => loadAuditDetail(generation));
  }

  async function start(durationMinutes: number, b: HTMLButtonElement): Promise<void> {
    if (!site) return;
    const code = site.code;
    auditMinutes = durationMinutes;
    let started: Audit | null = null;
    await busy("audit-start", b, async () => {
      try {
        started = await startAudit(code, durationMinutes);
        auditsError = null;
      } catch (err) {
        auditsError = failure(tc("failed", { what: t("startWhat") }), err);
      }
    });
    const audit = started as Audit | null;
    if (audit) {
      ctx.info(t("startDone", { id: audit.id }));
      selectedAuditId = audit.id;
      auditDetail = null;
      approveReason = "";
      await loadAudits(generation);
    } else {
      renderAudits();
    }
  }

  async function close(audit: Audit, b: HTMLButtonElement): Promise<void> {
    await busy(`audit-close:${audit.id}`, b, async () => {
      try {
        const result = await closeAudit(audit.id);
        auditDetail = result;
        auditDetailError = null;
        if (audits) audits = audits.map((a) => (a.id === audit.id ? result.audit : a));
        ctx.info(t("closeDone", { id: audit.id }));
      } catch (err) {
        auditDetailError = failure(tc("failed", { what: t("closeWhat") }), err);
      }
    });
    renderAudits();
  }

  async function approve(audit: Audit, reason: string, b: HTMLButtonElement): Promise<void> {
    let ok = false;
    await busy(`audit-approve:${audit.id}`, b, async () => {
      try {
        const result = await approveAudit(audit.id, reason);
        ok = true;
        approveReason = "";
        auditDetailError = null;
        if (auditDetail?.audit.id === audit.id) auditDetail = { ...auditDetail, audit: result.audit };
        if (audits) audits = audits.map((a) => (a.id === audit.id ? result.audit : a));
        ctx.info(t("approveDone", { id: audit.id }));
      } catch (err) {
        auditDetailError = failure(tc("failed", { what: t("approveWhat") }), err);
      }
    });
    renderAudits();
    if (ok) await Promise.all([loadAuditDetail(generation), loadStock(generation), loadAlerts(generation)]);
  }

  // ---- downloads ----------------------------------------------------------------------------

  function renderDownloads(): void {
    if (!site) return;
    replace(
      downloadsSection,
      h("h2", { id: "keeper-downloads-heading" }, t("downloadsHeading")),
      h(
        "ul",
        { class: "keeper-downloads-list" },
        h(
          "li",
          null,
          h(
            "a",
            {
              class: "keeper-link",
              href: csvLinks.stock(site.code),
              download: "",
              "data-testid": "stock-csv",
            },
            t("stockCsv"),
          ),
        ),
        h(
          "li",
          null,
          h(
            "a",
            {
              class: "keeper-link",
              href: csvLinks.rotationPlan(site.code),
              download: "",
              "data-testid": "plan-csv",
            },
            t("planCsv"),
          ),
        ),
      ),
    );
  }

  // ---- loading ------------------------------------------------------------------------------

  /**
   * Fetches something of the current site: its value, or the error in words; null, to be ignored,
   * when another site was picked meanwhile.
   */
  async function fetchFor<T>(
    gen: number,
    what: string,
    request: () => Promise<T>,
  ): Promise<{ value: T; error: null } | { value: undefined; error: string } | null> {
    try {
      const value = await request();
      return gen === generation ? { value, error: null } : null;
    } catch (err) {
      return gen === generation
        ? { value: undefined, error: failure(tc("couldNotLoad", { what }), err) }
        : null;
    }
  }

  async function loadStock(gen: number): Promise<void> {
    if (!site) return;
    const code = site.code;
    const result = await fetchFor(gen, t("stockWhat"), () => getSiteStock(code));
    if (!result) return;
    stock = result.value ?? stock;
    stockError = result.error;
    renderHeader();
    renderStockRows();
    updateLimits();
  }

  async function loadAlerts(gen: number): Promise<void> {
    if (!site) return;
    const code = site.code;
    const result = await fetchFor(gen, t("alertsWhat"), () => getAlerts(code));
    if (!result) return;
    if (result.value) alerts = sortAlerts(result.value.filter((a) => a.clearedAt === null));
    alertsError = result.error;
    renderAlerts();
  }

  async function loadTasks(gen: number): Promise<void> {
    if (!site) return;
    const code = site.code;
    const [planResult, batchesResult] = await Promise.allSettled([getRotationPlan(code), getBatches(code)]);
    if (gen !== generation) return;
    const errors: string[] = [];
    const what = tc("couldNotLoad", { what: t("tasksWhat") });
    if (planResult.status === "fulfilled") plan = planResult.value;
    else errors.push(failure(what, planResult.reason));
    if (batchesResult.status === "fulfilled") batches = batchesResult.value;
    else errors.push(failure(what, batchesResult.reason));
    tasksError = errors.length > 0 ? errors.join(" · ") : null;
    renderTasks();
  }

  async function loadAudits(gen: number): Promise<void> {
    if (!site) return;
    const code = site.code;
    const result = await fetchFor(gen, t("auditsWhat"), () => getAudits(code));
    if (!result) return;
    audits = result.value ?? audits;
    auditsError = result.error;
    renderAudits();
    if (selectedAuditId !== null) await loadAuditDetail(gen);
  }

  /** Loads (or reloads) everything shown for the site; figures already shown stay until replaced. */
  function loadSite(code: string): void {
    const known = ctx.siteByCode.get(code);
    generation += 1;
    const gen = generation;
    if (!known) {
      site = null;
      unknownCode = code;
      clearData();
      charts.clear();
      renderAll();
      return;
    }
    unknownCode = null;
    if (site?.code !== code) {
      clearData();
      site = known;
    }
    storeLastSite(code);
    renderAll();
    void charts.load(code);
    void loadStock(gen);
    void loadAlerts(gen);
    void loadTasks(gen);
    void loadAudits(gen);
  }

  function clearData(): void {
    stock = null;
    stockError = null;
    alerts = null;
    alertsError = null;
    plan = null;
    batches = null;
    tasksError = null;
    audits = null;
    auditsError = null;
    selectedAuditId = null;
    auditDetail = null;
    auditDetailError = null;
    approveReason = "";
    showAllDeadlines = false;
  }

  function renderAll(): void {
    renderPicker();
    renderMessage();
    content.hidden = site === null;
    if (!site) return;
    renderHeader();
    buildStockSection();
    renderAlerts();
    renderTasks();
    renderAudits();
    renderDownloads();
  }

  // ---- live ---------------------------------------------------------------------------------

  function subscribe(): void {
    if (unsubscribe.length > 0) return;
    unsubscribe = [
      ctx.live.on("stock", ({ siteCode, itemTypeCode, line }) => {
        if (!site || siteCode !== site.code || !stock) return;
        stock = { ...stock, items: applyStockLine(stock.items, itemTypeCode, line) };
        const summary = summariseStock(stock.items);
        stock = { ...stock, status: summary.status, counts: summary.counts };
        renderHeader();
        updateStockRow(itemTypeCode);
        updateLimits();
      }),
      ctx.live.on("alert", ({ change, alert }) => {
        if (!site || alert.siteCode !== site.code || !alerts) return;
        alerts = applyAlertChange(alerts, change, alert);
        renderAlerts();
      }),
      ctx.live.onState((state, reconnected) => {
        if (state === "open" && reconnected && site) loadSite(site.code);
      }),
    ];
  }

  function unsubscribeAll(): void {
    for (const off of unsubscribe) off();
    unsubscribe = [];
  }

  return {
    show(route) {
      active = true;
      subscribe();
      const code = route.siteCode ?? readLastSite();
      if (code === null || (route.siteCode === null && !ctx.siteByCode.has(code))) {
        // Nothing chosen yet (or the remembered site is gone): ask.
        generation += 1;
        site = null;
        unknownCode = null;
        clearData();
        charts.clear();
        renderAll();
        return;
      }
      loadSite(code);
    },
    hide() {
      active = false;
      generation += 1;
      unsubscribeAll();
      syncAuditTimer();
      charts.clear();
    },
    relabel() {
      renderAll();
      if (site && active) charts.relabel();
    },
  };
}
