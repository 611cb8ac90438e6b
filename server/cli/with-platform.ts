import { loadConfig } from '../shared/config';
import { openPlatform, Platform } from '../platform';

/** Opens the platform (database migrated, questionnaires registered) for one command and closes it afterwards. */
export async function withPlatform<T>(work: (p: Platform) => Promise<T>): Promise<T> {
  const platform = await openPlatform(loadConfig());
  try {
    return await work(platform);
  } finally {
    await platform.close();
  }
}
