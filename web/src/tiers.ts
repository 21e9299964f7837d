import * as L from "leaflet";
import type { Tier } from "./api-types.ts";

export interface TierInfo {
  label: string;
  labelZh: string;
  /** Stacking order: higher tiers are drawn on top of lower ones. */
  zIndex: number;
}

/** Display order (legend) and labels for each tier. */
export const TIERS: Record<Tier, TierInfo> = {
  central: { label: "Central depot", labelZh: "区级中心库", zIndex: 6000 },
  branch: { label: "City branch depot", labelZh: "市级分库", zIndex: 5000 },
  county: { label: "County emergency depot", labelZh: "县级应急库", zIndex: 4000 },
  station: { label: "Station equipment room", labelZh: "基层所队装备室", zIndex: 2000 },
  agreement: { label: "Agreement (enterprise) stock", labelZh: "企业代储", zIndex: 3000 },
  external: { label: "External (regional / neighbour province)", labelZh: "大区库/邻省", zIndex: 1000 },
};

export const TIER_ORDER = Object.keys(TIERS) as Tier[];

/** Size of the (invisible) touch target around every marker shape, in px. */
const HIT_SIZE = 28;

/** The CSS shape for a tier; styled by `.tier-shape.tier-<tier>` in style.css. */
export function tierShapeHtml(tier: Tier): string {
  return `<span class="tier-shape tier-${tier}" aria-hidden="true"></span>`;
}

export function tierIcon(tier: Tier): L.DivIcon {
  return L.divIcon({
    className: "site-marker",
    html: tierShapeHtml(tier),
    iconSize: [HIT_SIZE, HIT_SIZE],
    iconAnchor: [HIT_SIZE / 2, HIT_SIZE / 2],
    popupAnchor: [0, -HIT_SIZE / 2 + 4],
  });
}

export function isKnownTier(tier: string): tier is Tier {
  return (TIER_ORDER as string[]).includes(tier);
}
