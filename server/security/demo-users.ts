import type { UserRole } from "../db/schema.ts";
import type { UserSecrets } from "./demo-credentials.ts";
import type { UserService } from "./users.ts";

/** The demo's people: one of each role, and two keepers with their own sites. */
export const DEMO_USERS: ReadonlyArray<{ username: string; role: UserRole; sites: string[] }> = [
  { username: "admin", role: "admin", sites: [] },
  { username: "commander", role: "commander", sites: [] },
  { username: "viewer", role: "viewer", sites: [] },
  { username: "keeper-b01", role: "keeper", sites: ["NX-B01", "NX-K01"] },
  { username: "keeper-c02", role: "keeper", sites: ["NX-C02"] },
];

/** Creates the demo users with generated passwords (full scrypt cost: there are only five). */
export async function createDemoUsers(users: UserService): Promise<UserSecrets> {
  const created: UserSecrets = {};
  for (const u of DEMO_USERS) {
    const { password } = await users.add(u.username, u.role, u.sites);
    created[u.username] = { password, role: u.role, sites: u.sites };
  }
  return created;
}
