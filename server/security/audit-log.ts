import os from "node:os";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AppDatabase } from "../db/database.ts";

export interface AuditEntry {
  id: number;
  at: number;
  actor: string | null;
  role: string | null;
  ip: string | null;
  method: string;
  route: string;
  url: string;
  target: string | null;
  siteCode: string | null;
  statusCode: number;
  detail: string | null;
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const SECRET_KEY = /pass|secret|token|key/i;
const DETAIL_MAX = 1000;

/** A short JSON of a request body with anything secret-looking replaced. */
export function redactedDetail(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  const redact = (value: unknown, depth: number): unknown => {
    if (Array.isArray(value)) {
      const head = value.slice(0, 20).map((v) => redact(v, depth + 1));
      return value.length > 20 ? [...head, `… ${value.length - 20} more`] : head;
    }
    if (value && typeof value === "object") {
      if (depth > 4) return "…";
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1)]),
      );
    }
    if (typeof value === "string" && value.length > 200) return `${value.slice(0, 200)}…`;
    return value;
  };
  const text =
    typeof body === "string" ? JSON.stringify(`${body.slice(0, 200)}`) : JSON.stringify(redact(body, 0));
  return text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX)}…` : text;
}

/**
 * The audit log: every change asked of the API, done or refused, with who asked (the session's
 * user), from where, what and the answer. Only appended to; read by admins through the API.
 */
export class AuditLog {
  readonly #database: AppDatabase;

  constructor(database: AppDatabase) {
    this.#database = database;
  }

  record(entry: Omit<AuditEntry, "id">): void {
    this.#database.sqlite
      .prepare(
        `INSERT INTO audit_log (at, actor, role, ip, method, route, url, target, site_code, status_code, detail)
         VALUES (@at, @actor, @role, @ip, @method, @route, @url, @target, @siteCode, @statusCode, @detail)`,
      )
      .run(entry);
  }

  /** Newest first. */
  list(filter: { actor?: string; siteCode?: string; limit: number; offset: number }): AuditEntry[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.actor) {
      where.push("actor = ?");
      args.push(filter.actor);
    }
    if (filter.siteCode) {
      where.push("site_code = ?");
      args.push(filter.siteCode);
    }
    return this.#database.sqlite
      .prepare(
        `SELECT id, at, actor, role, ip, method, route, url, target, site_code AS siteCode,
                status_code AS statusCode, detail
         FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
         ORDER BY id DESC LIMIT ? OFFSET ?`,
      )
      .all(...args, filter.limit, filter.offset) as AuditEntry[];
  }
}

declare module "fastify" {
  interface FastifyRequest {
    /** The site a request touches, as the access policy found it (for the audit log). */
    auditSite: string | null;
  }
}

/** Records every POST/PUT/PATCH/DELETE under /api once it is answered, whatever the answer. */
export function installAuditLog(app: FastifyInstance, log: AuditLog): void {
  app.decorateRequest("auditSite", null);
  app.addHook("onResponse", async (request: FastifyRequest, reply) => {
    if (!MUTATING.has(request.method)) return;
    const route = request.routeOptions.url ?? request.url.split("?")[0] ?? request.url;
    // A broker checking a device's CONNECT changes nothing; only refused brokers are worth a line.
    if (route === "/api/broker/authenticate" && reply.statusCode === 200) return;
    const body = request.body as Record<string, unknown> | undefined;
    const isLogin = route === "/api/auth/login";
    const params = request.params as Record<string, unknown> | undefined;
    try {
      log.record({
        at: Date.now(),
        actor:
          request.user?.username ??
          (isLogin && typeof body?.username === "string" ? body.username.slice(0, 100) : null),
        role: request.user?.role ?? null,
        ip: request.ip,
        method: request.method,
        route,
        url: request.url.slice(0, 500),
        target: params && Object.keys(params).length > 0 ? JSON.stringify(params).slice(0, 200) : null,
        siteCode: request.auditSite,
        statusCode: reply.statusCode,
        detail: redactedDetail(body),
      });
    } catch (error) {
      request.log.error({ err: error }, "audit log entry not written");
    }
  });
}

/**
 * A change made on the server's command line (npm run user, npm run device-secret): the actor is
 * the operating-system user, "from where" is the host.
 */
export function recordCliChange(
  log: AuditLog,
  change: { command: string; target: string; siteCode?: string | null; ok: boolean; detail?: unknown },
): void {
  let actor = "cli";
  try {
    actor = `cli:${os.userInfo().username}`;
  } catch {
    // No passwd entry for this uid (containers): "cli" it is.
  }
  log.record({
    at: Date.now(),
    actor,
    role: null,
    ip: `local:${os.hostname()}`,
    method: "CLI",
    route: change.command,
    url: `${change.command} ${change.target}`.slice(0, 500),
    target: JSON.stringify({ target: change.target }),
    siteCode: change.siteCode ?? null,
    statusCode: change.ok ? 200 : 400,
    detail: redactedDetail(change.detail ?? null),
  });
}
