import type { Knex } from 'knex';

/**
 * Unknown personal links looked up, per client address (the link throttle), in a table of their own: they were
 * counted in sign_in_failures under a "link-miss:" key, beside the sign-in counters they have nothing to do with.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('link_misses', (t) => {
    t.increments('id').primary();
    t.string('throttle_key', 100).notNullable(); // link-miss:<client address>
    t.string('missed_at', 30).notNullable();
    t.index(['throttle_key', 'missed_at']);
    t.index(['missed_at']);
  });
  await knex.raw(
    "insert into link_misses (throttle_key, missed_at) select throttle_key, failed_at from sign_in_failures where throttle_key like 'link-miss:%'",
  );
  await knex('sign_in_failures').where('throttle_key', 'like', 'link-miss:%').delete();
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'insert into sign_in_failures (throttle_key, failed_at) select throttle_key, missed_at from link_misses',
  );
  await knex.schema.dropTable('link_misses');
}
