import type { Knex } from 'knex';

/**
 * A one-time message per session ("Queued 300 invitation mails …"), shown on the next page and then cleared. It used
 * to travel in the query string (?notice=…), so any link could make an admin page show any text as a success message.
 * Outside a transaction, like 005: on SQLite knex drops a column by copying the table.
 */
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.text('flash');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => t.dropColumn('flash'));
}
