import type { FastifyInstance } from "fastify";

/**
 * Security headers on every answer. The console loads only its own bundle: scripts, styles,
 * images and API calls from this origin (plus the optional online tile server's images); Leaflet
 * positions its layers with inline style attributes, hence 'unsafe-inline' for styles only. The
 * OpenAPI page at /docs brings its own inline scripts and is left out of the policy.
 */
export function contentSecurityPolicy(tileUrl: string | null): string {
  let tiles = "";
  if (tileUrl) {
    try {
      // Template braces ({s}.tile…) are not valid in a host; allow the tile server's subdomains.
      const host = new URL(tileUrl.replace(/\{s\}\./, "").replace(/\{[a-z]\}/g, "0")).host;
      tiles = ` https://*.${host} https://${host}`;
    } catch {
      tiles = "";
    }
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${tiles}`,
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function addSecurityHeaders(app: FastifyInstance, tileUrl: string | null, https: boolean): void {
  const csp = contentSecurityPolicy(tileUrl);
  app.addHook("onSend", async (request, reply, payload) => {
    reply.header("x-content-type-options", "nosniff");
    if (https) reply.header("strict-transport-security", "max-age=31536000");
    reply.header("x-frame-options", "DENY");
    reply.header("referrer-policy", "no-referrer");
    reply.header("cross-origin-opener-policy", "same-origin");
    reply.header("cross-origin-resource-policy", "same-origin");
    reply.header("permissions-policy", "camera=(), microphone=(), geolocation=()");
    if (!request.url.startsWith("/docs")) reply.header("content-security-policy", csp);
    if (request.url.startsWith("/api/"))
      reply.header("cache-control", reply.getHeader("cache-control") ?? "no-store");
    return payload;
  });
}
