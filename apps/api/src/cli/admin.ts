import { loadEnvOrExit } from "@llm-chat/runtime";
import { openStore } from "@llm-chat/store";

/**
 * The only way, besides ADMIN_EMAILS, to make a user an admin (the API cannot):
 *   node apps/api/dist/cli/admin.js grant|revoke <email>
 * It reads the same environment (and .env through the npm script) as the API.
 */
const [command, rawEmail] = process.argv.slice(2);
if ((command !== "grant" && command !== "revoke") || !rawEmail) {
  process.stderr.write("usage: admin grant|revoke <email>\n");
  process.exit(2);
}
const env = loadEnvOrExit(process.env, "admin");
const store = await openStore(env.MONGO_URL, "llm-chat-admin-cli");
try {
  const email = rawEmail.trim().toLowerCase();
  const found = await store.users.setAdmin(email, command === "grant");
  if (!found) {
    process.stderr.write(`admin: no user with email ${email}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`admin: ${email} ${command === "grant" ? "is now" : "is no longer"} an admin\n`);
  }
} finally {
  await store.close();
}
