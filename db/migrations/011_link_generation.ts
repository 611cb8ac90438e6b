import type { Knex } from 'knex';

/**
 * A person's link can be replaced (a lost or forwarded link): the token is derived from TOKEN_SECRET, the invitation
 * id and this generation, so raising it makes a new link and the old one stops working. 0 is the first link, derived
 * as before (existing links stay valid).
 */
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invitations', (t) => {
    t.integer('link_generation').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('invitations', (t) => t.dropColumn('link_generation'));
}
