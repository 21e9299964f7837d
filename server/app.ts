import fs from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from "fastify";
import { DomainError } from "./errors.ts";
import alertsRoutes from "./routes/alerts.ts";
import auditLogRoutes from "./routes/audit-log.ts";
import auditsRoutes from "./routes/audits.ts";
import brokerRoutes from "./routes/broker.ts";
import catalogueRoutes from "./routes/catalogue.ts";
import coverageRoutes from "./routes/coverage.ts";
import type { AppDeps } from "./routes/deps.ts";
import devicesRoutes from "./routes/devices.ts";
import dispatchRoutes from "./routes/dispatch.ts";
import eventsRoutes from "./routes/events.ts";
import healthRoutes from "./routes/health.ts";
import ingestRoutes from "./routes/ingest.ts";
import mapRoutes from "./routes/map.ts";
import readinessRoutes from "./routes/readiness.ts";
import readingsRoutes from "./routes/readings.ts";
import rotationRoutes from "./routes/rotation.ts";
import { ErrorReply } from "./routes/schemas.ts";
import sensingRoutes from "./routes/sensing.ts";
import sitesRoutes from "./routes/sites.ts";
import tagsRoutes from "./routes/tags.ts";
import usersRoutes from "./routes/users.ts";
import { installAuditLog } from "./security/audit-log.ts";
import authRoutes, { installAuthentication } from "./security/auth.ts";
import { addSecurityHeaders } from "./security/headers.ts";
import { installPolicy } from "./security/policy.ts";
import { formatSchemaErrors, makeValidatorCompiler } from "./validation.ts";

declare module "fastify" {
  interface FastifyInstance {
    apiRoutes: string[];
  }
}

export const WEB_DIST = new URL("../web/dist", import.meta.url).pathname;

/** The HTTP side: API under /api, OpenAPI at /docs, the web console at /. Never listens by itself. */
export async function buildApp(deps: AppDeps, log: FastifyBaseLogger): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.config.tls
      ? { https: { cert: deps.config.tls.cert, key: deps.config.tls.key, minVersion: "TLSv1.2" as const } }
      : {}),
    loggerInstance: log,
    // Event streams stay open; on shutdown they are closed rather than waited for.
    forceCloseConnections: true,
    // Request lines would drown the ingest and error logs; errors are logged by the handler below.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: {
      customOptions: { allErrors: false, coerceTypes: "array", useDefaults: true, removeAdditional: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  /** Every method and URL registered under /api, for the check that each has an access policy. */
  const apiRoutes: string[] = [];
  app.decorate("apiRoutes", apiRoutes);

  app.setValidatorCompiler(makeValidatorCompiler());
  app.setSchemaErrorFormatter(formatSchemaErrors);
  addSecurityHeaders(app, deps.config.tileLayer?.url ?? null, deps.config.tls !== null);
  app.addSchema(ErrorReply);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainError) {
      return reply.code(error.statusCode).send({
        statusCode: error.statusCode,
        error: error.statusCode === 404 ? "Not Found" : error.statusCode === 409 ? "Conflict" : "Bad Request",
        message: error.message,
      });
    }
    if (error.validation) {
      return reply.code(400).send({ statusCode: 400, error: "Bad Request", message: error.message });
    }
    const statusCode = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (statusCode < 500) {
      return reply.code(statusCode).send({ statusCode, error: error.name, message: error.message });
    }
    // Details of a server fault stay in the log; the caller learns only that it happened.
    request.log.error({ err: error }, "request failed");
    return reply
      .code(statusCode)
      .send({ statusCode, error: "Internal Server Error", message: "internal error" });
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: "Emergency supplies reserve platform API",
        description: "Sites, catalogue, stock against standards, devices and their readings.",
        version: "0.1.0",
      },
      tags: [
        { name: "health" },
        { name: "auth" },
        { name: "sites" },
        { name: "stock" },
        { name: "catalogue" },
        { name: "devices" },
        { name: "readings" },
        { name: "ingest" },
        { name: "alerts" },
        { name: "rotation" },
        { name: "audits" },
        { name: "readiness" },
        { name: "dispatch" },
        { name: "coverage" },
        { name: "tags" },
        { name: "sensing" },
        { name: "map" },
      ],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/docs" });

  await app.register(
    async (api) => {
      installAuthentication(api, deps);
      installPolicy(api, deps);
      installAuditLog(api, deps.auditLog);
      api.addHook("onRoute", (route) => {
        for (const method of [route.method].flat()) apiRoutes.push(`${method} ${route.url}`);
      });
      for (const plugin of [
        healthRoutes,
        authRoutes,
        brokerRoutes,
        auditLogRoutes,
        usersRoutes,
        sitesRoutes,
        catalogueRoutes,
        devicesRoutes,
        readingsRoutes,
        ingestRoutes,
        alertsRoutes,
        rotationRoutes,
        auditsRoutes,
        readinessRoutes,
        dispatchRoutes,
        coverageRoutes,
        eventsRoutes,
        tagsRoutes,
        sensingRoutes,
        mapRoutes,
      ]) {
        await api.register(plugin, { deps });
      }
      api.setNotFoundHandler((request, reply) =>
        reply.code(404).send({
          statusCode: 404,
          error: "Not Found",
          message: `no API route ${request.method} ${request.url.split("?")[0]}`,
        }),
      );
    },
    { prefix: "/api" },
  );

  if (fs.existsSync(path.join(WEB_DIST, "index.html"))) {
    await app.register(fastifyStatic, { root: WEB_DIST, index: "index.html" });
  } else {
    app.get("/", async (_request, reply) =>
      reply.code(503).type("text/plain").send("The web console is not built: run `npm run build:web`."),
    );
  }

  return app;
}
