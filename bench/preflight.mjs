// `pnpm bench` step 1: the benchmark runs the built API and worker and imports the built
// packages; it builds none of them itself. Plain JS so it runs before the bench compiles.
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const required = ["apps/api/dist/index.js", "apps/worker/dist/index.js"];
for (const dir of readdirSync(`${root}packages`)) {
  if (existsSync(`${root}packages/${dir}/package.json`)) required.push(`packages/${dir}/dist/index.js`);
}
const missing = required.filter((file) => !existsSync(`${root}${file}`));
if (missing.length > 0) {
  console.error(`bench: the build is missing (${missing.join(", ")}).`);
  console.error("bench: run `pnpm install && pnpm build` first, then `pnpm bench` again.");
  process.exit(1);
}
if (!existsSync(`${root}bench/node_modules/autocannon`)) {
  console.error("bench: its packages are not installed; run `pnpm install` first.");
  process.exit(1);
}
