import { errorMessage } from "./api.ts";
import type { Category, ItemType, Site } from "./api-types.ts";
import { h } from "./dom.ts";
import { localName } from "./i18n.ts";
import { tc } from "./labels.ts";
import type { LiveFeed } from "./live.ts";
import type { Route } from "./router.ts";

/** What every view shares: reference data, the live feed, messages to the user, navigation. */
export interface AppContext {
  sites: Site[];
  siteByCode: Map<string, Site>;
  categories: Category[];
  itemTypes: Map<string, ItemType>;
  live: LiveFeed;
  /** Shows an error in words (never swallowed); `what` says what was being done. */
  error(what: string, err: unknown): void;
  /** Shows a short confirmation. */
  info(message: string): void;
  /** The logged-in user's role: views hide what the role cannot do (the server enforces it). */
  role: "admin" | "commander" | "keeper" | "viewer";
  siteLabel(code: string): string;
  itemLabel(code: string): string;
  navigate(route: Route): void;
}

/** The notices area under the banner: errors stay until dismissed, confirmations fade. */
export function createNotices(container: HTMLElement) {
  const show = (kind: "error" | "info", text: string) => {
    const item = h(
      "div",
      { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" },
      h("span", { class: "notice-text" }, text),
      h(
        "button",
        { type: "button", class: "notice-close", "aria-label": tc("dismiss"), onclick: () => item.remove() },
        "×",
      ),
    );
    container.append(item);
    if (kind === "info") setTimeout(() => item.remove(), 4000);
    // Keep the list short: the oldest go first.
    while (container.children.length > 5) container.firstElementChild?.remove();
  };
  return {
    error(what: string, err: unknown) {
      console.error(what, err);
      show("error", `${what}: ${errorMessage(err)}`);
    },
    info(message: string) {
      show("info", message);
    },
  };
}

export function indexReference(sites: Site[], categories: Category[]) {
  const siteByCode = new Map(sites.map((s) => [s.code, s]));
  const itemTypes = new Map(categories.flatMap((c) => c.itemTypes.map((t) => [t.code, t] as const)));
  return {
    siteByCode,
    itemTypes,
    siteLabel: (code: string) => {
      const site = siteByCode.get(code);
      return site ? localName(site) : code;
    },
    itemLabel: (code: string) => {
      const type = itemTypes.get(code);
      return type ? localName(type) : code;
    },
  };
}

/** A page of the console. `show` is called on every route change to it, `relabel` on a language switch. */
export interface View<R extends Route = Route> {
  show(route: R): void;
  hide(): void;
  relabel(): void;
}
