/**
 * Writes a prepared dataset as CSV (RFC 4180, or the Dutch-Excel variant), .xlsx (data, labels and an info sheet)
 * or SPSS .sav (variable and value labels, missing codes, measurement levels, UTF-8).
 */
import { createCsvWriter } from './files/csv-writer';
import type { Column } from './files/dataset-spec';
import { ExportSummary, labelLines, PreparedDataset, summaryOf } from './dataset-export';
import { createSavWriter, SavVariable } from './files/sav/sav-writer';
import { XlsxWriter } from './files/xlsx-writer';

export const DATASET_FORMATS = ['csv', 'csv-nl', 'xlsx', 'sav'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export const CONTENT_TYPES: Record<DatasetFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  'csv-nl': 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  sav: 'application/x-spss-sav',
};
export const EXTENSIONS: Record<DatasetFormat, string> = { csv: 'csv', 'csv-nl': 'csv', xlsx: 'xlsx', sav: 'sav' };

export function savVariables(columns: Column[], lang: 'nl' | 'en'): SavVariable[] {
  return columns.map((c) => ({
    name: c.name,
    label: c.label[lang],
    type: c.type,
    width: c.type === 'string' ? c.width : undefined,
    measure: c.measure,
    valueLabels: c.valueLabels.map((v) => ({ value: v.value, label: v.label[lang] })),
    missing: c.missing.length ? c.missing : undefined,
  }));
}

async function writeCsv(p: PreparedDataset, out: NodeJS.WritableStream, dutchExcel: boolean): Promise<number> {
  const w = createCsvWriter(out, { dutchExcel });
  await w.writeRow(p.spec.columns.map((c) => c.name));
  const n = await pumpRows(p, (row) => w.writeRow(row));
  await w.end();
  return n;
}

async function writeSav(p: PreparedDataset, out: NodeJS.WritableStream): Promise<number> {
  const first = p.waves[0];
  const w = createSavWriter(out, savVariables(p.spec.columns, p.lang), {
    compress: true,
    fileLabel: p.waves.length > 1 ? `Trend ${p.spec.map.key}` : first.name,
  });
  const n = await pumpRows(p, (row) => w.writeRow(row));
  await w.end();
  return n;
}

/** Streams every dataset row into a writer, waiting only when it applies backpressure; returns the row count. */
async function pumpRows<R>(p: { rowsOf(): AsyncIterable<R> }, write: (row: R) => Promise<void> | void): Promise<number> {
  let n = 0;
  for await (const row of p.rowsOf()) {
    const wait = write(row);
    if (wait) await wait;
    n++;
  }
  return n;
}

/** Lines of the info sheet: what was exported and what disclosure control and scrubbing did. */
export function infoLines(p: PreparedDataset, rows: number): Array<[string, string | number]> {
  const d = p.plan.report;
  const lines: Array<[string, string | number]> = [
    ['questionnaire', p.spec.map.key],
    ['waves', p.waves.map((w) => `${w.name} (${w.id})`).join('; ')],
    ['rows', rows],
    ['k (disclosure control)', d.k],
    ['submitted_month released as', d.period],
  ];
  for (const a of d.attributes) {
    lines.push([`attribute ${a.name}`, `${a.rareValues} rare values recoded to "overig"; withheld in ${a.suppressedRows} rows${a.dropped ? '; withheld in every row' : ''}`]);
  }
  lines.push(['free-text cells with redactions', p.redactions.cells]);
  for (const [kind, n] of Object.entries(p.redactions.byKind)) lines.push([`redacted ${kind}`, n]);
  lines.push(['missing codes', 'not asked (routing) = -1, no answer = -2, not asked in this edition (trend file) = -3; text columns are empty in all three cases']);
  return lines;
}

async function writeXlsx(p: PreparedDataset, out: NodeJS.WritableStream): Promise<number> {
  const book = new XlsxWriter(out);
  const data = await book.sheet('data', { frozenHeader: true });
  await data.row(p.spec.columns.map((c) => c.name), { bold: true });
  const n = await pumpRows(p, (row) => data.row(row));
  await data.close();
  const labels = await book.sheet('labels', { frozenHeader: true });
  const lines = labelLines(p.spec.columns);
  for (let i = 0; i < lines.length; i++) await labels.row(lines[i], { bold: i === 0 });
  await labels.close();
  const info = await book.sheet('info');
  for (const line of infoLines(p, n)) await info.row(line);
  await info.close();
  await book.end();
  return n;
}

/** Streams the dataset in the format to `out` (which it ends); resolves with what was written. */
export async function writeDataset(p: PreparedDataset, format: DatasetFormat, out: NodeJS.WritableStream): Promise<ExportSummary> {
  let rows: number;
  if (format === 'csv' || format === 'csv-nl') rows = await writeCsv(p, out, format === 'csv-nl');
  else if (format === 'xlsx') rows = await writeXlsx(p, out);
  else rows = await writeSav(p, out);
  return summaryOf(p, rows);
}
