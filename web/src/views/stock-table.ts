/**
 * Pure logic of the keeper's stock table: filtering, sorting, the site summary and live line
 * updates. No DOM here, so it can be unit-tested in Node.
 */
import { STOCK_STATUS_SEVERITY } from "../../../server/domain/stock.ts";
import type { ItemStatus, StockItem } from "../api-types.ts";

/** The same rule as the server's: a site's status is its worst item's, "none" without items. */
export { summariseStock } from "../../../server/domain/stock.ts";

export const SORT_KEYS = [
  "itemType",
  "onHand",
  "reserved",
  "available",
  "required",
  "minimum",
  "status",
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = "asc" | "desc";

export interface StockSort {
  key: SortKey;
  dir: SortDir;
}

export interface StockFilter {
  /** Free text matched against the code and both names; words are all required. */
  text: string;
  status: ItemStatus | "all";
}

/** Both names of an item type (English, Chinese). */
export interface ItemNames {
  name: string;
  nameZh: string | null;
}

export const ITEM_STATUSES: readonly ItemStatus[] = ["critical", "low", "over", "ok"];

/** How bad a status is: critical > low > over > ok. */
export const STATUS_SEVERITY = STOCK_STATUS_SEVERITY;

export const DEFAULT_SORT: StockSort = { key: "status", dir: "desc" };
export const DEFAULT_FILTER: StockFilter = { text: "", status: "all" };

const NUMERIC: Readonly<Record<Exclude<SortKey, "itemType">, (item: StockItem) => number>> = {
  onHand: (i) => i.onHandQty,
  reserved: (i) => i.reservedQty,
  available: (i) => i.availableQty,
  required: (i) => i.requiredQty,
  minimum: (i) => i.minQty,
  status: (i) => STATUS_SEVERITY[i.status],
};

/** Lower case, full-width folded, trimmed: "ＡＢＣ " and "abc" compare equal. */
export function normaliseText(text: string): string {
  return text.normalize("NFKC").toLowerCase().trim();
}

/** True when every word of `text` is found in the code, the English name or the Chinese name. */
export function matchesText(item: StockItem, text: string, names: ItemNames): boolean {
  const words = normaliseText(text).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const fields = [item.itemTypeCode, names.name, names.nameZh ?? ""].map(normaliseText);
  return words.every((word) => fields.some((field) => field.includes(word)));
}

export function matchesFilter(item: StockItem, filter: StockFilter, names: ItemNames): boolean {
  if (filter.status !== "all" && item.status !== filter.status) return false;
  return matchesText(item, filter.text, names);
}

export function filterStock(
  items: readonly StockItem[],
  filter: StockFilter,
  namesOf: (item: StockItem) => ItemNames,
): StockItem[] {
  return items.filter((item) => matchesFilter(item, filter, namesOf(item)));
}

/**
 * Sorts a copy. Numbers compare as numbers, statuses by severity, item types by their label in
 * the language's collation (pinyin order for zh-CN). Ties go by label, then code, ascending.
 */
export function sortStock(
  items: readonly StockItem[],
  sort: StockSort,
  labelOf: (item: StockItem) => string,
  locale = "en",
): StockItem[] {
  const collator = new Intl.Collator(locale, { numeric: true, sensitivity: "base" });
  const byLabel = (a: StockItem, b: StockItem) =>
    collator.compare(labelOf(a), labelOf(b)) || collator.compare(a.itemTypeCode, b.itemTypeCode);
  const sign = sort.dir === "asc" ? 1 : -1;
  const key = sort.key;
  const primary =
    key === "itemType" ? byLabel : (a: StockItem, b: StockItem) => NUMERIC[key](a) - NUMERIC[key](b);
  return [...items].sort((a, b) => sign * primary(a, b) || byLabel(a, b));
}

/** The rows to show: filtered, then sorted. */
export function visibleStock(
  items: readonly StockItem[],
  filter: StockFilter,
  sort: StockSort,
  namesOf: (item: StockItem) => ItemNames,
  labelOf: (item: StockItem) => string,
  locale = "en",
): StockItem[] {
  return sortStock(filterStock(items, filter, namesOf), sort, labelOf, locale);
}

/** Clicking a column: the same column flips direction; a new one starts in its natural order. */
export function nextSort(current: StockSort, key: SortKey): StockSort {
  if (current.key === key) return { key, dir: current.dir === "asc" ? "desc" : "asc" };
  // Names A to Z; status worst first; quantities smallest first.
  return { key, dir: key === "status" ? "desc" : "asc" };
}

export function ariaSort(sort: StockSort, key: SortKey): "ascending" | "descending" | "none" {
  if (sort.key !== key) return "none";
  return sort.dir === "asc" ? "ascending" : "descending";
}

/**
 * A live stock event applied to the lines: replaced where it was, added at the end when new,
 * removed when the line is null. Returns a new array; the input is left alone.
 */
export function applyStockLine(
  items: readonly StockItem[],
  itemTypeCode: string,
  line: StockItem | null,
): StockItem[] {
  const index = items.findIndex((i) => i.itemTypeCode === itemTypeCode);
  if (line === null) return index < 0 ? [...items] : items.filter((_, i) => i !== index);
  if (index < 0) return [...items, line];
  return items.map((item, i) => (i === index ? line : item));
}
