import { Type } from "@sinclair/typebox";
import { NotFoundError } from "../errors.ts";
import { readRegionOutline } from "../services/region.ts";
import type { ApiPlugin } from "./deps.ts";
import { Nullable } from "./schemas.ts";

const mapRoutes: ApiPlugin = async (app, { deps }) => {
  app.get(
    "/map-config",
    {
      schema: {
        tags: ["map"],
        summary: "What the map draws under the sites",
        response: {
          200: Type.Object({
            tileLayer: Nullable(Type.Object({ url: Type.String(), attribution: Type.String() })),
            demo: Type.Boolean({ description: "the database holds the generated demo network" }),
            demoNotice: Nullable(Type.String()),
            timeZone: Type.String({
              description: "TIME_ZONE: the IANA zone whose calendar days are the depots' days",
            }),
          }),
        },
      },
    },
    async () => {
      const demoNotice = deps.reference.demoNotice();
      return {
        tileLayer: deps.config.tileLayer,
        demo: demoNotice !== null,
        demoNotice,
        timeZone: deps.config.timeZone,
      };
    },
  );

  app.get(
    "/region",
    {
      schema: {
        tags: ["map"],
        summary: "The region outline (GeoJSON Feature); the demo's is approximate",
      },
    },
    async (_request, reply) => {
      const outline = await readRegionOutline(deps.config.regionGeojson);
      if (!outline) throw new NotFoundError("no region outline is configured (set REGION_GEOJSON)");
      reply.type("application/geo+json");
      return JSON.stringify(outline);
    },
  );
};

export default mapRoutes;
