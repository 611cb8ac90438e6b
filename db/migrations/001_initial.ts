import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('questionnaire_versions', (t) => {
    t.string('id', 200).primary(); // key@version
    t.string('key', 100).notNullable();
    t.string('version', 50).notNullable();
    t.string('sha256', 64).notNullable();
    t.integer('edition');
    t.string('population', 100).notNullable();
    t.string('title_nl', 500).notNullable();
    t.string('title_en', 500).notNullable();
    t.text('definition').notNullable();
    t.string('registered_at', 30).notNullable();
    t.unique(['key', 'version']);
  });

  await knex.schema.createTable('waves', (t) => {
    t.string('id', 36).primary();
    t.string('name', 200).notNullable();
    t.string('questionnaire_id', 200).notNullable().references('id').inTable('questionnaire_versions');
    t.string('opens_on', 10).notNullable(); // YYYY-MM-DD, first day the links work
    t.string('closes_on', 10).notNullable(); // YYYY-MM-DD, last day the links work
    t.text('kept_attributes').notNullable(); // JSON array of attribute names kept with answers
    t.boolean('is_demo').notNullable().defaultTo(false);
    t.string('closed_at', 30); // set when an administrator closes the wave early
    t.string('created_at', 30).notNullable();
  });

  await knex.schema.createTable('invitations', (t) => {
    t.string('id', 36).primary();
    t.string('wave_id', 36).notNullable().references('id').inTable('waves');
    t.string('token_hash', 64).unique(); // SHA-256 of the personal token; the token itself is never stored
    t.string('email', 320);
    t.string('name', 200);
    t.string('organisation', 200);
    t.text('attributes').notNullable(); // JSON object of sample attributes
    t.string('language', 2).notNullable().defaultTo('nl');
    // invited | started | completed — the completion mark carries no time at all
    t.string('status', 16).notNullable().defaultTo('invited');
    t.boolean('is_test').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.index(['wave_id', 'status']);
  });

  await knex.schema.createTable('progress', (t) => {
    t.string('invitation_id', 36).primary().references('id').inTable('invitations').onDelete('CASCADE');
    t.text('answers').notNullable();
    t.integer('page_no').notNullable().defaultTo(0);
    t.string('locale', 2).notNullable();
    t.integer('revision').notNullable().defaultTo(0);
  });

  const responses = (t: Knex.CreateTableBuilder) => {
    t.string('id', 36).primary(); // random UUID: no sequence that mirrors the order of completion
    t.string('wave_id', 36).notNullable().references('id').inTable('waves');
    t.string('questionnaire_id', 200).notNullable().references('id').inTable('questionnaire_versions');
    t.text('attributes').notNullable(); // only the wave's kept attributes
    t.text('answers').notNullable();
    t.string('locale', 2).notNullable();
    t.string('submitted_on', 10).notNullable(); // YYYY-MM-DD: day precision at most
    t.boolean('is_test').notNullable().defaultTo(false);
    t.index(['wave_id']);
  };
  if (knex.client.config.client === 'pg') {
    await knex.schema.createTable('responses', responses);
  } else {
    // SQLite: a WITHOUT ROWID table is stored in the order of its random primary key, so neither a hidden rowid nor
    // the physical row order reveals the order of completion. The schema builder has no such option, so the builder's
    // own SQL gets the clause appended.
    const sql = knex.schema.createTable('responses', responses).toSQL();
    await knex.raw(`${sql[0].sql} WITHOUT ROWID`);
    for (const stmt of sql.slice(1)) await knex.raw(stmt.sql);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['responses', 'progress', 'invitations', 'waves', 'questionnaire_versions']) {
    await knex.schema.dropTableIfExists(table);
  }
}
