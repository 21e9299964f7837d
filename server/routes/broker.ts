import { timingSafeEqual } from "node:crypto";
import { Type } from "@sinclair/typebox";
import { refuse, requestToken } from "../security/auth.ts";
import type { ApiPlugin } from "./deps.ts";

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * POST /api/broker/authenticate: the brokers of a cluster (`npm run broker`) check each device's
 * CONNECT here, so device secrets stay in the platform's database and a disabled device or a new
 * secret counts at once on every broker. Callers prove they are brokers with the BROKER_TOKEN.
 */
const brokerRoutes: ApiPlugin = async (app, { deps }) => {
  app.post(
    "/broker/authenticate",
    {
      schema: {
        tags: ["devices"],
        summary: "For cluster brokers: check a device's MQTT credentials (bearer BROKER_TOKEN)",
        body: Type.Object({
          username: Type.String({ maxLength: 200 }),
          password: Type.String({ maxLength: 1024 }),
        }),
        response: {
          200: Type.Union([
            Type.Object({
              ok: Type.Literal(true),
              device: Type.Object({
                deviceId: Type.String(),
                siteCode: Type.String(),
                kind: Type.Union([Type.Literal("rfid"), Type.Literal("shelf"), Type.Literal("env")]),
              }),
            }),
            Type.Object({ ok: Type.Literal(false), reason: Type.String() }),
          ]),
        },
      },
    },
    async (request, reply) => {
      const expected = deps.config.brokerToken;
      if (expected === null) {
        return refuse(reply, 403, "broker authentication is off: set BROKER_TOKEN to run cluster brokers");
      }
      const token = request.headers.authorization?.startsWith("Bearer ") ? requestToken(request) : null;
      if (!token || !sameSecret(token, expected))
        return refuse(reply, 401, "not a broker: wrong BROKER_TOKEN");
      const { username, password } = request.body;
      return deps.credentials.authenticate(username, Buffer.from(password, "utf8"));
    },
  );
};

export default brokerRoutes;
