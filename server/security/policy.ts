import type { FastifyInstance, FastifyRequest } from "fastify";
import type { UserRole } from "../db/schema.ts";
import type { AppDeps } from "../routes/deps.ts";
import { narrowScope, type SiteScope } from "../services/site-scope.ts";
import { isPublicRoute, refuse } from "./auth.ts";
import type { SessionUser } from "./users.ts";

declare module "fastify" {
  interface FastifyRequest {
    /**
     * The sites this request may read, set by the policy hook: null for every site, a keeper's site
     * codes otherwise. Undefined where the hook did not run (public routes), which scopeOf refuses.
     */
    siteScope: SiteScope | undefined;
  }
}

/**
 * Who may call what: the whole access policy of the API in one table, keyed by method and route
 * URL (fastify's routeOptions.url). Admin may do everything; a commander runs incidents and
 * dispatch and reads every site; a keeper works on their own sites only; a viewer reads.
 *
 * For a keeper, `sites` names the site(s) a request touches (from params, query or body, or looked
 * up from an id); each must be one of the keeper's sites, and an id that does not resolve is
 * refused the same way, so a keeper cannot learn what exists elsewhere. Lists and aggregates a
 * keeper may call without naming a site say `scoped`: the hook sets request.siteScope and the route
 * puts it into its query (scopeOf), so what is outside it is never read. A route a keeper may call
 * that touches no site says so with `siteFree`.
 */
type Req = FastifyRequest;
type SiteOf = (request: Req, deps: AppDeps) => Array<string | null | undefined> | string | null | undefined;

export interface Rule {
  roles: readonly UserRole[];
  /** The site(s) a keeper's request touches. A resolver returning null (no such id) refuses it. */
  sites?: SiteOf;
  /** Without a site named, the answer holds the rows of request.siteScope (read in its query). */
  scoped?: true;
  /** A keeper may call it and it touches no site's data (catalogue, map, own session). */
  siteFree?: true;
}

const ALL: readonly UserRole[] = ["admin", "commander", "keeper", "viewer"];
const READ_ALL: readonly UserRole[] = ["admin", "commander", "viewer"];
const ADMIN: readonly UserRole[] = ["admin"];
const COMMAND: readonly UserRole[] = ["admin", "commander"];
const KEEP: readonly UserRole[] = ["admin", "keeper"];

const param = (name: string) => (r: Req) => (r.params as Record<string, string | undefined>)[name];
const query = (name: string) => (r: Req) => (r.query as Record<string, string | undefined>)[name];
const body = (name: string) => (r: Req) => {
  const b = r.body as Record<string, unknown> | null | undefined;
  const v = b && typeof b === "object" ? b[name] : undefined;
  return typeof v === "string" ? v : undefined;
};
/** The site of a row looked up by the route's :id (null when there is none). */
const siteOfRow =
  (sql: string, from: (r: Req) => string | undefined = param("id")) =>
  (r: Req, deps: AppDeps) => {
    const id = from(r);
    if (id === undefined) return null;
    const row = deps.database.sqlite.prepare(sql).get(id) as { site: string } | undefined;
    return row?.site ?? null;
  };
const deviceSite = (from: (r: Req) => string | undefined) =>
  siteOfRow("SELECT site_code AS site FROM devices WHERE id = ?", from);

export const POLICY: Record<string, Rule> = {
  // Session
  "POST /api/auth/logout": { roles: ALL, siteFree: true },
  "GET /api/audit-log": { roles: ADMIN },
  "GET /api/users": { roles: ADMIN },
  "POST /api/users": { roles: ADMIN },
  "POST /api/users/:username/password": { roles: ADMIN },
  "PATCH /api/users/:username": { roles: ADMIN },

  // Sites and stock
  "GET /api/sites": { roles: ALL, scoped: true },
  "GET /api/sites/:code": { roles: ALL, sites: param("code") },
  "GET /api/stock/status": { roles: ALL, scoped: true },
  "GET /api/sites/:code/stock": { roles: ALL, sites: param("code") },
  "GET /api/sites/:code/stock.csv": { roles: ALL, sites: param("code") },
  "GET /api/sites/:code/tags": { roles: ALL, sites: param("code") },

  // Reference data
  "GET /api/catalogue": { roles: ALL, siteFree: true },
  "PATCH /api/catalogue/item-types/:code": { roles: ADMIN },
  "GET /api/tags": { roles: ALL, sites: query("siteCode"), scoped: true },
  "POST /api/tags": { roles: ADMIN },
  "POST /api/tags/import": { roles: ADMIN },
  "GET /api/tags/unknown": { roles: ALL, sites: query("siteCode"), scoped: true },
  "GET /api/map-config": { roles: ALL, siteFree: true },
  "GET /api/region": { roles: ALL, siteFree: true },

  // Devices and their data
  "GET /api/devices": { roles: ALL, sites: query("siteCode"), scoped: true },
  "PUT /api/devices/:id/antennas": { roles: ADMIN },
  "POST /api/devices/:id/credentials": { roles: ADMIN },
  "PATCH /api/devices/:id": { roles: ADMIN },
  "GET /api/readings": { roles: ALL, sites: deviceSite(query("device")) },
  "GET /api/excursions": { roles: ALL, sites: query("siteCode"), scoped: true },
  "GET /api/shelf-movements": { roles: ALL, sites: query("siteCode"), scoped: true },
  "GET /api/dead-letters": { roles: READ_ALL },
  "GET /api/journal": { roles: READ_ALL },
  "GET /api/events": { roles: ALL, scoped: true }, // each event is checked against the scope

  // Keeper's work
  "GET /api/alerts": { roles: ALL, sites: query("siteCode"), scoped: true },
  "POST /api/alerts/:id/acknowledge": {
    roles: KEEP,
    sites: siteOfRow("SELECT site_code AS site FROM alerts WHERE id = ?"),
  },
  "GET /api/batches": { roles: ALL, sites: query("siteCode"), scoped: true },
  "POST /api/batches/:id/services": {
    roles: KEEP,
    sites: siteOfRow("SELECT site_code AS site FROM batches WHERE id = ?"),
  },
  "GET /api/rotation/plan": { roles: ALL, sites: query("siteCode"), scoped: true },
  "GET /api/rotation/plan.csv": { roles: ALL, sites: query("siteCode"), scoped: true },
  "POST /api/rotation/execute": { roles: KEEP, sites: body("siteCode") },
  "GET /api/quality-checks": { roles: ALL, sites: query("siteCode"), scoped: true },
  "POST /api/quality-checks/:id/result": {
    roles: KEEP,
    sites: siteOfRow(
      "SELECT b.site_code AS site FROM quality_checks q JOIN batches b ON b.id = q.batch_id WHERE q.id = ?",
    ),
  },
  "POST /api/sites/:code/audits": { roles: KEEP, sites: param("code") },
  "GET /api/audits": { roles: ALL, sites: query("siteCode"), scoped: true },
  "GET /api/audits/:id": {
    roles: ALL,
    sites: siteOfRow("SELECT site_code AS site FROM audits WHERE id = ?"),
  },
  "GET /api/audits/:id/report.csv": {
    roles: ALL,
    sites: siteOfRow("SELECT site_code AS site FROM audits WHERE id = ?"),
  },
  "POST /api/audits/:id/close": {
    roles: KEEP,
    sites: siteOfRow("SELECT site_code AS site FROM audits WHERE id = ?"),
  },
  "POST /api/audits/:id/approve": {
    roles: KEEP,
    sites: siteOfRow("SELECT site_code AS site FROM audits WHERE id = ?"),
  },

  // Command centre: region-wide, refused to keepers
  "GET /api/readiness": { roles: READ_ALL },
  "GET /api/stock/rollup": { roles: READ_ALL },
  "GET /api/coverage": { roles: READ_ALL },
  "POST /api/coverage": { roles: READ_ALL },
  "GET /api/coverage/siting": { roles: READ_ALL },
  "POST /api/coverage/siting": { roles: READ_ALL },
  "POST /api/incidents": { roles: COMMAND },
  "GET /api/dispatch-orders": { roles: READ_ALL },
  "GET /api/dispatch-orders/:id": { roles: READ_ALL },
  "POST /api/dispatch-orders/:id/approve": { roles: COMMAND },
  "POST /api/dispatch-orders/:id/dispatch": { roles: COMMAND },
  "POST /api/dispatch-orders/:id/deliver": { roles: COMMAND },
  "POST /api/dispatch-orders/:id/close": { roles: COMMAND },
  "POST /api/dispatch-orders/:id/cancel": { roles: COMMAND },
};

/** The rule of a route (HEAD follows GET); undefined when the table has none. */
export function ruleFor(method: string, url: string): Rule | undefined {
  return POLICY[`${method === "HEAD" ? "GET" : method} ${url}`];
}

export const OUTSIDE_SITES = "this is outside your sites";

/** The sites a user may read: every site, or a keeper's. */
export function scopeOfUser(user: SessionUser): SiteScope {
  return user.role === "keeper" ? [...user.sites] : null;
}

/**
 * The scope a route puts into its query, narrowed to the site the request names (the hook has
 * already refused a keeper naming a site outside theirs). Throws where no policy set a scope, so a
 * route can never read unscoped by mistake.
 */
export function scopeOf(request: FastifyRequest, siteCode?: string | null): SiteScope {
  if (request.siteScope === undefined) throw new Error(`no site scope on ${request.routeOptions.url}`);
  return narrowScope(request.siteScope, siteCode);
}

/** Who does what a request changes: the session's user, never a field of the body. */
export function actorOf(request: FastifyRequest): string {
  if (!request.user) throw new Error(`no user on ${request.routeOptions.url}`);
  return request.user.username;
}

/**
 * Enforces POLICY on every authenticated /api request (after authentication, before validation):
 * 403 for a role the route does not allow or a keeper naming a site outside theirs; sets the site
 * scope the route's queries read within.
 */
export function installPolicy(app: FastifyInstance, deps: AppDeps): void {
  app.decorateRequest("siteScope", undefined);
  app.addHook("preValidation", async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined || isPublicRoute(request.method, url)) return;
    const user = request.user;
    if (!user) return refuse(reply, 401, "not logged in, or the session has expired: log in");
    const rule = ruleFor(request.method, url);
    if (!rule) {
      request.log.error({ route: `${request.method} ${url}` }, "route without an access policy refused");
      return refuse(reply, 403, "this route has no access policy");
    }
    const found = rule.sites?.(request, deps);
    const touched = Array.isArray(found) ? found : [found];
    request.auditSite = touched.find((s) => typeof s === "string") ?? null;
    if (!rule.roles.includes(user.role)) {
      return refuse(reply, 403, `a ${user.role} may not do this`);
    }
    if (user.role === "keeper" && rule.sites) {
      // A keeper naming no site gets the scope of all theirs; a named site must be one of them.
      const named = touched.filter((s) => s !== undefined);
      if (named.some((s) => s === null || !user.sites.includes(s))) return refuse(reply, 403, OUTSIDE_SITES);
    }
    request.siteScope = scopeOfUser(user);
  });
}
