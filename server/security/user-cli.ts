/**
 * `npm run user -- add <username> --role admin|commander|keeper|viewer [--sites NX-K01,NX-K02]`
 * creates a user and prints a generated password once; `npm run user -- passwd <username>` gives a
 * new one (and ends the user's sessions); `disable <username>` / `enable <username>`; `list`.
 * Works on DATA_DIR's database whether or not the platform is running.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { USER_ROLES, type UserRole } from "../db/schema.ts";
import { DomainError } from "../errors.ts";
import { AuditLog, recordCliChange } from "./audit-log.ts";
import { UserService } from "./users.ts";

const usage =
  "usage: npm run user -- add <username> --role <admin|commander|keeper|viewer> [--sites A,B]\n" +
  "       npm run user -- passwd <username> | disable <username> | enable <username> | list";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { role: { type: "string" }, sites: { type: "string" } },
});
const [command, username] = positionals;
if (!command || (command !== "list" && !username)) {
  console.error(usage);
  process.exit(2);
}

const config = loadConfig();
const database = openDatabase(config.dataDir);
const users = new UserService(database, { sessionTtlMinutes: config.sessionTtlMinutes });
const audit = new AuditLog(database);
try {
  const name = username as string;
  switch (command) {
    case "add": {
      const role = values.role as UserRole | undefined;
      if (!role || !USER_ROLES.includes(role)) {
        console.error(`--role must be one of ${USER_ROLES.join(", ")}\n${usage}`);
        process.exitCode = 2;
        break;
      }
      const sites = values.sites
        ? values.sites
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : [];
      const { password } = await users.add(name, role, sites);
      recordCliChange(audit, {
        command: "npm run user add",
        target: name,
        ok: true,
        detail: { role, sites },
      });
      console.log(JSON.stringify({ username: name, role, sites, password }));
      console.error("The password is shown only this once.");
      break;
    }
    case "passwd": {
      const password = await users.resetPassword(name);
      recordCliChange(audit, { command: "npm run user passwd", target: name, ok: true });
      console.log(JSON.stringify({ username: name, password }));
      console.error("The password is shown only this once; the user's sessions have ended.");
      break;
    }
    case "disable":
    case "enable":
      users.setDisabled(name, command === "disable");
      recordCliChange(audit, { command: `npm run user ${command}`, target: name, ok: true });
      console.log(`${name} ${command}d`);
      break;
    case "list":
      for (const u of users.list()) {
        console.log(
          JSON.stringify({ username: u.username, role: u.role, sites: u.sites, disabled: u.disabled }),
        );
      }
      break;
    default:
      console.error(usage);
      process.exitCode = 2;
  }
} catch (error) {
  if (!(error instanceof DomainError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
} finally {
  database.close();
}
