import type { Db } from './data/connection';
import { databaseAnswers } from './data/health';

export interface Health {
  status: 'ok' | 'unavailable';
  database: 'up' | 'down';
}

/** What /healthz reports: the process runs, and whether the database answers. */
export async function health(db: Db): Promise<Health> {
  return (await databaseAnswers(db)) ? { status: 'ok', database: 'up' } : { status: 'unavailable', database: 'down' };
}
