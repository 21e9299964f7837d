import { describe, expect, it } from "vitest";
import type { ItemStatus, StockItem } from "../../../web/src/api-types.ts";
import {
  applyStockLine,
  ariaSort,
  filterStock,
  type ItemNames,
  matchesText,
  nextSort,
  SORT_KEYS,
  type SortKey,
  sortStock,
  summariseStock,
  visibleStock,
} from "../../../web/src/views/stock-table.ts";

const NAMES: Record<string, ItemNames> = {
  RAINCOAT: { name: "Raincoat", nameZh: "雨衣" },
  TENT: { name: "Tent", nameZh: "帐篷" },
  TORCH: { name: "Torch", nameZh: "手电筒" },
  HELMET: { name: "Riot helmet", nameZh: "防暴头盔" },
};

function item(code: string, over: Partial<StockItem> = {}): StockItem {
  return {
    itemTypeCode: code,
    itemTypeName: NAMES[code]?.name ?? code,
    unit: "piece",
    sensedQty: null,
    bookQty: 0,
    onHandQty: 0,
    basis: "book",
    reservedQty: 0,
    availableQty: 0,
    requiredQty: 0,
    minQty: 0,
    status: "ok",
    ...over,
  };
}

const namesOf = (i: StockItem): ItemNames => NAMES[i.itemTypeCode] ?? { name: i.itemTypeName, nameZh: null };
const enLabel = (i: StockItem) => namesOf(i).name;
const zhLabel = (i: StockItem) => namesOf(i).nameZh ?? namesOf(i).name;
const codes = (items: StockItem[]) => items.map((i) => i.itemTypeCode);

// Every numeric column has the values 9, 10, 100 (lexical order would be 10, 100, 9) on different items.
const ITEMS: StockItem[] = [
  item("RAINCOAT", {
    onHandQty: 100,
    reservedQty: 9,
    availableQty: 10,
    requiredQty: 100,
    minQty: 9,
    status: "over",
  }),
  item("TENT", {
    onHandQty: 9,
    reservedQty: 10,
    availableQty: 100,
    requiredQty: 10,
    minQty: 100,
    status: "ok",
  }),
  item("TORCH", {
    onHandQty: 10,
    reservedQty: 100,
    availableQty: 9,
    requiredQty: 9,
    minQty: 10,
    status: "critical",
  }),
];

describe("sorting the stock table", () => {
  const expectedAsc: Record<Exclude<SortKey, "itemType">, string[]> = {
    onHand: ["TENT", "TORCH", "RAINCOAT"],
    reserved: ["RAINCOAT", "TENT", "TORCH"],
    available: ["TORCH", "RAINCOAT", "TENT"],
    required: ["TORCH", "TENT", "RAINCOAT"],
    minimum: ["RAINCOAT", "TORCH", "TENT"],
    // ok < over < low < critical
    status: ["TENT", "RAINCOAT", "TORCH"],
  };

  it.each(Object.entries(expectedAsc))("orders by %s numerically, both directions", (key, asc) => {
    const sortKey = key as SortKey;
    expect(codes(sortStock(ITEMS, { key: sortKey, dir: "asc" }, enLabel))).toEqual(asc);
    expect(codes(sortStock(ITEMS, { key: sortKey, dir: "desc" }, enLabel))).toEqual([...asc].reverse());
  });

  it("covers every sortable column", () => {
    expect([...SORT_KEYS].sort()).toEqual([...Object.keys(expectedAsc), "itemType"].sort());
  });

  it("compares quantities as numbers, not as text", () => {
    const items = [item("A", { onHandQty: 100 }), item("B", { onHandQty: 9 }), item("C", { onHandQty: 10 })];
    expect(
      sortStock(items, { key: "onHand", dir: "asc" }, (i) => i.itemTypeCode).map((i) => i.onHandQty),
    ).toEqual([9, 10, 100]);
    expect(
      sortStock(items, { key: "onHand", dir: "desc" }, (i) => i.itemTypeCode).map((i) => i.onHandQty),
    ).toEqual([100, 10, 9]);
  });

  it("orders item types by their English label, both directions", () => {
    expect(codes(sortStock(ITEMS, { key: "itemType", dir: "asc" }, enLabel, "en"))).toEqual([
      "RAINCOAT",
      "TENT",
      "TORCH",
    ]);
    expect(codes(sortStock(ITEMS, { key: "itemType", dir: "desc" }, enLabel, "en"))).toEqual([
      "TORCH",
      "TENT",
      "RAINCOAT",
    ]);
  });

  it("orders item types by their Chinese label in pinyin order", () => {
    // 手电筒 shou, 雨衣 yu, 帐篷 zhang
    expect(codes(sortStock(ITEMS, { key: "itemType", dir: "asc" }, zhLabel, "zh-CN"))).toEqual([
      "TORCH",
      "RAINCOAT",
      "TENT",
    ]);
    expect(codes(sortStock(ITEMS, { key: "itemType", dir: "desc" }, zhLabel, "zh-CN"))).toEqual([
      "TENT",
      "RAINCOAT",
      "TORCH",
    ]);
  });

  it("breaks ties by label whatever the direction, and leaves the input alone", () => {
    const tied = [item("TORCH", { onHandQty: 5 }), item("TENT", { onHandQty: 5 }), item("RAINCOAT")];
    const before = codes(tied);
    expect(codes(sortStock(tied, { key: "onHand", dir: "desc" }, enLabel))).toEqual([
      "TENT",
      "TORCH",
      "RAINCOAT",
    ]);
    expect(codes(sortStock(tied, { key: "onHand", dir: "asc" }, enLabel))).toEqual([
      "RAINCOAT",
      "TENT",
      "TORCH",
    ]);
    expect(codes(tied)).toEqual(before);
  });

  it("flips the direction on the same column and starts a new column in its natural order", () => {
    expect(nextSort({ key: "onHand", dir: "asc" }, "onHand")).toEqual({ key: "onHand", dir: "desc" });
    expect(nextSort({ key: "onHand", dir: "desc" }, "onHand")).toEqual({ key: "onHand", dir: "asc" });
    expect(nextSort({ key: "onHand", dir: "desc" }, "itemType")).toEqual({ key: "itemType", dir: "asc" });
    expect(nextSort({ key: "itemType", dir: "asc" }, "status")).toEqual({ key: "status", dir: "desc" });
  });

  it("reports aria-sort for the sorted column only", () => {
    expect(ariaSort({ key: "reserved", dir: "asc" }, "reserved")).toBe("ascending");
    expect(ariaSort({ key: "reserved", dir: "desc" }, "reserved")).toBe("descending");
    expect(ariaSort({ key: "reserved", dir: "desc" }, "onHand")).toBe("none");
  });
});

describe("filtering the stock table", () => {
  const all = [...ITEMS, item("HELMET", { status: "low" })];
  const filter = (text: string, status: ItemStatus | "all" = "all") =>
    codes(filterStock(all, { text, status }, namesOf));

  it("keeps everything with an empty filter", () => {
    expect(filter("")).toEqual(["RAINCOAT", "TENT", "TORCH", "HELMET"]);
    expect(filter("   ")).toEqual(["RAINCOAT", "TENT", "TORCH", "HELMET"]);
  });

  it("matches the English name, ignoring case", () => {
    expect(filter("rain")).toEqual(["RAINCOAT"]);
    expect(filter("HELMET")).toEqual(["HELMET"]);
    expect(filter("t")).toEqual(["RAINCOAT", "TENT", "TORCH", "HELMET"]);
    expect(filter("to")).toEqual(["TORCH"]);
  });

  it("matches the Chinese name", () => {
    expect(filter("雨衣")).toEqual(["RAINCOAT"]);
    expect(filter("头盔")).toEqual(["HELMET"]);
    expect(filter("帐")).toEqual(["TENT"]);
  });

  it("matches the code, and full-width letters as their ASCII forms", () => {
    expect(matchesText(item("TORCH"), "torch", { name: "Flashlight", nameZh: null })).toBe(true);
    expect(filter("ＴＥＮＴ")).toEqual(["TENT"]);
  });

  it("needs every word to match somewhere", () => {
    expect(filter("riot 头盔")).toEqual(["HELMET"]);
    expect(filter("riot 雨衣")).toEqual([]);
  });

  it("finds nothing for text in no name or code", () => {
    expect(filter("generator")).toEqual([]);
    expect(filter("发电机")).toEqual([]);
  });

  it("filters by status", () => {
    expect(filter("", "critical")).toEqual(["TORCH"]);
    expect(filter("", "low")).toEqual(["HELMET"]);
    expect(filter("", "over")).toEqual(["RAINCOAT"]);
    expect(filter("", "ok")).toEqual(["TENT"]);
  });

  it("combines text and status", () => {
    expect(filter("t", "critical")).toEqual(["TORCH"]);
    expect(filter("雨衣", "critical")).toEqual([]);
  });

  it("filters, then sorts", () => {
    expect(
      codes(
        visibleStock(all, { text: "t", status: "all" }, { key: "onHand", dir: "desc" }, namesOf, enLabel),
      ),
    ).toEqual(["RAINCOAT", "TORCH", "TENT", "HELMET"]);
  });
});

describe("site summary and live lines", () => {
  it("takes the worst status: critical > low > over > ok", () => {
    expect(summariseStock([]).status).toBe("none");
    expect(summariseStock([item("A", { status: "ok" })]).status).toBe("ok");
    expect(summariseStock([item("A", { status: "ok" }), item("B", { status: "over" })]).status).toBe("over");
    expect(summariseStock([item("A", { status: "over" }), item("B", { status: "low" })]).status).toBe("low");
    expect(summariseStock(ITEMS)).toEqual({
      status: "critical",
      counts: { ok: 1, low: 0, critical: 1, over: 1 },
    });
  });

  it("replaces a line in place, adds a new one and removes a null one", () => {
    const updated = item("TENT", { onHandQty: 1, status: "critical" });
    expect(applyStockLine(ITEMS, "TENT", updated)).toEqual([ITEMS[0], updated, ITEMS[2]]);
    const added = item("HELMET");
    expect(codes(applyStockLine(ITEMS, "HELMET", added))).toEqual(["RAINCOAT", "TENT", "TORCH", "HELMET"]);
    expect(codes(applyStockLine(ITEMS, "TENT", null))).toEqual(["RAINCOAT", "TORCH"]);
    expect(codes(applyStockLine(ITEMS, "NOPE", null))).toEqual(["RAINCOAT", "TENT", "TORCH"]);
    expect(codes(ITEMS)).toEqual(["RAINCOAT", "TENT", "TORCH"]);
  });
});
