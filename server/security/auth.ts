import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ApiPlugin, AppDeps } from "../routes/deps.ts";
import { LoginLimiter } from "./login-limiter.ts";
import type { SessionUser } from "./users.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The logged-in user, set by the authentication hook (null on public routes). */
    user: SessionUser | null;
    sessionToken: string | null;
  }
}

export const SESSION_COOKIE = "reserve_session";

/**
 * API routes without a user session: everything else needs one. The brokers' route checks its own
 * token (BROKER_TOKEN) instead.
 */
export const PUBLIC_ROUTES = new Set([
  "GET /api/health",
  "POST /api/auth/login",
  "GET /api/auth/me",
  "POST /api/broker/authenticate",
]);

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Whether a route needs no session (HEAD goes with GET). */
export function isPublicRoute(method: string, url: string): boolean {
  return PUBLIC_ROUTES.has(`${method === "HEAD" ? "GET" : method} ${url}`);
}

function cookieToken(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return value === "" ? null : value;
    }
  }
  return null;
}

/** The bearer token of a request: `authorization: Bearer …` first, else the session cookie. */
export function requestToken(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (auth?.startsWith("Bearer ")) return auth.slice(7).trim() || null;
  return cookieToken(request.headers.cookie);
}

export function refuse(reply: FastifyReply, statusCode: 401 | 403 | 415 | 429, message: string) {
  const error = {
    401: "Unauthorized",
    403: "Forbidden",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
  }[statusCode];
  return reply.code(statusCode).send({ statusCode, error, message });
}

/**
 * A cross-site form can post with the browser's cookie, but only as a form or text/plain: changes
 * must be JSON (CSV for the tag import), or carry no body at all, like a logout.
 */
function acceptableMutation(request: FastifyRequest): boolean {
  if (!MUTATING.has(request.method)) return true;
  const type = request.headers["content-type"];
  if (type === undefined) {
    const length = request.headers["content-length"];
    return request.headers["transfer-encoding"] === undefined && (length === undefined || length === "0");
  }
  // Neither can be sent by a cross-site form (only urlencoded, multipart and text/plain can).
  return /^(application\/json|text\/csv)\s*(;|$)/i.test(type);
}

/**
 * Authentication for everything under /api: a hook that finds the session (bearer token or
 * cookie) and refuses (401) requests without one, and the login, logout and me routes.
 */
export function installAuthentication(app: FastifyInstance, deps: AppDeps): void {
  app.decorateRequest("user", null);
  app.decorateRequest("sessionToken", null);
  app.addHook("onRequest", async (request, reply) => {
    if (!acceptableMutation(request)) {
      return refuse(reply, 415, "changes are sent as JSON (content-type: application/json)");
    }
    const url = request.routeOptions.url;
    if (url !== undefined && isPublicRoute(request.method, url)) return;
    const token = requestToken(request);
    const user = token ? deps.users.authenticate(token) : undefined;
    if (!token || !user) return refuse(reply, 401, "not logged in, or the session has expired: log in");
    request.user = { id: user.id, username: user.username, role: user.role, sites: user.sites };
    request.sessionToken = token;
  });
}

/** POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me. */
const authRoutes: ApiPlugin = async (app, { deps }) => {
  const limiter = new LoginLimiter();
  const secure = deps.config.tls !== null;
  const cookie = (token: string, maxAgeS: number) =>
    `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? "; Secure" : ""}`;

  const UserJson = Type.Object({
    username: Type.String(),
    role: Type.String(),
    sites: Type.Array(Type.String()),
  });

  app.post(
    "/auth/login",
    {
      schema: {
        tags: ["auth"],
        summary: "Log in: sets an HttpOnly session cookie and returns a bearer token",
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 100 }),
          password: Type.String({ minLength: 1, maxLength: 1000 }),
        }),
        response: {
          200: Type.Object({
            token: Type.String(),
            expiresAt: Type.String({ format: "date-time" }),
            user: UserJson,
          }),
          401: Type.Ref("ErrorReply"),
          429: Type.Ref("ErrorReply"),
        },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const keys = [`user:${username.toLowerCase()}`, `ip:${request.ip}`];
      const wait = limiter.retryAfterMs(keys);
      if (wait > 0) {
        const minutes = Math.ceil(wait / 60_000);
        reply.header("retry-after", String(Math.ceil(wait / 1000)));
        return refuse(
          reply,
          429,
          `too many failed logins for this user or from this address: try again in ${minutes} minute${minutes === 1 ? "" : "s"}`,
        );
      }
      const session = await deps.users.login(username, password);
      if (!session) {
        limiter.fail(keys);
        return refuse(reply, 401, "wrong username or password");
      }
      limiter.succeed(keys[0] as string);
      reply.header("set-cookie", cookie(session.token, Math.floor((session.expiresAt - Date.now()) / 1000)));
      return {
        token: session.token,
        expiresAt: new Date(session.expiresAt).toISOString(),
        user: { username: session.user.username, role: session.user.role, sites: session.user.sites },
      };
    },
  );

  app.post(
    "/auth/logout",
    { schema: { tags: ["auth"], summary: "Log out: ends the session", response: { 204: Type.Null() } } },
    async (request, reply) => {
      if (request.sessionToken) deps.users.logout(request.sessionToken);
      reply.header("set-cookie", cookie("", 0));
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/auth/me",
    {
      schema: {
        tags: ["auth"],
        summary: "Who is logged in (user null when nobody is: the console asks before it logs in)",
        response: {
          200: Type.Object({
            user: Type.Union([UserJson, Type.Null()]),
            expiresAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const token = requestToken(request);
      const user = token ? deps.users.authenticate(token) : undefined;
      if (!user) return { user: null, expiresAt: null };
      return {
        user: { username: user.username, role: user.role, sites: user.sites },
        expiresAt: new Date(user.expiresAt).toISOString(),
      };
    },
  );
};

export default authRoutes;
