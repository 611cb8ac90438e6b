import type { MailDeps } from './mail/mail-transport';
import type { QuestionnaireRegistry } from './questionnaires/registry';
import type { Clock } from './shared/calendar';
import type { Config } from './shared/config';
import type { Db } from './shared/data/connection';

/** What the web layer is built from (createApp): every router gets these and hands the database to services. */
export interface AppDeps {
  db: Db;
  registry: QuestionnaireRegistry;
  config: Pick<Config, 'publicUrl' | 'logRequests'> &
    Partial<Pick<Config, 'trustProxy' | 'disclosureK' | 'reminderMinIntervalDays'>>;
  clock: Clock;
  log: (line: string) => void;
  /** e-mail for the admin pages' test sends; default: the development mailbox */
  mail?: MailDeps;
}
