import * as L from "leaflet";
import type { SiteStatus, Tier } from "./api-types.ts";

/** Stacking order: higher tiers are drawn on top of lower ones. */
export const TIER_Z: Record<Tier, number> = {
  central: 6000,
  branch: 5000,
  county: 4000,
  agreement: 3000,
  station: 2000,
  external: 1000,
};

export const TIER_ORDER: Tier[] = ["central", "branch", "county", "station", "agreement", "external"];

/** Size of the (invisible) touch target around every marker shape, in px. */
const HIT_SIZE = 28;

/** The CSS shape for a tier, filled with the colour of a stock status (`.st-<status>`). */
export function tierShapeHtml(tier: Tier, status: SiteStatus | "neutral" = "neutral"): string {
  return `<span class="tier-shape tier-${tier} st-${status}" aria-hidden="true"></span>`;
}

export function tierIcon(tier: Tier, status: SiteStatus | "neutral"): L.DivIcon {
  return L.divIcon({
    className: "site-marker",
    html: tierShapeHtml(tier, status),
    iconSize: [HIT_SIZE, HIT_SIZE],
    iconAnchor: [HIT_SIZE / 2, HIT_SIZE / 2],
    popupAnchor: [0, -HIT_SIZE / 2 + 4],
  });
}

export function isKnownTier(tier: string): tier is Tier {
  return (TIER_ORDER as string[]).includes(tier);
}
