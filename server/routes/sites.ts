import { Type } from "@sinclair/typebox";
import { STOCK_DERIVATION } from "../domain/stock.ts";
import { scopeOf } from "../security/policy.ts";
import { toCsv } from "./csv.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses, Nullable, SiteCode, StockStatus, Tier } from "./schemas.ts";

const Site = Type.Object({
  code: Type.String(),
  name: Type.String(),
  nameZh: Nullable(Type.String()),
  tier: Tier,
  parentCode: Nullable(Type.String()),
  city: Nullable(Type.String()),
  lat: Type.Number(),
  lon: Type.Number(),
  leadTimeHours: Nullable(Type.Number({ description: "order to departure, agreement and external sites" })),
  suppliesCategories: Type.Array(Type.String()),
  demo: Type.Boolean({ description: "true for the generated demo network" }),
});

const StockItem = Type.Object({
  itemTypeCode: Type.String(),
  itemTypeName: Type.String(),
  unit: Type.String(),
  sensedQty: Nullable(
    Type.Integer({
      description: "units counted by the site's sensors (shelf counts); null if none measures it",
    }),
  ),
  bookQty: Type.Integer({ description: "sum of the stock ledger for the site and item type" }),
  onHandQty: Type.Integer({ description: "sensedQty when sensors measure the item type, else bookQty" }),
  basis: Type.Union([Type.Literal("sensed"), Type.Literal("reconciled"), Type.Literal("book")]),
  reservedQty: Type.Integer({ description: "held for approved dispatches" }),
  availableQty: Type.Integer({ description: "onHandQty - reservedQty" }),
  requiredQty: Type.Integer({ description: "allocation standard of the site's tier" }),
  minQty: Type.Integer({ description: "minimum standard of the site's tier" }),
  status: StockStatus,
});

const SiteStatus = Type.Union(
  [
    Type.Literal("ok"),
    Type.Literal("low"),
    Type.Literal("critical"),
    Type.Literal("over"),
    Type.Literal("none"),
  ],
  {
    description: "the worst item status: critical > low > over > ok; none when the site holds nothing",
  },
);
const StatusCounts = Type.Object({
  ok: Type.Integer(),
  low: Type.Integer(),
  critical: Type.Integer(),
  over: Type.Integer(),
});

const SiteStock = Type.Object({
  siteCode: Type.String(),
  tier: Tier,
  status: SiteStatus,
  counts: StatusCounts,
  items: Type.Array(StockItem),
  derivation: Type.Record(Type.String(), Type.String(), { description: "how each figure is derived" }),
});

const sitesRoutes: ApiPlugin = async (app, { deps }) => {
  const toSite = (row: ReturnType<typeof deps.reference.getSite>) => ({
    ...row,
    suppliesCategories: row.suppliesCategories ? row.suppliesCategories.split(",") : [],
  });

  app.get(
    "/sites",
    {
      schema: {
        tags: ["sites"],
        summary: "All sites of the reserve network (a keeper's: their sites)",
        querystring: Type.Object({ tier: Type.Optional(Tier) }),
        response: { 200: Type.Array(Site), 400: errorResponses[400] },
      },
    },
    async (request) =>
      deps.reference
        .sitesIn(scopeOf(request))
        .filter((s) => !request.query.tier || s.tier === request.query.tier)
        .map(toSite),
  );

  app.get(
    "/sites/:code",
    {
      schema: {
        tags: ["sites"],
        summary: "One site",
        params: Type.Object({ code: SiteCode }),
        response: { 200: Site, ...errorResponses },
      },
    },
    async (request) => toSite(deps.reference.getSite(request.params.code)),
  );

  app.get(
    "/stock/status",
    {
      schema: {
        tags: ["stock"],
        summary:
          "Every site's overall stock status and counts, for colouring a map (a keeper's: their sites)",
        description: "One entry per site, in the order of /api/sites; the same figures as each site's stock.",
        response: {
          200: Type.Array(
            Type.Object({
              siteCode: Type.String(),
              status: SiteStatus,
              counts: StatusCounts,
            }),
          ),
        },
      },
    },
    async (request) =>
      deps.reference.sitesIn(scopeOf(request)).map((s) => {
        const { siteCode, status, counts } = deps.stock.forSite(s.code);
        return { siteCode, status, counts };
      }),
  );

  app.get(
    "/sites/:code/stock",
    {
      schema: {
        tags: ["stock"],
        summary: "Stock of every item type at a site against its tier's standard",
        description:
          "status per item: critical below minQty, low below requiredQty, over above 1.5 x requiredQty, else ok; judged on onHandQty.",
        params: Type.Object({ code: SiteCode }),
        response: { 200: SiteStock, ...errorResponses },
      },
    },
    async (request) => ({ ...deps.stock.forSite(request.params.code), derivation: STOCK_DERIVATION }),
  );

  app.get(
    "/sites/:code/stock.csv",
    {
      schema: {
        tags: ["stock"],
        summary: "A site's stock against its standard, as CSV",
        params: Type.Object({ code: SiteCode }),
        produces: ["text/csv"],
      },
    },
    async (request, reply) => {
      const stock = deps.stock.forSite(request.params.code);
      reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="stock-${stock.siteCode}.csv"`);
      return toCsv(
        [
          "site",
          "item_type",
          "name",
          "unit",
          "book",
          "sensed",
          "on_hand",
          "basis",
          "reserved",
          "available",
          "required",
          "minimum",
          "status",
        ],
        stock.items.map((i) => [
          stock.siteCode,
          i.itemTypeCode,
          i.itemTypeName,
          i.unit,
          i.bookQty,
          i.sensedQty,
          i.onHandQty,
          i.basis,
          i.reservedQty,
          i.availableQty,
          i.requiredQty,
          i.minQty,
          i.status,
        ]),
      );
    },
  );
};

export default sitesRoutes;
