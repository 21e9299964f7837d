import { Type } from "@sinclair/typebox";
import type { ApiPlugin } from "./deps.ts";
import { isoTimeOrNull, Nullable } from "./schemas.ts";

const startedAt = Date.now();

const healthRoutes: ApiPlugin = async (app, { deps }) => {
  app.get(
    "/health",
    {
      schema: {
        tags: ["health"],
        summary: "Liveness and ingest state",
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal("ok"), Type.Literal("degraded")]),
            demo: Type.Boolean({ description: "the database holds the generated demo network" }),
            uptimeSeconds: Type.Number(),
            mqtt: Nullable(Type.Object({ port: Type.Integer(), connectedClients: Type.Integer() })),
            externalBroker: Nullable(
              Type.Object(
                {
                  url: Type.String(),
                  connected: Type.Boolean(),
                  since: Nullable(Type.String({ format: "date-time" })),
                  lastError: Nullable(Type.String()),
                  received: Type.Integer({ description: "messages received since start" }),
                },
                { description: "the ingest's connection to an external broker (MQTT_BROKER=external)" },
              ),
            ),
            ingest: Type.Object({
              pending: Type.Integer({ description: "journaled messages not yet stored" }),
              stored: Type.Integer(),
              deadLetters: Type.Integer(),
              lastError: Nullable(Type.String()),
              refusing: Nullable(
                Type.String({
                  description:
                    "why new readings are refused (not acknowledged) right now: disk full, read-only",
                }),
              ),
              lastStoredAt: Nullable(Type.String({ format: "date-time" })),
              stalled: Nullable(
                Type.String({
                  description:
                    "the time-series write outstanding for longer than TIMESERIES_STALL_S, and for how long",
                }),
              ),
            }),
            timeseries: Type.String(),
            registeredDevices: Type.Integer(),
          }),
        },
      },
    },
    async () => {
      const counts = deps.journal.counts();
      const processor = deps.processor.status();
      const refusing = deps.journal.writeError()?.message ?? null;
      const external = deps.mqttIngest?.status() ?? null;
      const outstandingMs = processor.writingSince === null ? 0 : Date.now() - processor.writingSince;
      const stalled =
        outstandingMs > deps.config.timeseriesStallMs
          ? `time-series write to ${deps.timeseries.name} outstanding for ${(outstandingMs / 1000).toFixed(1)} s`
          : null;
      const degraded = processor.lastError || refusing || stalled || (external && !external.connected);
      return {
        status: degraded ? ("degraded" as const) : ("ok" as const),
        demo: deps.reference.demoNotice() !== null,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        mqtt: deps.mqtt ? { port: deps.mqtt.port, connectedClients: deps.mqtt.connectedClients() } : null,
        externalBroker: external && {
          url: external.url.replace(/\/\/[^@/]*@/, "//"),
          connected: external.connected,
          since: isoTimeOrNull(external.since),
          lastError: external.lastError,
          received: external.received,
        },
        ingest: {
          pending: counts.pending,
          stored: counts.stored,
          deadLetters: counts.dead,
          lastError: processor.lastError,
          refusing,
          lastStoredAt: isoTimeOrNull(processor.lastStoredAt),
          stalled,
        },
        timeseries: deps.timeseries.name,
        registeredDevices: deps.registry.size,
      };
    },
  );
};

export default healthRoutes;
