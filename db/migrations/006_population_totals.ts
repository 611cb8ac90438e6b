import type { Knex } from 'knex';

/**
 * Population totals per stratum, supplied by an administrator for weighting (the sample frame, the invitations, is
 * not the population when the wave is a sample): per wave, kept attribute and value, the number of people.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('population_totals', (t) => {
    t.string('wave_id', 36).notNullable().references('id').inTable('waves');
    t.string('attribute', 32).notNullable();
    t.string('value', 100).notNullable();
    t.integer('total').notNullable();
    t.primary(['wave_id', 'attribute', 'value']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('population_totals');
}
