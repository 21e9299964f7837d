/** Where the page is, from its hash: #/ (map), #/site/CODE (keeper), #/command[/ORDER] (command). */
export type Route =
  | { view: "map" }
  | { view: "keeper"; siteCode: string | null }
  | { view: "command"; orderId: number | null };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter((p) => p !== "")
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  if (parts[0] === "site") return { view: "keeper", siteCode: parts[1] ?? null };
  if (parts[0] === "command") {
    const id = Number(parts[1]);
    return { view: "command", orderId: Number.isInteger(id) && id > 0 ? id : null };
  }
  return { view: "map" };
}

export function routeHash(route: Route): string {
  if (route.view === "keeper")
    return route.siteCode ? `#/site/${encodeURIComponent(route.siteCode)}` : "#/site";
  if (route.view === "command") return route.orderId ? `#/command/${route.orderId}` : "#/command";
  return "#/";
}
