/** Generated sample files (CSV) for the upload fuzz suite: valid ones with what must be stored, and broken ones. */
import fc from 'fast-check';

export interface Person {
  email: string;
  name: string | null;
  organisation: string | null;
  language: string;
  attributes: Record<string, string>;
}
export interface SampleFile {
  header: string;
  /** the data rows, as the fields are written (quoted where needed) */
  rows: string[][];
  /** a blank line (skipped by the reader) before the row */
  blankBefore: boolean[];
  separator: string;
  /** the line ends, used in turn */
  newlines: string[];
  bom: boolean;
  /** what must be stored for each row */
  people: Person[];
  /** canonical column names, in file order */
  columns: string[];
}

// what the import refuses in a value (line breaks, controls, bidi overrides, BOM): a valid file has none of these
const REFUSED = /[\n\r\u2028\u2029\u0085\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/;
const HEADERS: Record<string, string[]> = {
  email: ['email', 'E-mail', 'emailadres', ' E-MAILADRES '],
  name: ['name', 'naam', 'Naam'],
  organisation: ['organisation', 'organization', 'Organisatie'],
  language: ['language', 'taal'],
  tier: ['tier', 'Tier'],
  role: ['role'],
  province: ['province', 'PROVINCE'],
  functie: ['functie'],
};
const TIERS = ['gemeente', 'provincie', 'waterschap', 'rijk'];
const PROVINCES: Array<[string, string]> = [
  ['Utrecht', 'Utrecht'],
  ['fryslân', 'Fryslân'],
  ['friesland', 'Fryslân'],
  ['NOORD-HOLLAND', 'Noord-Holland'],
];

/** Free text as people type it: unicode, markup, quotes, separators, formula-looking cells, spaces around it. */
const freeText = fc
  .oneof(
    fc.constantFrom(
      '',
      '  ',
      '=SUM(A1:A2)',
      '+31 6 1234',
      '-1',
      '@home',
      '<b>vet</b>',
      'Jan "de" Vries',
      'a,b;c',
      'Fryslân',
      '👩‍🌾 boer',
      ' spatie ',
    ),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
  )
  .filter((s) => !REFUSED.test(s));
const cased = (s: string) => fc.constantFrom(s, s.toUpperCase(), s[0].toUpperCase() + s.slice(1));

/** One column's cell: what is written, and what must be stored ('' = nothing). */
function cell(column: string): fc.Arbitrary<[string, string]> {
  switch (column) {
    case 'language':
      return fc.constantFrom<[string, string]>(['', 'nl'], ['nl', 'nl'], ['EN', 'en'], [' en ', 'en']);
    case 'tier':
      return fc.oneof(
        fc.constant<[string, string]>(['', '']),
        fc.constantFrom(...TIERS).chain((v) => cased(v).map((w): [string, string] => [w, v])),
      );
    case 'province':
      return fc.constantFrom<[string, string]>(['', ''], ...PROVINCES);
    default:
      return freeText.map((v): [string, string] => [v, v.trim()]);
  }
}

/** A field as CSV: quoted when it must be (or at random), with "" for a quote. */
function field(value: string, quote: boolean): string {
  return quote || /[",;\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes the file; the line (1-based) each row starts on. Rows are lists of fields as written. */
export function render(f: SampleFile, rows = f.rows): { text: string; rowLines: number[] } {
  const lines = [f.header];
  const rowLines: number[] = [];
  rows.forEach((cells, i) => {
    if (f.blankBefore[i]) lines.push('');
    rowLines.push(lines.length + 1);
    lines.push(cells.join(f.separator));
  });
  const nl = (i: number) => f.newlines[i % f.newlines.length];
  return { text: (f.bom ? '\ufeff' : '') + lines.map((l, i) => l + nl(i)).join(''), rowLines };
}

/** A valid sample file: 1–12 people, some columns in some spelling, `,` or `;`, LF/CRLF mixed, BOM, blank lines. */
export const validFile: fc.Arbitrary<SampleFile> = fc
  .record({
    extra: fc.subarray(['name', 'organisation', 'language', 'tier', 'role', 'province', 'functie']),
    order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    spelling: fc.array(fc.nat(3), { minLength: 8, maxLength: 8 }),
    separator: fc.constantFrom(',', ';'),
    newlines: fc.array(fc.constantFrom('\n', '\r\n'), { minLength: 1, maxLength: 3 }),
    bom: fc.boolean(),
    n: fc.integer({ min: 1, max: 12 }),
    emailCase: fc.boolean(),
  })
  .chain((f) => {
    const columns = ['email', ...f.extra]
      .map((c, i) => [c, f.order[i]] as const)
      .sort((a, b) => a[1] - b[1])
      .map(([c]) => c);
    const row = fc.tuple(
      fc.tuple(...columns.map((c) => (c === 'email' ? fc.constant<[string, string]>(['', '']) : cell(c)))),
      fc.array(fc.boolean(), { minLength: columns.length, maxLength: columns.length }),
      fc.boolean(),
    );
    return fc.tuple(fc.constant(f), fc.constant(columns), fc.array(row, { minLength: f.n, maxLength: f.n }), fc.nat());
  })
  .map(([f, columns, rows, salt]): SampleFile => {
    const people: Person[] = [];
    const written = rows.map(([cells, quotes], i) => {
      const email = `p${i}.${salt}@${f.emailCase ? 'Example.ORG' : 'example.org'}`;
      const stored = (c: string) => cells[columns.indexOf(c)]?.[1] ?? '';
      const attributes: Record<string, string> = {};
      for (const c of columns)
        if (!['email', 'name', 'organisation', 'language'].includes(c) && stored(c) !== '') attributes[c] = stored(c);
      people.push({
        email,
        name: stored('name') || null,
        organisation: stored('organisation') || null,
        language: stored('language') || 'nl',
        attributes,
      });
      return cells.map((c, j) => field(columns[j] === 'email' ? email : c[0], quotes[j]));
    });
    const header = columns.map((c, i) => HEADERS[c][f.spelling[i] % HEADERS[c].length]).join(f.separator);
    return {
      header,
      rows: written,
      blankBefore: rows.map((r) => r[2]),
      separator: f.separator,
      newlines: f.newlines,
      bom: f.bom,
      people,
      columns,
    };
  });

export type Defect =
  | 'bad-email'
  | 'unknown-tier'
  | 'control'
  | 'nul'
  | 'line-break'
  | 'unclosed-quote'
  | 'quote-in-field'
  | 'missing-field'
  | 'extra-field'
  | 'duplicate'
  | 'too-long'
  | 'bare-cr';
export const DEFECTS: Defect[] = [
  'bad-email',
  'unknown-tier',
  'control',
  'nul',
  'line-break',
  'unclosed-quote',
  'quote-in-field',
  'missing-field',
  'extra-field',
  'duplicate',
  'too-long',
  'bare-cr',
];

/** A valid file with one defect in one row: the import must refuse it and name the line that row starts on. */
export const brokenFile: fc.Arbitrary<{ text: string; line: number; defect: Defect }> = fc
  .tuple(
    validFile.filter((f) => f.people.length >= 2),
    fc.constantFrom(...DEFECTS),
    fc.nat(),
  )
  .map(([f, defect, k]) => {
    // an unclosed quote swallows the rest of the file: it goes in the last row; a duplicate needs an earlier row
    const row =
      defect === 'unclosed-quote'
        ? f.rows.length - 1
        : defect === 'duplicate'
          ? 1 + (k % (f.rows.length - 1))
          : k % f.rows.length;
    const cells = [...f.rows[row]];
    const email = f.columns.indexOf('email');
    const other =
      f.columns.length > 1 ? [...f.columns.keys()].filter((i) => i !== email)[k % (f.columns.length - 1)] : email;
    const set: Record<Defect, () => void> = {
      'bad-email': () => (cells[email] = 'geen-adres'),
      'unknown-tier': () =>
        f.columns.includes('tier')
          ? (cells[f.columns.indexOf('tier')] = 'stadsdeel')
          : (cells[email] = 'twee@@example.org'),
      control: () => (cells[other] = 'bel\u0007'),
      nul: () => (cells[other] = 'nul\u0000'),
      'line-break': () => (cells[other] = '"twee\nregels"'),
      'unclosed-quote': () => (cells[other] = '"nooit dicht'),
      'quote-in-field': () => (cells[other] = 'half"quote'),
      // one field fewer (a row of one empty field would be a blank line, which is skipped: it gets a value)
      'missing-field': () =>
        cells.length > 1
          ? (cells.pop(), cells[0] === '' && cells.length === 1 && (cells[0] = 'x'))
          : cells.push('extra'),
      'extra-field': () => cells.push('extra'),
      duplicate: () => (cells[email] = f.people[row - 1].email.toUpperCase()),
      'too-long': () => (cells[email] = `${'x'.repeat(250)}@example.org`),
      'bare-cr': () => (cells[other] = 'kapot\rveld'),
    };
    set[defect]();
    const rows = f.rows.map((r, i) => (i === row ? cells : r));
    const { text, rowLines } = render(f, rows);
    return { text, line: rowLines[row], defect };
  });
