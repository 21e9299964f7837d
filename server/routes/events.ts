import type { PlatformEvents } from "../events.ts";
import { scopeOf } from "../security/policy.ts";
import { inScope } from "../services/site-scope.ts";
import { alertJson } from "./alerts.ts";
import type { ApiPlugin } from "./deps.ts";
import { orderJsonOf } from "./dispatch.ts";
import { isoTime } from "./schemas.ts";

const HEARTBEAT_MS = 15_000;

/**
 * GET /api/events: a server-sent events stream of what changes live: `alert` (raised, cleared,
 * acknowledged), `stock` (a site's figures for an item type changed, with the new line),
 * `shelf-movement` and `dispatch` (an order planned or moved a step, with its lines). Each event is
 * of one site, checked against the request's scope before anything is computed or sent: a keeper
 * receives only the events of their own sites, and no dispatch events (an order spans sites and is
 * region-wide). A comment line every 15 s keeps proxies from closing an idle stream.
 */
const eventsRoutes: ApiPlugin = async (app, { deps }) => {
  app.get(
    "/events",
    {
      schema: {
        tags: ["alerts"],
        summary: "Live stream (text/event-stream) of alerts, stock changes and shelf movements",
        produces: ["text/event-stream"],
      },
    },
    (request, reply) => {
      const scope = scopeOf(request);
      const sees = (siteCode: string) => inScope(scope, siteCode);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      let id = 0;
      const send = (event: string, data: unknown) =>
        raw.write(`id: ${++id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      raw.write(": connected\n\n");
      const stockChanged = (change: PlatformEvents["stock.changed"]) => {
        if (!sees(change.siteCode)) return;
        try {
          const line = deps.stock
            .forSite(change.siteCode)
            .items.find((i) => i.itemTypeCode === change.itemTypeCode);
          send("stock", { siteCode: change.siteCode, itemTypeCode: change.itemTypeCode, line: line ?? null });
        } catch (error) {
          request.log.warn({ err: error }, "stock event not sent");
        }
      };
      const unsubscribe = [
        deps.events.on("alert.changed", (e) => {
          if (sees(e.alert.siteCode)) send("alert", { change: e.change, alert: alertJson(e.alert) });
        }),
        deps.events.on("stock.changed", stockChanged),
        deps.events.on("shelf.movement", (m) => {
          if (sees(m.siteCode)) send("shelf-movement", { ...m, at: isoTime(m.at) });
        }),
        deps.events.on("dispatch.changed", ({ orderId }) => {
          if (scope !== null) return;
          try {
            send("dispatch", orderJsonOf(deps.dispatch, orderId));
          } catch (error) {
            request.log.warn({ err: error }, "dispatch event not sent");
          }
        }),
      ];
      const heartbeat = setInterval(() => raw.write(": heartbeat\n\n"), HEARTBEAT_MS);
      heartbeat.unref();
      request.raw.on("close", () => {
        clearInterval(heartbeat);
        for (const off of unsubscribe) off();
      });
    },
  );
};

export default eventsRoutes;
