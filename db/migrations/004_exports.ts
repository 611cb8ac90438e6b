import type { Knex } from 'knex';

/** Exports: the analysts' API tokens, and an index that lets an export plan its disclosure control from the index alone. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_tokens', (t) => {
    t.string('id', 36).primary();
    t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('name', 100).notNullable();
    t.string('token_hash', 64).notNullable().unique(); // SHA-256 of the token; the token is shown once and never stored
    t.string('created_at', 30).notNullable();
    t.string('last_used_at', 30);
    t.string('revoked_at', 30);
    t.index(['user_id']);
  });
  // covering index of the exports' first pass (counts per submission month and kept attributes, per wave)
  await knex.schema.alterTable('responses', (t) => {
    t.index(['wave_id', 'is_test', 'submitted_on', 'attributes'], 'responses_export_plan_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('responses', (t) =>
    t.dropIndex(['wave_id', 'is_test', 'submitted_on', 'attributes'], 'responses_export_plan_index'),
  );
  await knex.schema.dropTableIfExists('api_tokens');
}
