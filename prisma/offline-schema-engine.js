#!/usr/bin/env node
// Stand-in for Prisma's native schema engine, which the CLI downloads from a CDN
// that is unreachable offline. `prisma generate` only checks that a binary exists.
// Schema-changing commands are refused loudly instead of "succeeding" silently:
// igentai applies prisma/migrations/*/migration.sql itself (npm run db:migrate).
process.stderr.write(
  "igentai: the Prisma schema engine is not available offline.\n" + "Migrations are applied by the app at start, or with `npm run db:migrate`.\n",
);
process.exit(1);
