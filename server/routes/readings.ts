import { Type } from "@sinclair/typebox";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses, isoTime, Nullable } from "./schemas.ts";

const DAY_MS = 24 * 3600 * 1000;

const readingsRoutes: ApiPlugin = async (app, { deps }) => {
  app.get(
    "/readings",
    {
      schema: {
        tags: ["readings"],
        summary: "Time series of one device",
        description: "Defaults to the last 24 hours. Times are ISO 8601.",
        querystring: Type.Object({
          device: Type.String({ minLength: 1, maxLength: 64, description: "device id" }),
          from: Type.Optional(Type.String({ format: "date-time" })),
          to: Type.Optional(Type.String({ format: "date-time" })),
          measurement: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          limit: Type.Integer({ minimum: 1, maximum: 100000, default: 10000 }),
        }),
        response: {
          200: Type.Object({
            device: Type.String(),
            siteCode: Type.String(),
            from: Type.String({ format: "date-time" }),
            to: Type.String({ format: "date-time" }),
            store: Type.String({ description: "the time-series store answering" }),
            points: Type.Array(
              Type.Object({
                time: Type.String({ format: "date-time" }),
                measurement: Type.String(),
                value: Type.Number(),
                unit: Nullable(Type.String()),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { device: deviceId, measurement, limit } = request.query;
      const device = deps.registry.get(deviceId);
      if (!device) throw new NotFoundError(`device "${deviceId}" is not registered`);
      const to = request.query.to ? Date.parse(request.query.to) : Date.now();
      const from = request.query.from ? Date.parse(request.query.from) : to - DAY_MS;
      if (from > to) throw new InvalidInputError("querystring/from must not be later than querystring/to");
      const points = await deps.timeseries.query({ deviceId, from, to, measurement, limit });
      return {
        device: deviceId,
        siteCode: device.siteCode,
        from: isoTime(from),
        to: isoTime(to),
        store: deps.timeseries.name,
        points: points.map((p) => ({ ...p, time: isoTime(p.time) })),
      };
    },
  );
};

export default readingsRoutes;
