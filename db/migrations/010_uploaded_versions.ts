import type { Knex } from 'knex';

/**
 * Questionnaire versions uploaded by an administrator (web or `questionnaire add`) live in the database only, so
 * every app process can serve them: `source` keeps the version file's exact text (its SHA-256 is `sha256`), `origin`
 * says where a version came from, `uploaded_by` who brought it. Versions from files keep `source` empty: their text
 * is the file. `questionnaire_variable_statuses` holds the variable-map statuses an administrator confirmed for a
 * version against the previous one (same, reworded, new, dropped), one row per version, replaced on a new confirmation.
 * Outside a transaction, like 005 and 008: on SQLite knex alters a table by copying it.
 */
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('questionnaire_versions', (t) => {
    t.text('source');
    t.string('origin', 10).notNullable().defaultTo('file');
    t.string('uploaded_by', 320);
  });
  await knex.schema.createTable('questionnaire_variable_statuses', (t) => {
    t.string('version_id', 200).primary().references('id').inTable('questionnaire_versions');
    t.string('previous_id', 200);
    t.text('statuses').notNullable(); // JSON: [{ variable, status, continues? }]
    t.string('confirmed_by', 320).notNullable();
    t.string('confirmed_at', 30).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('questionnaire_variable_statuses');
  await knex.schema.alterTable('questionnaire_versions', (t) => {
    t.dropColumn('uploaded_by');
    t.dropColumn('origin');
    t.dropColumn('source');
  });
}
