// The Prisma client's types. The client itself is created with the process's pg pool in db.ts.
export type { PrismaClient } from '../generated/prisma/client';
export { Prisma } from '../generated/prisma/client';
