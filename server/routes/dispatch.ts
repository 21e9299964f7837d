import { Type } from "@sinclair/typebox";
import { actorOf } from "../security/policy.ts";
import type { DispatchService } from "../services/dispatch.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses, isoTime, isoTimeOrNull, NoBody, Nullable, SiteCode } from "./schemas.ts";

const Id = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const Line = Type.Object({
  id: Type.Integer(),
  sourceSiteCode: Type.String(),
  sourceKind: Type.Union([Type.Literal("own"), Type.Literal("agreement"), Type.Literal("external")]),
  itemTypeCode: Type.String(),
  batchId: Nullable(Type.Integer({ description: "picked first-expiry-first-out; null for contract stock" })),
  quantity: Type.Integer(),
  distanceKm: Type.Number({ description: "geodesic, WGS84" }),
  etaHours: Type.Number({ description: "lead time + road distance / speed" }),
  dispatchedQty: Type.Integer(),
  deliveredQty: Type.Integer(),
});

const Order = Type.Object({
  id: Type.Integer(),
  incidentId: Type.Integer(),
  incidentName: Type.String(),
  incidentType: Type.String(),
  lat: Type.Number(),
  lon: Type.Number(),
  personnel: Type.Integer(),
  destinationSiteCode: Nullable(Type.String()),
  state: Type.String({
    description: "planned -> approved -> dispatched -> delivered -> closed (or cancelled)",
  }),
  emergencyOverride: Type.Boolean({ description: "depots may go below their minimum standard" }),
  costModel: Type.Union([Type.Literal("distance"), Type.Literal("eta")]),
  totalCost: Type.Number({ description: "the plan's cost (LP/MIP optimum from HiGHS)" }),
  greedyCost: Type.Number({ description: "what 'nearest depot first' would cost for the same demand" }),
  gainOverGreedy: Type.Number(),
  arrivalHours: Nullable(Type.Number({ description: "the latest line's ETA" })),
  meetsTargetHours: Type.Boolean({
    description: "everything arrives within the rescue circle's time budget (2 h)",
  }),
  meetsCrossRegionTarget: Type.Boolean({ description: "everything arrives within 24 h" }),
  shortfall: Type.Array(Type.Object({ itemTypeCode: Type.String(), missing: Type.Integer() })),
  params: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String({ format: "date-time" }),
  approvedBy: Nullable(Type.String()),
  approvedAt: Nullable(Type.String({ format: "date-time" })),
  dispatchedAt: Nullable(Type.String({ format: "date-time" })),
  deliveredAt: Nullable(Type.String({ format: "date-time" })),
  closedAt: Nullable(Type.String({ format: "date-time" })),
  closedBy: Nullable(Type.String()),
  lines: Type.Array(Line),
});

/** A dispatch order with its lines as the API shows it (also sent on the live stream). */
export function orderJsonOf(dispatch: DispatchService, id: number) {
  const o = dispatch.order(id);
  return {
    ...o,
    params: { ...o.params } as Record<string, unknown>,
    createdAt: isoTime(o.createdAt),
    approvedAt: isoTimeOrNull(o.approvedAt),
    dispatchedAt: isoTimeOrNull(o.dispatchedAt),
    deliveredAt: isoTimeOrNull(o.deliveredAt),
    closedAt: isoTimeOrNull(o.closedAt),
  };
}

/** Incidents and their dispatch orders, for the command centre. */
const dispatchRoutes: ApiPlugin = async (app, { deps }) => {
  const orderJson = (id: number) => orderJsonOf(deps.dispatch, id);

  app.post(
    "/incidents",
    {
      schema: {
        tags: ["dispatch"],
        summary: "Open an incident and plan its dispatch",
        description:
          "Personnel are turned into quantities with the per-person kit; explicit items add to them. The plan minimises cost (road km x units, or hours to arrive x units with costModel=eta, plus a trip cost per depot used) with HiGHS; own depots keep their minimum standard unless emergencyOverride; agreement and external stock fill what remains with their lead times; what nothing can fill is the shortfall. The plan holds its stock at once. Who opens it is the logged-in user.",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            type: Type.String({
              minLength: 1,
              maxLength: 100,
              description: "e.g. flood, earthquake, public order",
            }),
            lat: Type.Number({ minimum: -90, maximum: 90 }),
            lon: Type.Number({ minimum: -180, maximum: 180 }),
            personnel: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
            items: Type.Record(
              Type.String({ minLength: 1, maxLength: 64 }),
              Type.Integer({ minimum: 1, maximum: 10_000_000 }),
              {
                default: {},
              },
            ),
            destinationSiteCode: Type.Optional(Nullable(SiteCode)),
            emergencyOverride: Type.Boolean({ default: false }),
            costModel: Type.Union([Type.Literal("distance"), Type.Literal("eta")], { default: "distance" }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Order, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { orderId } = await deps.dispatch.createIncident({
        ...request.body,
        destinationSiteCode: request.body.destinationSiteCode ?? null,
        by: actorOf(request),
      });
      return reply.code(201).send(orderJson(orderId));
    },
  );

  app.get(
    "/dispatch-orders",
    {
      schema: {
        tags: ["dispatch"],
        summary: "Dispatch orders, newest first",
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
        response: { 200: Type.Array(Type.Record(Type.String(), Type.Unknown())), ...errorResponses },
      },
    },
    async (request) => deps.dispatch.list(request.query.limit) as Array<Record<string, unknown>>,
  );

  app.get(
    "/dispatch-orders/:id",
    {
      schema: {
        tags: ["dispatch"],
        summary: "A dispatch order with its lines",
        params: Id,
        response: { 200: Order, ...errorResponses },
      },
    },
    async (request) => orderJson(request.params.id),
  );

  for (const action of ["approve", "dispatch", "deliver", "close", "cancel"] as const) {
    app.post(
      `/dispatch-orders/:id/${action}`,
      {
        schema: {
          tags: ["dispatch"],
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} a dispatch order`,
          description:
            action === "dispatch"
              ? "Confirms every line as shipped (RFID portal-out reads at the source confirm tagged units by themselves) and writes the ledger."
              : action === "deliver"
                ? "Confirms receipt at the destination (portal-in reads there confirm tagged units by themselves); books it at the destination site if the incident has one."
                : undefined,
          params: Id,
          body: NoBody,
          response: { 200: Order, ...errorResponses, 409: Type.Ref("ErrorReply") },
        },
      },
      async (request) => {
        deps.dispatch.transition(request.params.id, action, actorOf(request));
        return orderJson(request.params.id);
      },
    );
  }
};

export default dispatchRoutes;
