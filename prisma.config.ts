import path from "node:path";
import { defineConfig } from "prisma/config";

// The CLI checks for its native schema engine before reading the schema and would try
// to download it (no network here). Point it at a stand-in unless the user has a real one.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(__dirname, "prisma", "offline-schema-engine.js");

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
});
