/**
 * Two languages, zh-CN and English: picked from the browser (or the last choice), switchable at any
 * time. Each module declares its own messages with `messages()`; the English set defines the keys
 * and the Chinese one must have the same keys. Numbers, dates and units follow the language; days
 * and times are the deployment's (its TIME_ZONE), whatever zone the browser itself is in.
 */

import { assertTimeZone, DEFAULT_TIME_ZONE, dayOf } from "../../server/domain/calendar.ts";

export const LANGS = ["zh-CN", "en"] as const;
export type Lang = (typeof LANGS)[number];

const STORAGE_KEY = "reserve.lang";

/** The first of the browser's languages we speak; Chinese variants count as zh-CN; else English. */
export function detectLang(preferred: readonly string[], stored: string | null): Lang {
  if (stored === "en" || stored === "zh-CN") return stored;
  for (const tag of preferred) {
    const lower = tag.toLowerCase();
    if (lower === "zh" || lower.startsWith("zh-")) return "zh-CN";
    if (lower === "en" || lower.startsWith("en-")) return "en";
  }
  return "en";
}

function readStored(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

let current: Lang = detectLang(globalThis.navigator?.languages ?? [], readStored());
const listeners = new Set<(lang: Lang) => void>();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  if (lang === current) return;
  current = lang;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  if (globalThis.document) document.documentElement.lang = lang;
  for (const listener of listeners) listener(lang);
}

export function onLangChange(listener: (lang: Lang) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The deployment's TIME_ZONE, as GET /api/map-config gives it: a keeper in another zone (travelling,
 * a misconfigured PC) still sees the depot's days and clock times, the ones the server judges by.
 */
let timeZone: string = DEFAULT_TIME_ZONE;

export function getTimeZone(): string {
  return timeZone;
}

/** Sets the deployment's zone; one this browser does not know is refused and the zone kept. */
export function setTimeZone(zone: string): void {
  assertTimeZone(zone);
  timeZone = zone;
}

/** Today in the deployment's zone (calendar.ts's dayOf, as the server computes it). */
export function todayOf(now: number = Date.now(), zone: string = timeZone): string {
  return dayOf(now, zone);
}

export type Vars = Record<string, string | number>;

/** Replaces {name} with vars.name (already formatted by the caller). */
export function interpolate(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    vars[name] === undefined ? whole : String(vars[name]),
  );
}

export type Translate<K extends string> = (key: K, vars?: Vars) => string;

/** Declares a module's messages; returns its translate function for the current language. */
export function messages<const E extends Record<string, string>>(
  en: E,
  zh: { [K in keyof E]: string },
): Translate<Extract<keyof E, string>> {
  return (key, vars) => interpolate((current === "en" ? en[key] : zh[key]) ?? String(key), vars);
}

// ---- formatting ---------------------------------------------------------------------------

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(lang: Lang, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${lang}|${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(lang, options);
    numberFormats.set(key, format);
  }
  return format;
}

export function fmtNumber(
  value: number | null | undefined,
  maximumFractionDigits = 0,
  lang = current,
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return numberFormat(lang, { maximumFractionDigits }).format(value);
}

export function fmtPercent(share: number | null | undefined, digits = 1, lang = current): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return "–";
  return numberFormat(lang, { style: "percent", maximumFractionDigits: digits }).format(share);
}

/** Units as the catalogue spells them ("pcs", "set") stay; km and hours are translated. */
export function fmtKm(km: number, lang = current): string {
  return `${fmtNumber(km, 1, lang)} ${lang === "en" ? "km" : "公里"}`;
}

export function fmtHours(hours: number | null | undefined, lang = current): string {
  if (hours === null || hours === undefined || !Number.isFinite(hours)) return "–";
  return `${fmtNumber(hours, 1, lang)} ${lang === "en" ? "h" : "小时"}`;
}

const UNITS_ZH: Record<string, string> = {
  piece: "件",
  set: "套",
  kit: "套",
  case: "箱",
  can: "罐",
  pair: "双",
  box: "箱",
  kg: "千克",
};

export function fmtUnit(unit: string, lang = current): string {
  return lang === "en" ? unit : (UNITS_ZH[unit.toLowerCase()] ?? unit);
}

export function fmtQty(value: number | null | undefined, unit: string, lang = current): string {
  if (value === null || value === undefined) return "–";
  const u = fmtUnit(unit, lang);
  return u ? `${fmtNumber(value, 2, lang)} ${u}` : fmtNumber(value, 2, lang);
}

function toDate(value: string | number | Date): Date | null {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** An instant on the deployment's clock (its TIME_ZONE), as the language writes it. */
export function fmtDateTime(
  value: string | number | Date | null | undefined,
  lang = current,
  zone = timeZone,
): string {
  if (value === null || value === undefined) return "–";
  const date = toDate(value);
  return date
    ? new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(date)
    : String(value);
}

/** A calendar day (YYYY-MM-DD) as the language writes it; not shifted by the time zone. */
export function fmtDay(value: string | null | undefined, lang = current): string {
  if (!value) return "–";
  const date = toDate(`${value.slice(0, 10)}T00:00:00Z`);
  return date ? new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" }).format(date) : value;
}

/** Names that come in both languages from the API (sites, item types, categories). */
export function localName(item: { name: string; nameZh?: string | null }, lang = current): string {
  return lang === "zh-CN" && item.nameZh ? item.nameZh : item.name;
}
