import type { Knex } from 'knex';

/**
 * Accounts can be disabled: `disabled_at` is set (an ISO time) while an account may not sign in.
 * Run outside a transaction: on SQLite, knex drops a column (in `down`) by copying the table, and only outside a
 * transaction can it switch off foreign keys for that, so that dropping the old `users` table does not cascade to
 * the sessions, API tokens and pending imports that refer to it.
 */
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('disabled_at', 30); // null: the account may sign in
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => t.dropColumn('disabled_at'));
}
