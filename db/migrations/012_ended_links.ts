import type { Knex } from 'knex';

/**
 * When a wave is purged its invitations go, and with them every way to tell its links from links that never
 * existed. A finished respondent who opens their link again should read that the survey has ended, not that they
 * copied it wrongly. So purge leaves one filter per wave: a Bloom filter of keyed fingerprints of the wave's
 * current links (HMAC with TOKEN_SECRET). It holds no row per person, no token hash, nothing that can be listed or
 * joined to a response; it only answers "probably one of this wave's links" for a link someone already holds.
 */
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('ended_links', (t) => {
    t.string('wave_id', 36).primary().references('id').inTable('waves');
    t.integer('bits').notNullable();
    t.integer('hashes').notNullable();
    t.binary('filter').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ended_links');
}
