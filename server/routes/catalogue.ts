import { Type } from "@sinclair/typebox";
import { eq } from "drizzle-orm";
import { itemTypes } from "../db/schema.ts";
import { MAX_EXCURSION_MIN_READINGS } from "../domain/excursion.ts";
import { InvalidInputError, NotFoundError } from "../errors.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses, Nullable } from "./schemas.ts";

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
  maintenanceIntervalDays: Nullable(Type.Integer()),
  overFactor: Nullable(Type.Number()),
  storageMinTempC: Nullable(Type.Number()),
  storageMaxTempC: Nullable(Type.Number()),
  storageMaxRhPct: Nullable(Type.Number()),
  excursionMinReadings: Nullable(
    Type.Integer({
      description: "consecutive readings outside the storage conditions that make an excursion",
    }),
  ),
  excursionMinDurationS: Nullable(
    Type.Integer({ description: "or seconds outside them, whichever comes first" }),
  ),
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

  const PositiveDays = Nullable(Type.Integer({ minimum: 1, maximum: 36500 }));
  const Share = Nullable(Type.Number({ exclusiveMinimum: 0, maximum: 1 }));

  app.patch(
    "/catalogue/item-types/:code",
    {
      schema: {
        tags: ["catalogue"],
        summary:
          "Change an item type's thresholds: life, rotation rule, inspections, storage conditions and excursion rule, over factor",
        description:
          "Null restores the platform default where there is one (rotation trigger share 0.25, cycle 90 days, proportion 0.25, over factor 1.5; excursions after EXCURSION_MIN_READINGS readings or EXCURSION_MIN_DURATION_S seconds outside the storage conditions).",
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Partial(
          Type.Object(
            {
              shelfLifeDays: PositiveDays,
              serviceLifeDays: PositiveDays,
              inspectionIntervalDays: PositiveDays,
              maintenanceIntervalDays: PositiveDays,
              rotationTriggerShare: Share,
              rotationTriggerDays: Nullable(Type.Integer({ minimum: 0, maximum: 36500 })),
              rotationCycleDays: PositiveDays,
              rotationProportion: Share,
              storageMinTempC: Nullable(Type.Number({ minimum: -80, maximum: 80 })),
              storageMaxTempC: Nullable(Type.Number({ minimum: -80, maximum: 80 })),
              storageMaxRhPct: Nullable(Type.Number({ minimum: 0, maximum: 100 })),
              excursionMinReadings: Nullable(
                Type.Integer({ minimum: 1, maximum: MAX_EXCURSION_MIN_READINGS }),
              ),
              excursionMinDurationS: Nullable(Type.Integer({ minimum: 0, maximum: 7 * 86400 })),
              overFactor: Nullable(Type.Number({ minimum: 1, maximum: 100 })),
              kitQtyPerPerson: Type.Number({ minimum: 0, maximum: 1000 }),
            },
            { additionalProperties: false },
          ),
          { minProperties: 1 },
        ),
        response: { 200: ItemType, ...errorResponses },
      },
    },
    async (request) => {
      const { code } = request.params;
      const current = deps.reference.listItemTypes().find((t) => t.code === code);
      if (!current) throw new NotFoundError(`item type "${code}" does not exist`);
      const next = { ...current, ...request.body };
      if (
        next.storageMinTempC !== null &&
        next.storageMaxTempC !== null &&
        next.storageMinTempC > next.storageMaxTempC
      ) {
        throw new InvalidInputError("body/storageMinTempC must not be above body/storageMaxTempC");
      }
      deps.database.db.update(itemTypes).set(request.body).where(eq(itemTypes.code, code)).run();
      return deps.reference.listItemTypes().find((t) => t.code === code) as typeof current;
    },
  );
};

export default catalogueRoutes;
