import type { Knex } from 'knex';

/** Accounts and sessions, the sign-in throttle, the audit log, pending sample imports and the counts kept after a purge. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.string('id', 36).primary();
    t.string('email', 320).notNullable().unique(); // stored in lower case
    t.string('role', 16).notNullable(); // admin | analyst
    t.string('password_hash', 255).notNullable(); // scrypt$N$r$p$salt$hash
    t.string('created_at', 30).notNullable();
  });

  await knex.schema.createTable('sessions', (t) => {
    t.string('id_hash', 64).primary(); // SHA-256 of the session id; the id itself is only in the browser's cookie
    t.string('user_id', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('created_at', 30).notNullable(); // absolute limit counts from here
    t.string('last_seen_at', 30).notNullable(); // idle timeout counts from here
    t.index(['last_seen_at']);
  });

  // one row per failed sign-in, counted over a sliding window per client address and per account
  await knex.schema.createTable('sign_in_failures', (t) => {
    t.increments('id').primary();
    t.string('throttle_key', 100).notNullable(); // address:<ip> | account:<sha256 of the lower-case e-mail>
    t.string('failed_at', 30).notNullable();
    t.index(['throttle_key', 'failed_at']);
    t.index(['failed_at']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.increments('id').primary();
    t.string('occurred_at', 30).notNullable();
    t.string('actor', 320).notNullable();
    t.string('action', 64).notNullable();
    t.string('wave_id', 36); // no foreign key: the log outlives whatever it mentions
    t.text('detail').notNullable();
    t.index(['wave_id']);
  });

  // an uploaded sample between its preview and its confirmation (several app processes: not kept in memory)
  await knex.schema.createTable('pending_imports', (t) => {
    t.string('id', 36).primary();
    t.string('wave_id', 36).notNullable().references('id').inTable('waves');
    t.string('created_by', 36).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('created_at', 30).notNullable();
    t.string('file_name', 255).notNullable();
    t.integer('row_count').notNullable();
    t.text('summary').notNullable(); // JSON: counts per attribute value
    t.text('invitees').notNullable(); // JSON: the checked rows, contact data included
    t.index(['wave_id']);
  });

  // what a purged wave keeps of its sample: counts only, overall (attribute '') and per kept attribute value
  await knex.schema.createTable('wave_final_counts', (t) => {
    t.string('wave_id', 36).notNullable().references('id').inTable('waves');
    t.string('attribute', 32).notNullable();
    t.string('value', 200).notNullable(); // '' = no value
    t.integer('invited').notNullable();
    t.integer('queued').notNullable();
    t.integer('sent').notNullable();
    t.integer('bounced').notNullable();
    t.integer('opted_out').notNullable();
    t.integer('started').notNullable();
    t.integer('completed').notNullable();
    t.primary(['wave_id', 'attribute', 'value']);
  });

  await knex.schema.alterTable('waves', (t) => {
    t.string('purged_at', 30); // contact data and tokens deleted; only wave_final_counts remain of the sample
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('waves', (t) => t.dropColumn('purged_at'));
  for (const table of ['wave_final_counts', 'pending_imports', 'audit_log', 'sign_in_failures', 'sessions', 'users']) {
    await knex.schema.dropTableIfExists(table);
  }
}
