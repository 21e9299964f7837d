import { Type } from "@sinclair/typebox";
import type { ApiPlugin } from "./deps.ts";
import { Nullable } from "./schemas.ts";

const ItemType = Type.Object({
  code: Type.String(),
  categoryCode: Type.String(),
  name: Type.String(),
  nameZh: Nullable(Type.String()),
  unit: Type.String(),
  unitWeightKg: Type.Number(),
  lifecycle: Type.Union([Type.Literal("expiring"), Type.Literal("durable")]),
  shelfLifeDays: Nullable(Type.Integer()),
  serviceLifeDays: Nullable(Type.Integer()),
  inspectionIntervalDays: Nullable(Type.Integer()),
  storageMinTempC: Nullable(Type.Number()),
  storageMaxTempC: Nullable(Type.Number()),
  storageMaxRhPct: Nullable(Type.Number()),
  rotationTriggerShare: Nullable(Type.Number()),
  rotationTriggerDays: Nullable(Type.Integer()),
  rotationCycleDays: Nullable(Type.Integer()),
  rotationProportion: Nullable(Type.Number()),
  kitQtyPerPerson: Type.Number({ description: "quantity one person of a mobilisation needs" }),
  unitsPerTag: Type.Integer(),
});

const Category = Type.Object({
  code: Type.String(),
  name: Type.String(),
  nameZh: Nullable(Type.String()),
  sortOrder: Type.Integer(),
  itemTypes: Type.Array(ItemType),
});

const catalogueRoutes: ApiPlugin = async (app, { deps }) => {
  app.get(
    "/catalogue",
    {
      schema: {
        tags: ["catalogue"],
        summary: "Categories and item types of reserve supplies",
        response: { 200: Type.Object({ categories: Type.Array(Category) }) },
      },
    },
    async () => ({ categories: deps.reference.catalogue() }),
  );
};

export default catalogueRoutes;
