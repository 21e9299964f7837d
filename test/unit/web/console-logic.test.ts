import { describe, expect, it } from "vitest";
import {
  detectLang,
  fmtDay,
  fmtNumber,
  fmtQty,
  interpolate,
  localName,
  messages,
  setLang,
} from "../../../web/src/i18n.ts";
import { parseRoute, routeHash } from "../../../web/src/router.ts";
import { planTotals } from "../../../web/src/views/plan-totals.ts";

describe("language choice", () => {
  it("takes the stored choice over the browser's", () => {
    expect(detectLang(["zh-CN"], "en")).toBe("en");
    expect(detectLang(["en-US"], "zh-CN")).toBe("zh-CN");
  });

  it("takes the first browser language it speaks; any Chinese variant is zh-CN; else English", () => {
    expect(detectLang(["zh-TW", "en"], null)).toBe("zh-CN");
    expect(detectLang(["zh"], null)).toBe("zh-CN");
    expect(detectLang(["fr-FR", "en-GB", "zh-CN"], null)).toBe("en");
    expect(detectLang(["fr-FR", "de"], null)).toBe("en");
    expect(detectLang([], "garbage")).toBe("en");
  });

  it("switches every module's messages at once and fills in variables", () => {
    const t = messages({ people: "{n} people" }, { people: "{n} 人" });
    setLang("en");
    expect(t("people", { n: "2,000" })).toBe("2,000 people");
    setLang("zh-CN");
    expect(t("people", { n: "2,000" })).toBe("2,000 人");
    setLang("en");
    expect(interpolate("{a} and {missing}", { a: 1 })).toBe("1 and {missing}");
  });

  it("formats numbers, quantities, days and names per language", () => {
    expect(fmtNumber(1234567.891, 1, "en")).toBe("1,234,567.9");
    expect(fmtNumber(Number.NaN, 0, "en")).toBe("–");
    expect(fmtQty(12, "piece", "en")).toBe("12 piece");
    expect(fmtQty(12, "piece", "zh-CN")).toBe("12 件");
    expect(fmtDay("2026-03-05", "zh-CN")).toBe("2026年3月5日");
    expect(fmtDay("2026-03-05", "en")).toBe("Mar 5, 2026");
    expect(localName({ name: "Yinchuan", nameZh: "银川" }, "zh-CN")).toBe("银川");
    expect(localName({ name: "Yinchuan", nameZh: null }, "zh-CN")).toBe("Yinchuan");
    expect(localName({ name: "Yinchuan", nameZh: "银川" }, "en")).toBe("Yinchuan");
  });
});

describe("routes", () => {
  it("maps hashes to views and back", () => {
    expect(parseRoute("")).toEqual({ view: "map" });
    expect(parseRoute("#/")).toEqual({ view: "map" });
    expect(parseRoute("#/nonsense")).toEqual({ view: "map" });
    expect(parseRoute("#/site")).toEqual({ view: "keeper", siteCode: null });
    expect(parseRoute("#/site/NX-C01")).toEqual({ view: "keeper", siteCode: "NX-C01" });
    expect(parseRoute("#/site/%E9%93%B6")).toEqual({ view: "keeper", siteCode: "银" });
    expect(parseRoute("#/site/%E0%A4%A")).toEqual({ view: "keeper", siteCode: "%E0%A4%A" });
    expect(parseRoute("#/command/12")).toEqual({ view: "command", orderId: 12 });
    expect(parseRoute("#/command/x")).toEqual({ view: "command", orderId: null });
    expect(parseRoute("#/command/-3")).toEqual({ view: "command", orderId: null });
    for (const route of [
      { view: "map" as const },
      { view: "keeper" as const, siteCode: "NX-K02" },
      { view: "keeper" as const, siteCode: null },
      { view: "command" as const, orderId: 7 },
      { view: "command" as const, orderId: null },
    ]) {
      expect(parseRoute(routeHash(route))).toEqual(route);
    }
  });
});

describe("plan totals", () => {
  it("sums each item type's lines, in the order the types first appear", () => {
    expect(
      planTotals([
        { itemTypeCode: "HELMET", quantity: 300 },
        { itemTypeCode: "SHIELD", quantity: 5 },
        { itemTypeCode: "HELMET", quantity: 1700 },
      ]),
    ).toEqual([
      { itemTypeCode: "HELMET", quantity: 2000 },
      { itemTypeCode: "SHIELD", quantity: 5 },
    ]);
    expect(planTotals([])).toEqual([]);
  });
});
