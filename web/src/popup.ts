import type { ItemStatus, Site, SiteStatus, SiteStock, StockItem } from "./api-types.ts";
import { escapeHtml } from "./escape-html.ts";
import { TIERS } from "./tiers.ts";

const STATUS_LABELS: Record<SiteStatus, string> = {
  ok: "OK",
  low: "Low",
  critical: "Critical",
  over: "Over stock",
  none: "No stock data",
};

/** Order of the per-status counts and of the exception rows (worst first). */
const STATUS_ORDER: ItemStatus[] = ["critical", "low", "over", "ok"];

const numberFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });

function formatQty(value: number, unit: string): string {
  return `${numberFormat.format(value)}${unit ? ` ${unit}` : ""}`;
}

function statusBadge(status: SiteStatus): string {
  const label = STATUS_LABELS[status] ?? status;
  return `<span class="status status-${escapeHtml(status)}">${escapeHtml(label)}</span>`;
}

export function siteHeaderHtml(site: Site): string {
  const tier = TIERS[site.tier];
  const zh = site.nameZh ? `<div class="site-name-zh" lang="zh-CN">${escapeHtml(site.nameZh)}</div>` : "";
  const tierText = tier ? `${tier.label} · <span lang="zh-CN">${escapeHtml(tier.labelZh)}</span>` : "";
  const details = [
    `<dt>Code</dt><dd><code>${escapeHtml(site.code)}</code></dd>`,
    `<dt>Tier</dt><dd>${tier ? tierText : escapeHtml(site.tier)}</dd>`,
    site.city ? `<dt>City</dt><dd>${escapeHtml(site.city)}</dd>` : "",
    site.parentCode ? `<dt>Parent</dt><dd><code>${escapeHtml(site.parentCode)}</code></dd>` : "",
  ].join("");
  return `<header class="site-header">
		<h3 class="site-name">${escapeHtml(site.name)}</h3>${zh}
	</header>
	<dl class="site-details">${details}</dl>`;
}

function countsHtml(stock: SiteStock): string {
  return STATUS_ORDER.map(
    (status) =>
      `<li class="count count-${status}">${escapeHtml(STATUS_LABELS[status])}: <strong>${escapeHtml(stock.counts?.[status] ?? 0)}</strong></li>`,
  ).join("");
}

function exceptionRow(item: StockItem): string {
  const basisNote =
    item.basis === "book"
      ? ' <abbr title="book quantity (no sensor reading)">B</abbr>'
      : item.basis === "reconciled"
        ? ' <abbr title="book less the tagged units not found (only part of this type is tagged)">R</abbr>'
        : "";
  return `<tr>
		<td>${escapeHtml(item.itemTypeName)}</td>
		<td class="num">${escapeHtml(formatQty(item.onHandQty, item.unit))}${basisNote}</td>
		<td class="num">${escapeHtml(formatQty(item.requiredQty, item.unit))}</td>
		<td>${statusBadge(item.status)}</td>
	</tr>`;
}

function exceptionsHtml(items: StockItem[]): string {
  if (items.length === 0) return `<p class="stock-note">No item types are configured for this site.</p>`;
  const exceptions = items
    .filter((item) => item.status !== "ok")
    .sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status));
  if (exceptions.length === 0) return `<p class="stock-note stock-all-ok">All item types at standard.</p>`;
  return `<table class="stock-table">
		<thead><tr><th>Item type</th><th class="num">On hand</th><th class="num">Required</th><th>Status</th></tr></thead>
		<tbody>${exceptions.map(exceptionRow).join("")}</tbody>
	</table>`;
}

export function stockHtml(stock: SiteStock): string {
  const items = Array.isArray(stock.items) ? stock.items : [];
  return `<div class="stock-summary">
		<div class="stock-overall">Stock: ${statusBadge(stock.status)}</div>
		<ul class="stock-counts">${countsHtml(stock)}</ul>
		${exceptionsHtml(items)}
	</div>`;
}

export function stockLoadingHtml(): string {
  return `<p class="stock-note stock-loading" role="status">Loading…</p>`;
}

export function stockErrorHtml(message: string): string {
  return `<p class="stock-note stock-error" role="alert">Could not load stock: ${escapeHtml(message)}</p>`;
}

export function popupHtml(site: Site, stockPart: string): string {
  return `<div class="site-popup">${siteHeaderHtml(site)}<div class="site-stock">${stockPart}</div></div>`;
}
