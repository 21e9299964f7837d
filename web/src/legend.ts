import * as L from "leaflet";
import { escapeHtml } from "./escape-html.ts";
import { TIER_ORDER, TIERS, tierShapeHtml } from "./tiers.ts";

function legendHtml(): string {
  const rows = TIER_ORDER.map((tier) => {
    const info = TIERS[tier];
    return `<li>
			<span class="legend-symbol">${tierShapeHtml(tier)}</span>
			<span class="legend-label">${escapeHtml(info.label)}</span>
			<span class="legend-zh" lang="zh-CN">${escapeHtml(info.labelZh)}</span>
		</li>`;
  }).join("");
  return `<h2>Site tiers</h2><ul>${rows}</ul>`;
}

/** Bottom-right box explaining the marker shape of each tier. */
export function createLegend(): L.Control {
  const legend = new L.Control({ position: "bottomright" });
  legend.onAdd = () => {
    const box = L.DomUtil.create("section", "legend");
    box.setAttribute("aria-label", "Legend");
    box.innerHTML = legendHtml();
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  return legend;
}
