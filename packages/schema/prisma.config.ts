// Prisma CLI configuration (`prisma generate`, `prisma studio`). Migrations are applied by
// our offline tool (src/migrate), which reads the same schema and migrations folder.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/monsteros' },
});
