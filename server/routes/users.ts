import { Type } from "@sinclair/typebox";
import { NotFoundError } from "../errors.ts";
import type { ApiPlugin } from "./deps.ts";
import { errorResponses, SiteCode } from "./schemas.ts";

const Role = Type.Union([
  Type.Literal("admin"),
  Type.Literal("commander"),
  Type.Literal("keeper"),
  Type.Literal("viewer"),
]);

const Username = Type.String({ minLength: 2, maxLength: 64, pattern: "^[a-z0-9][a-z0-9._-]{1,63}$" });

const User = Type.Object({
  username: Type.String(),
  role: Role,
  sites: Type.Array(Type.String(), { description: "keepers: the sites they keep" }),
  disabled: Type.Boolean(),
});

const Issued = Type.Object({
  username: Type.String(),
  password: Type.String({ description: "generated; shown this once" }),
});

/** User accounts, for admins (see security/policy.ts). Passwords are generated and shown once. */
const usersRoutes: ApiPlugin = async (app, { deps }) => {
  const userJson = (username: string) => {
    const user = deps.users.get(username);
    if (!user) throw new NotFoundError(`user "${username}" does not exist`);
    return { username: user.username, role: user.role, sites: user.sites, disabled: user.disabled };
  };

  app.get(
    "/users",
    {
      schema: {
        tags: ["auth"],
        summary: "User accounts with their roles and sites",
        response: { 200: Type.Array(User) },
      },
    },
    async () =>
      deps.users
        .list()
        .map((u) => ({ username: u.username, role: u.role, sites: u.sites, disabled: u.disabled })),
  );

  app.post(
    "/users",
    {
      schema: {
        tags: ["auth"],
        summary: "Create a user; the generated password is in the answer, once",
        body: Type.Object(
          {
            username: Username,
            role: Role,
            sites: Type.Array(SiteCode, {
              default: [],
              maxItems: 500,
              description: "required for keepers only",
            }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Issued, ...errorResponses, 409: Type.Ref("ErrorReply") },
      },
    },
    async (request, reply) => {
      const { username, role, sites } = request.body;
      const issued = await deps.users.add(username, role, sites);
      return reply.code(201).header("cache-control", "no-store").send(issued);
    },
  );

  app.post(
    "/users/:username/password",
    {
      schema: {
        tags: ["auth"],
        summary: "Give a user a new generated password (shown once); their sessions end",
        params: Type.Object({ username: Username }),
        response: { 200: Issued, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { username } = request.params;
      const password = await deps.users.resetPassword(username);
      return reply.header("cache-control", "no-store").send({ username, password });
    },
  );

  app.patch(
    "/users/:username",
    {
      schema: {
        tags: ["auth"],
        summary: "Disable a user (their sessions end at once) or enable them again",
        params: Type.Object({ username: Username }),
        body: Type.Object({ disabled: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: User, ...errorResponses },
      },
    },
    async (request) => {
      const { username } = request.params;
      deps.users.setDisabled(username, request.body.disabled);
      return userJson(username);
    },
  );
};

export default usersRoutes;
