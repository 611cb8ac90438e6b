// Synthetic sample frames: structure like the real populations, reproducible, and a CSV the importer accepts.
import { CsvReader } from '../../../server/fielding/csv-reader';
import { SampleFileChecker } from '../../../server/fielding/sample-import';
import { KNOWN_VALUES } from '../../../server/fielding/sample-rules';
import {
  CIVIL_SERVANT_ROLES,
  municipalities,
  OFFICE_HOLDER_ROLES,
  PROVINCES,
  SIZE_CLASSES,
  waterBoards,
} from '../../../server/fielding/synth/reference-data';
import {
  countByRole,
  CSV_COLUMNS,
  generateSampleFrame,
  SampleRow,
  toCsv,
  writeSampleFrameCsv,
} from '../../../server/fielding/synth/sample-frame';

const EMAIL = /^[a-z0-9]+(\.[a-z0-9]+)*@([a-z0-9-]+\.)+example\.(org|com|net)$/;

function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  const reader = new CsvReader((r) => records.push(r.fields));
  reader.push(text);
  reader.end();
  expect(reader.problems).toEqual([]);
  return records;
}

function distinct(rows: SampleRow[], pick: (r: SampleRow) => string): number {
  return new Set(rows.map(pick)).size;
}

describe('reference data', () => {
  test('12 provinces with 570 States seats; 21 water boards; 342 municipalities in 2024 and 345 in 2022', () => {
    expect(PROVINCES).toHaveLength(12);
    expect(PROVINCES.reduce((a, p) => a + p.statenSeats, 0)).toBe(570);
    expect(waterBoards()).toHaveLength(21);
    expect(municipalities(2024)).toHaveLength(342);
    expect(municipalities(2022)).toHaveLength(345);
    for (const p of PROVINCES)
      expect(municipalities(2024).filter((m) => m.province === p.name)).toHaveLength(p.municipalities);
  });

  test('size classes follow the inhabitants, with the 2024 class counts', () => {
    for (const c of SIZE_CLASSES)
      expect(municipalities(2024).filter((m) => m.sizeClass === c.id)).toHaveLength(c.count2024);
    for (const m of [...municipalities(2022), ...municipalities(2024)]) {
      const c = SIZE_CLASSES.find((x) => x.id === m.sizeClass)!;
      expect(m.inhabitants).toBeGreaterThanOrEqual(c.min);
      expect(m.inhabitants).toBeLessThanOrEqual(c.max);
      expect(m.aldermen).toBeGreaterThanOrEqual(2);
      expect(m.councilSeats).toBeGreaterThanOrEqual(9);
    }
    const names = municipalities(2022).map((m) => m.slug);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('political office holders', () => {
  const rows = generateSampleFrame('politieke-ambtsdragers', { seed: 7 });
  const counts = countByRole(rows);

  test('role counts of the right order', () => {
    expect(counts.burgemeester).toBe(342);
    expect(counts.wethouder).toBeGreaterThan(1300);
    expect(counts.wethouder).toBeLessThan(1700);
    expect(counts.raadslid).toBeGreaterThan(7500);
    expect(counts.raadslid).toBeLessThan(9500);
    expect(counts.statenlid).toBe(570);
    expect(counts.commissaris_koning).toBe(12);
    expect(counts.gedeputeerde).toBeGreaterThanOrEqual(60);
    expect(counts.gedeputeerde).toBeLessThanOrEqual(84);
    expect(counts.dijkgraaf).toBe(21);
    const waterBoardMembers = counts.lid_db_waterschap + counts.lid_ab_waterschap;
    expect(waterBoardMembers).toBeGreaterThan(200);
    expect(waterBoardMembers).toBeLessThan(900);
    expect(Object.keys(counts).sort()).toEqual(Object.keys(OFFICE_HOLDER_ROLES).sort());
  });

  test('organisations: 342 municipalities, 12 provinces, 21 water boards; tiers and size classes fit the roles', () => {
    expect(
      distinct(
        rows.filter((r) => r.tier === 'gemeente'),
        (r) => r.organisation,
      ),
    ).toBe(342);
    expect(
      distinct(
        rows.filter((r) => r.tier === 'provincie'),
        (r) => r.organisation,
      ),
    ).toBe(12);
    expect(
      distinct(
        rows.filter((r) => r.tier === 'waterschap'),
        (r) => r.organisation,
      ),
    ).toBe(21);
    for (const r of rows) {
      expect(r.tier).toBe(OFFICE_HOLDER_ROLES[r.role as keyof typeof OFFICE_HOLDER_ROLES].tier);
      expect(KNOWN_VALUES.province).toContain(r.province);
      if (r.tier === 'gemeente') expect(SIZE_CLASSES.map((c) => c.id)).toContain(r.size_class);
      else expect(r.size_class).toBe('');
    }
    // one mayor per municipality
    const mayors = rows.filter((r) => r.role === 'burgemeester').map((r) => r.organisation);
    expect(new Set(mayors).size).toBe(342);
  });

  test('the 2022 edition has 345 municipalities', () => {
    const r2022 = generateSampleFrame('politieke-ambtsdragers', { edition: 2022 });
    expect(countByRole(r2022).burgemeester).toBe(345);
  });

  test('a random sample of a chosen size', () => {
    const sample = generateSampleFrame('politieke-ambtsdragers', { size: 500, seed: 3 });
    expect(sample).toHaveLength(500);
    expect(distinct(sample, (r) => r.email)).toBe(500);
  });
});

describe('civil servants', () => {
  test('a sample of any chosen size over the four tiers', () => {
    for (const size of [0, 1, 25, 3000]) expect(generateSampleFrame('ambtenaren', { size })).toHaveLength(size);
    const rows = generateSampleFrame('ambtenaren', { size: 3000, seed: 11 });
    const tiers = countBy(rows, (r) => r.tier);
    expect(Object.keys(tiers).sort()).toEqual(['gemeente', 'provincie', 'rijk', 'waterschap']);
    expect(tiers.gemeente).toBeGreaterThan(tiers.rijk * 0.9);
    expect(tiers.provincie).toBeGreaterThan(50);
    for (const r of rows) {
      expect(Object.keys(CIVIL_SERVANT_ROLES)).toContain(r.role);
      if (r.tier === 'rijk') expect(r.province).toBe('');
      else expect(KNOWN_VALUES.province).toContain(r.province);
      expect(r.size_class === '').toBe(r.tier !== 'gemeente');
    }
    expect(generateSampleFrame('ambtenaren')).toHaveLength(1000);
  });
});

function countBy<T>(rows: T[], key: (r: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return out;
}

describe.each([
  ['politieke-ambtsdragers', {}],
  ['ambtenaren', { size: 4000 }],
] as const)('CSV of %s', (population, opts) => {
  const csv = writeSampleFrameCsv(population, { ...opts, seed: 5 });
  const records = parseCsv(csv);

  test('a header row and one row per person, every row complete', () => {
    expect(records[0]).toEqual([...CSV_COLUMNS]);
    const rows = generateSampleFrame(population, { ...opts, seed: 5 });
    expect(records).toHaveLength(rows.length + 1);
    for (const r of records.slice(1)) {
      expect(r).toHaveLength(CSV_COLUMNS.length);
      expect(r[1]).not.toBe('');
      expect(r[2]).not.toBe('');
    }
    expect(toCsv(rows)).toBe(csv);
  });

  test('all e-mail addresses are unique and at reserved example domains', () => {
    const emails = records.slice(1).map((r) => r[0]);
    expect(new Set(emails.map((e) => e.toLowerCase())).size).toBe(emails.length);
    for (const e of emails) expect(e).toMatch(EMAIL);
  });

  test('mostly Dutch, some English', () => {
    const langs = countBy(records.slice(1), (r) => r[7]);
    expect(Object.keys(langs).sort()).toEqual(['en', 'nl']);
    expect(langs.nl / (records.length - 1)).toBeGreaterThan(0.9);
  });

  test('the sample importer accepts the file', () => {
    const checker = new SampleFileChecker(new Set(), ['tier', 'role', 'province', 'size_class']);
    checker.push(Buffer.from(csv, 'utf8'));
    const result = checker.end();
    expect(result.ok ? [] : result.problems.slice(0, 5)).toEqual([]);
    if (result.ok) {
      expect(result.invitees).toHaveLength(records.length - 1);
      expect(result.summary.missingKept).toEqual([]);
    }
  });

  test('reproducible with a seed, different with another seed', () => {
    expect(writeSampleFrameCsv(population, { ...opts, seed: 5 })).toBe(csv);
    expect(writeSampleFrameCsv(population, { ...opts, seed: 6 })).not.toBe(csv);
  });
});

test('unknown population or bad size is refused', () => {
  expect(() => generateSampleFrame('burgers' as never)).toThrow(/unknown population/);
  expect(() => generateSampleFrame('ambtenaren', { size: -1 })).toThrow(/size/);
  expect(() => generateSampleFrame('ambtenaren', { size: 2.5 })).toThrow(/size/);
});
