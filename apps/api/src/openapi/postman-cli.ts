/**
 * Writes the Postman collection generated from the OpenAPI document:
 *   pnpm --filter @llm-chat/api postman   (builds, writes, then formats it with Biome)
 * A test fails when the committed file differs from what this would write.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "./document.js";
import { postmanCollection } from "./postman.js";

// From dist/openapi/ (or src/openapi/) up to the repository root.
const target =
  process.argv[2] ??
  fileURLToPath(new URL("../../../../docs/postman/llm-chat.postman_collection.json", import.meta.url));
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(postmanCollection(openApiDocument()), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
