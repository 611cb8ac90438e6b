import type { Db } from '../../shared/data/connection';
import type { Writer } from '../../shared/data/group-commit';

export interface ResponseRow {
  id: string;
  wave_id: string;
  questionnaire_id: string;
  attributes: string;
  answers: string;
  locale: string;
  submitted_on: string;
  is_test: boolean | number;
}

export async function insertResponse(w: Writer, row: ResponseRow): Promise<void> {
  await w.run(
    'insert into responses (id, wave_id, questionnaire_id, attributes, answers, locale, submitted_on, is_test) values (?, ?, ?, ?, ?, ?, ?, ?)',
    [row.id, row.wave_id, row.questionnaire_id, row.attributes, row.answers, row.locale, row.submitted_on, Boolean(row.is_test)],
  );
}

/** Responses of a wave in the order of their random id, which says nothing about the order of completion. */
export async function listResponses(db: Db, waveId: string): Promise<ResponseRow[]> {
  return db<ResponseRow>('responses').where({ wave_id: waveId }).orderBy('id');
}

export async function countResponses(db: Db, waveId: string): Promise<number> {
  const row = await db('responses').where({ wave_id: waveId }).count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/* ---- exports: completed real responses, read in pages so that no dataset is ever held in memory ---- */

/** Responses per submission month and attribute set (the JSON text as stored): read from an index alone. */
export async function countByMonthAndAttributes(db: Db, waveId: string): Promise<Array<{ month: string; attributes: string; n: number }>> {
  const rows: Array<{ month: string; attributes: string; n: number | string }> = await db('responses')
    .where({ wave_id: waveId, is_test: false })
    .select(db.raw('substr(submitted_on, 1, 7) as month'), 'attributes')
    .count({ n: '*' })
    .groupByRaw('substr(submitted_on, 1, 7), attributes');
  return rows.map((r) => ({ month: r.month, attributes: r.attributes, n: Number(r.n) }));
}

export type ExportResponseRow = Pick<ResponseRow, 'id' | 'wave_id' | 'questionnaire_id' | 'attributes' | 'answers' | 'submitted_on' | 'locale'>;
const EXPORT_COLUMNS = ['id', 'wave_id', 'questionnaire_id', 'attributes', 'answers', 'submitted_on', 'locale'];

/**
 * Real responses of the wave with these ids, in any order (the caller orders them). Only the primary key is in the
 * WHERE clause, so SQLite looks each id up instead of scanning the wave's index; wave and test flag are checked here.
 */
export async function responsesByIds(db: Db, waveId: string, ids: string[]): Promise<ExportResponseRow[]> {
  const rows = (await db('responses').whereIn('id', ids).select([...EXPORT_COLUMNS, 'is_test'])) as Array<ExportResponseRow & { is_test: boolean | number }>;
  return rows.filter((r) => r.wave_id === waveId && !r.is_test);
}

/** The wave's real (non-test) responses in pages, in the order of their random id (keyset paging on (wave_id, id)). */
export async function* responsePages(db: Db, waveId: string, pageSize = 2000): AsyncGenerator<ExportResponseRow[]> {
  const select = EXPORT_COLUMNS;
  let after = '';
  for (;;) {
    const page = await db('responses').where({ wave_id: waveId, is_test: false }).andWhere('id', '>', after).orderBy('id').limit(pageSize).select(select);
    if (page.length === 0) return;
    yield page as ExportResponseRow[];
    if (page.length < pageSize) return;
    after = page[page.length - 1].id;
  }
}

/** Completed real (non-test) responses of a wave. */
export async function countRealResponses(db: Db, waveId: string): Promise<number> {
  const row = await db('responses').where({ wave_id: waveId, is_test: false }).count<{ n: number | string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
