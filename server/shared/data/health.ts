import type { Db } from './connection';

/** One round trip to the database: true when it answers. */
export async function databaseAnswers(db: Db): Promise<boolean> {
  try {
    await db.raw('select 1');
    return true;
  } catch {
    return false;
  }
}
