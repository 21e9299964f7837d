import { Type } from "@sinclair/typebox";
import { and, asc, eq, type SQL } from "drizzle-orm";
import { commandTopic, deviceTopic } from "../../broker/topics.ts";
import { ANTENNA_ROLES, DEVICE_KINDS, devices, readerAntennas, shelves } from "../db/schema.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { scopeOf } from "../security/policy.ts";
import { scopeFilter } from "../services/site-scope.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses, isoTimeOrNull, literals, Nullable, SiteCode } from "./schemas.ts";

const Device = Type.Object({
  id: Type.String(),
  siteCode: Type.String(),
  kind: literals(DEVICE_KINDS),
  name: Type.String(),
  model: Nullable(Type.String()),
  topic: Type.String({ description: "the topic the device publishes its readings to" }),
  enabled: Type.Boolean(),
  hasCredentials: Type.Boolean({ description: "an MQTT secret has been issued" }),
  lastSeenAt: Nullable(Type.String({ format: "date-time" })),
  online: Nullable(
    Type.Boolean({ description: "from the status topic (heartbeat, last will); null until reported" }),
  ),
  statusAt: Nullable(Type.String({ format: "date-time" })),
  antennas: Type.Optional(
    Type.Array(
      Type.Object({
        antenna: Type.Integer(),
        role: Type.Union([
          Type.Literal("storage"),
          Type.Literal("portal-outside"),
          Type.Literal("portal-inside"),
        ]),
        zone: Type.String(),
      }),
      { description: "RFID readers: what each antenna watches" },
    ),
  ),
  itemType: Type.Optional(Type.String({ description: "shelves: the item type weighed" })),
  tareKg: Type.Optional(Type.Number({ description: "shelves: weight of the empty shelf" })),
  unitWeightKg: Type.Optional(Type.Number({ description: "shelves: weight of one unit" })),
  capacityKg: Type.Optional(
    Nullable(
      Type.Number({
        description:
          "shelves: rated load-cell capacity (gross); weights beyond -2 %..102 % of it are refused; null: SHELF_MAX_WEIGHT_KG applies",
      }),
    ),
  ),
});

const devicesRoutes: ApiPlugin = async (app, { deps }) => {
  app.get(
    "/devices",
    {
      schema: {
        tags: ["devices"],
        summary:
          "Registered devices (readers, weight shelves, environment sensors); a keeper's: their sites'",
        querystring: Type.Object({
          siteCode: Type.Optional(SiteCode),
          kind: Type.Optional(literals(DEVICE_KINDS)),
        }),
        response: { 200: Type.Array(Device), 400: errorResponses[400], 404: errorResponses[404] },
      },
    },
    async (request) => {
      const { siteCode, kind } = request.query;
      if (siteCode) deps.reference.getSite(siteCode);
      const filters: Array<SQL | undefined> = [scopeFilter(devices.siteCode, scopeOf(request, siteCode))];
      if (kind) filters.push(eq(devices.kind, kind));
      const rows = deps.database.db
        .select({ device: devices, shelf: shelves })
        .from(devices)
        .leftJoin(shelves, eq(shelves.deviceId, devices.id))
        .where(and(...filters))
        .orderBy(asc(devices.siteCode), asc(devices.id))
        .all();
      return rows.map(({ device, shelf }) => ({
        id: device.id,
        siteCode: device.siteCode,
        kind: device.kind,
        name: device.name,
        model: device.model,
        topic: deviceTopic(device.siteCode, device.kind, device.id),
        enabled: device.enabled,
        hasCredentials: device.secretHash !== null,
        lastSeenAt: isoTimeOrNull(device.lastSeenAt),
        online: device.online,
        statusAt: isoTimeOrNull(device.statusAt),
        ...(device.kind === "rfid"
          ? {
              antennas: [...(deps.registry.get(device.id)?.antennas ?? new Map())].map(
                ([antenna, config]) => ({
                  antenna,
                  ...config,
                }),
              ),
            }
          : {}),
        ...(shelf
          ? {
              itemType: shelf.itemTypeCode,
              tareKg: shelf.tareKg,
              unitWeightKg: shelf.unitWeightKg,
              capacityKg: shelf.capacityKg,
            }
          : {}),
      }));
    },
  );

  app.put(
    "/devices/:id/antennas",
    {
      schema: {
        tags: ["devices"],
        summary: "Map an RFID reader's antennas to storage zones and portal sides (replaces the mapping)",
        description:
          "A portal has one portal-outside and one portal-inside antenna with the same zone name; a tag read outside then inside is coming in.",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Array(
          Type.Object(
            {
              antenna: Type.Integer({ minimum: 0, maximum: 64 }),
              role: literals(ANTENNA_ROLES),
              zone: Type.String({ minLength: 1, maxLength: 64 }),
            },
            { additionalProperties: false },
          ),
          { maxItems: 64 },
        ),
        response: {
          200: Type.Object({ deviceId: Type.String(), antennas: Type.Integer() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const device = deps.registry.get(id);
      if (!device) throw new NotFoundError(`device "${id}" is not registered`);
      if (device.kind !== "rfid")
        throw new InvalidInputError(`device "${id}" is a ${device.kind} device, not an RFID reader`);
      const ports = request.body.map((a) => a.antenna);
      const repeated = ports.find((p, i) => ports.indexOf(p) !== i);
      if (repeated !== undefined) throw new InvalidInputError(`body: antenna ${repeated} appears twice`);
      for (const portal of new Set(request.body.filter((a) => a.role !== "storage").map((a) => a.zone))) {
        const sides = request.body
          .filter((a) => a.zone === portal && a.role !== "storage")
          .map((a) => a.role);
        if (sides.length !== 2 || sides[0] === sides[1]) {
          throw new InvalidInputError(
            `body: portal "${portal}" needs one portal-outside and one portal-inside antenna`,
          );
        }
      }
      deps.database.sqlite.transaction(() => {
        deps.database.db.delete(readerAntennas).where(eq(readerAntennas.deviceId, id)).run();
        if (request.body.length > 0) {
          deps.database.db
            .insert(readerAntennas)
            .values(request.body.map((a) => ({ deviceId: id, ...a })))
            .run();
        }
      })();
      deps.registry.reload();
      return { deviceId: id, antennas: request.body.length };
    },
  );

  app.post(
    "/devices/:id/credentials",
    {
      schema: {
        tags: ["devices"],
        summary: "Issue the device a new MQTT secret (shown once; the old one stops working)",
        description:
          "The device connects with username = its id and password = the secret. Only a scrypt hash is kept, so a lost secret cannot be shown again: issue a new one. Connections using the old secret are closed.",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: {
          201: Type.Object({
            deviceId: Type.String(),
            username: Type.String(),
            password: Type.String({ description: "shown this once" }),
            publishTopic: Type.String(),
            statusTopic: Type.String(),
            commandTopic: Type.String({ description: "the only topic the device may subscribe to" }),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const device = deps.registry.get(id);
      if (!device) throw new NotFoundError(`device "${id}" is not registered`);
      const secret = await deps.credentials.issue(id);
      deps.mqtt?.disconnectDevice(id);
      request.log.info({ deviceId: id }, "device credentials issued");
      return reply
        .code(201)
        .header("cache-control", "no-store")
        .send({
          deviceId: id,
          ...secret,
          publishTopic: deviceTopic(device.siteCode, device.kind, id),
          statusTopic: deviceTopic(device.siteCode, "status", id),
          commandTopic: commandTopic(device.siteCode, id),
        });
    },
  );

  app.patch(
    "/devices/:id",
    {
      schema: {
        tags: ["devices"],
        summary: "Enable or disable a device, or rename it; disabling closes its connections at once",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object(
          {
            enabled: Type.Optional(Type.Boolean()),
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: {
          200: Type.Object({
            id: Type.String(),
            enabled: Type.Boolean(),
            name: Type.String(),
            disconnected: Type.Integer({ description: "connections closed" }),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!deps.registry.get(id)) throw new NotFoundError(`device "${id}" is not registered`);
      deps.database.db.update(devices).set(request.body).where(eq(devices.id, id)).run();
      deps.registry.reload();
      deps.credentials.forget(id);
      const row = deps.database.db.select().from(devices).where(eq(devices.id, id)).get();
      if (!row) throw new NotFoundError(`device "${id}" is not registered`);
      const disconnected = row.enabled ? 0 : (deps.mqtt?.disconnectDevice(id) ?? 0);
      request.log.info({ deviceId: id, enabled: row.enabled }, "device updated");
      return { id, enabled: row.enabled, name: row.name, disconnected };
    },
  );
};

export default devicesRoutes;
