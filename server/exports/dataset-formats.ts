/**
 * Writes a prepared dataset as CSV (RFC 4180, or the Dutch-Excel variant), .xlsx (data, labels and an info sheet)
 * or SPSS .sav (variable and value labels, missing codes, measurement levels, UTF-8).
 */
import { createCsvWriter } from './files/csv-writer';
import { Cell, Column, MISSING_RANGE } from './files/dataset-spec';
import { ExportSummary, labelLines, PERIOD_LEVELS, PreparedDataset, summaryOf } from './dataset-export';
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

/** Seconds from SPSS's day zero (14 October 1582) to the first day of a released period ("2024-02", "2024-Q1", "2024"). */
export function spssDate(period: string): number | null {
  const m = /^(\d{4})(?:-(\d{2})|-Q([1-4]))?$/.exec(period);
  if (!m) return null;
  const month = m[2] ? Number(m[2]) - 1 : m[3] ? (Number(m[3]) - 1) * 3 : 0;
  return (Date.UTC(Number(m[1]), month, 1) - Date.UTC(1582, 9, 14)) / 1000;
}

/**
 * The .sav dictionary: every numeric column with missing codes declares the range 93 thru 99 missing (suppressed,
 * not in this edition, no answer, not asked, and the questionnaire's 97/98/99); the period is a date (MOYR, or QYR
 * for quarters, DATE for a year: its first day).
 */
export function savVariables(columns: Column[], lang: 'nl' | 'en', periodLevel = 0): SavVariable[] {
  return columns.map((c) => {
    if (c.savDate) {
      return {
        name: c.name,
        label: c.label[lang],
        type: 'numeric',
        measure: 'ordinal',
        dateFormat: (['MOYR', 'QYR', 'DATE', 'DATE'] as const)[periodLevel],
      };
    }
    return {
      name: c.name,
      label: c.label[lang],
      type: c.type,
      width: c.type === 'string' ? c.width : undefined,
      decimals: c.decimals,
      measure: c.measure,
      valueLabels: c.valueLabels.map((v) => ({ value: v.value, label: v.label[lang] })),
      missingRange: c.type === 'numeric' && c.missing.length ? (c.missingRange ?? MISSING_RANGE) : undefined,
    };
  });
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
  const w = createSavWriter(out, savVariables(p.spec.columns, p.lang, p.plan.levels[0]), {
    compress: true,
    fileLabel: `${p.report.interim ? 'VOORLOPIG: ' : ''}${p.waves.length > 1 ? `Trend ${p.spec.map.key}` : first.name}`,
    // the risk and utility report travels with the file (DISPLAY DOCUMENTS), long lines wrapped at 80 bytes
    documents: reportLines(p).flatMap(([k, v]) => wrap(`${k}: ${v}`, 76)),
  });
  const dates = p.spec.columns.map((c, i) => (c.savDate ? i : -1)).filter((i) => i >= 0);
  const n = await pumpRows(p, (row: Cell[]) => {
    for (const i of dates) row[i] = spssDate(String(row[i] ?? ''));
    return w.writeRow(row);
  });
  await w.end();
  return n;
}

/** Splits text into lines of at most `width` characters at spaces (continuation lines indented). */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = `  ${word}`;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/** Streams every dataset row into a writer, waiting only when it applies backpressure; returns the row count. */
async function pumpRows<R>(
  p: { rowsOf(): AsyncIterable<R> },
  write: (row: R) => Promise<void> | void,
): Promise<number> {
  let n = 0;
  for await (const row of p.rowsOf()) {
    const wait = write(row);
    if (wait) await wait;
    n++;
  }
  return n;
}

/** The risk and utility report as lines (the info sheet, the codebook's text): what disclosure control did. */
export function reportLines(p: PreparedDataset): Array<[string, string | number]> {
  const d = p.report.disclosure;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines: Array<[string, string | number]> = [
    [
      'release',
      p.report.interim
        ? 'INTERIM (voorlopig): made while the wave was open; a later release has other rows and other row ids'
        : 'final',
    ],
    ['k (disclosure control)', d.k],
    ['k achieved (smallest combination of quasi-identifiers)', d.kAchieved],
    ['quasi-identifiers', d.quasiIdentifiers.map((q) => q.name).join(', ')],
  ];
  for (const q of d.quasiIdentifiers) {
    const level = q.name === 'submitted_month' ? PERIOD_LEVELS[q.level] : q.recoding;
    lines.push([
      `${q.name}`,
      `recoding: ${level}${q.level > 0 ? ` (level ${q.level} of ${q.levels})` : ''}; suppressed cells: ${q.suppressedCells}`,
    ]);
  }
  lines.push(
    ['suppressed cells (code 93)', d.suppressedCells],
    ['rows with every quasi-identifier suppressed', d.fullySuppressedRows],
    ['sample-unique combinations before / after', `${d.before.sampleUniques} / ${d.after.sampleUniques}`],
    ['combinations below k before / after', `${d.before.keysBelowK} / ${d.after.keysBelowK}`],
    [
      'expected re-identifications (sum of individual risks, sdcMicro) before / after',
      `${d.before.expectedReidentifications.toFixed(2)} / ${d.after.expectedReidentifications.toFixed(2)}`,
    ],
    [
      'highest individual risk before / after',
      `${pct(d.before.maxIndividualRisk)} / ${pct(d.after.maxIndividualRisk)}`,
    ],
    ['rows with individual risk above 10% before / after', `${d.before.rowsAbove10pct} / ${d.after.rowsAbove10pct}`],
    [
      'sampling weight for population frequencies (population totals, else frame, / responses)',
      d.weights.map((w) => w.weight.toFixed(3)).join('; '),
    ],
  );
  for (const c of p.report.cuts)
    lines.push([
      `cut in .sav: ${c.column}`,
      `${c.rows} values longer than 32767 bytes (longest ${c.longestBytes}) end at 32767 bytes`,
    ]);
  return lines;
}

/** Lines of the info sheet: what was exported and what disclosure control and scrubbing did. */
export function infoLines(p: PreparedDataset, rows: number): Array<[string, string | number]> {
  const lines: Array<[string, string | number]> = [
    ['questionnaire', p.spec.map.key],
    ['waves', p.waves.map((w) => `${w.name} (${w.id})`).join('; ')],
    ['rows', rows],
    ...reportLines(p),
  ];
  lines.push(['free-text cells with redactions', p.redactions.cells]);
  for (const [kind, n] of Object.entries(p.redactions.byKind)) lines.push([`redacted ${kind}`, n]);
  lines.push([
    'missing codes',
    '93 = suppressed (disclosure control), 94 = not asked in this edition (trend file), 95 = no answer, 96 = not asked (routing); 97/98/99 as in the questionnaire; all seven are missing (SPSS range 93 thru 99); a number question whose answers may be 93 to 99 has them negated (-94, -95, -96; range -99 thru -93); text columns are empty when not asked or not answered',
  ]);
  lines.push([
    'response_id',
    'a fresh random id per download, rows in a fresh random order: ids do not link two downloads',
  ]);
  return lines;
}

async function writeXlsx(p: PreparedDataset, out: NodeJS.WritableStream): Promise<number> {
  const book = new XlsxWriter(out);
  const data = await book.sheet('data', { frozenHeader: true });
  await data.row(
    p.spec.columns.map((c) => c.name),
    { bold: true },
  );
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
export async function writeDataset(
  p: PreparedDataset,
  format: DatasetFormat,
  out: NodeJS.WritableStream,
): Promise<ExportSummary> {
  let rows: number;
  if (format === 'csv' || format === 'csv-nl') rows = await writeCsv(p, out, format === 'csv-nl');
  else if (format === 'xlsx') rows = await writeXlsx(p, out);
  else rows = await writeSav(p, out);
  return summaryOf(p, rows);
}
