import type { Knex } from 'knex';

/**
 * What respondents see of a wave besides the questionnaire, so the pages and mails do not look like phishing to a
 * public official: the commissioning organisation (name, logo), a contact address, the wave's own additions to the
 * privacy statement and the help resources on the thank-you page. One row per wave, none until an administrator sets
 * them. Nothing personal: a purge keeps it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wave_pages', (t) => {
    t.string('wave_id', 36).primary().references('waves.id').onDelete('CASCADE');
    t.string('organisation', 200).notNullable().defaultTo('');
    t.string('contact_email', 254).notNullable().defaultTo('');
    t.text('privacy_nl').notNullable().defaultTo('');
    t.text('privacy_en').notNullable().defaultTo('');
    t.text('help_nl').notNullable().defaultTo('');
    t.text('help_en').notNullable().defaultTo('');
    // a PNG or JPEG of at most 200 kB, base64 (the same column type on SQLite and PostgreSQL), and its type
    t.text('logo');
    t.string('logo_type', 20);
    t.string('logo_hash', 16);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wave_pages');
}
