import type { Knex } from 'knex';

/** E-mail: opt-out and mail state per invitation, the outbox, the templates per wave and the development mailbox. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invitations', (t) => {
    t.boolean('opted_out').notNullable().defaultTo(false);
    // the invitation mail: none | queued | sent | bounced (a bounced reminder also sets bounced)
    t.string('mail_state', 16).notNullable().defaultTo('none');
  });

  // one row per message to send; the address, name and link are read or derived at send time, never stored here
  await knex.schema.createTable('outbox', (t) => {
    t.increments('id').primary();
    t.string('wave_id', 36).notNullable(); // no foreign key: the invitation's already ties the row to its wave
    t.string('invitation_id', 36).notNullable().references('id').inTable('invitations').onDelete('CASCADE');
    t.string('kind', 16).notNullable(); // invite | remind
    t.string('language', 2).notNullable(); // nl | en
    t.string('state', 16).notNullable(); // pending | sent | bounced | failed | cancelled
    // the invitation id while the row is pending, NULL afterwards: at most one pending message per person
    t.string('pending_key', 36).unique();
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_attempt_at', 30).notNullable();
    t.string('locked_until', 30); // the lease of the worker that claimed the row
    t.string('lease_token', 36); // which claim holds the lease
    t.string('last_error', 500); // SMTP code and text with addresses removed
    t.string('delivered_via', 16); // smtp | dev-mailbox
    t.string('created_at', 30).notNullable();
    t.string('sent_at', 30);
    t.index(['state', 'next_attempt_at', 'id']); // the claim's order: the LIMIT stops early instead of sorting
    t.index(['wave_id', 'state']);
    t.index(['invitation_id']);
  });

  await knex.schema.createTable('mail_templates', (t) => {
    t.string('wave_id', 36).notNullable().references('id').inTable('waves');
    t.string('kind', 16).notNullable(); // invite | remind
    t.string('language', 2).notNullable(); // nl | en
    t.string('subject', 200).notNullable();
    t.text('body').notNullable();
    t.string('updated_at', 30).notNullable();
    t.primary(['wave_id', 'kind', 'language']);
  });

  // without SMTP_URL: messages are kept here, NOT sent, and shown on the admin pages
  await knex.schema.createTable('dev_mailbox', (t) => {
    t.increments('id').primary();
    t.string('wave_id', 36).references('id').inTable('waves');
    t.string('invitation_id', 36).references('id').inTable('invitations').onDelete('CASCADE');
    t.string('recipient', 320).notNullable();
    t.string('subject', 400).notNullable();
    t.text('headers').notNullable(); // JSON object of the extra headers
    t.text('body').notNullable(); // the personal token is replaced by a marker and derived again for display
    t.string('created_at', 30).notNullable();
    t.index(['wave_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['dev_mailbox', 'mail_templates', 'outbox']) await knex.schema.dropTableIfExists(table);
  await knex.schema.alterTable('invitations', (t) => {
    t.dropColumn('mail_state');
    t.dropColumn('opted_out');
  });
}
