import { createTestDatabase } from '@monsteros/schema/testing';

console.log('a');
const db = await createTestDatabase({ label: 'flows_dbg' });
console.log('b', db.url);
await db.drop();
console.log('c');
