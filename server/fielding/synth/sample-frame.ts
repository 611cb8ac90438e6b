/**
 * Synthetic sample frames: fictional people at reserved example domains, structured like the real populations,
 * as an administrator would import them (one row per person: e-mail plus attributes).
 *
 * - politieke-ambtsdragers: the whole population of an edition's reference table (every mayor, alderman and
 *   council member of every municipality, the King's Commissioners, provincial executives and States members,
 *   dike-reeves and water board members); `size` takes a simple random sample of it.
 * - ambtenaren: a sample of `size` civil servants (default 1,000) over the four tiers, weighted by employment.
 *
 * Pure functions: the same population, options and seed give the same rows.
 */
import {
  CENTRAL_GOVERNMENT,
  CIVIL_SERVANT_ROLE_MIX,
  CIVIL_SERVANT_TIER_WEIGHTS,
  CivilServantRole,
  Edition,
  FIRST_NAMES,
  municipalities,
  OfficeHolderRole,
  provinceOffices,
  slugify,
  SURNAMES,
  Tier,
  waterBoards,
} from './reference-data';
import { createRng, Rng } from './rng';

export const POPULATIONS = ['politieke-ambtsdragers', 'ambtenaren'] as const;
export type Population = (typeof POPULATIONS)[number];

export function isPopulation(value: unknown): value is Population {
  return (POPULATIONS as readonly unknown[]).includes(value);
}

/** One person of the frame. Columns besides email, name, organisation and language become invitation attributes. */
export interface SampleRow {
  email: string;
  name: string;
  organisation: string;
  tier: Tier;
  role: OfficeHolderRole | CivilServantRole;
  /** province name; empty for central government */
  province: string;
  /** municipality size class (see SIZE_CLASSES); empty outside municipalities */
  size_class: string;
  language: 'nl' | 'en';
}

export const CSV_COLUMNS: ReadonlyArray<keyof SampleRow> = [
  'email',
  'name',
  'organisation',
  'tier',
  'role',
  'province',
  'size_class',
  'language',
];

/** Every e-mail address ends in one of these (RFC 2606 reserved second-level domains). */
export const RESERVED_EMAIL_DOMAINS = ['example.org', 'example.com', 'example.net'] as const;

export interface SampleFrameOptions {
  /** ambtenaren: number of persons (default 1,000); politieke-ambtsdragers: optional random sample of the population */
  size?: number;
  /** default 1 */
  seed?: number | string;
  /** reference table to use (municipalities differ per edition); default 2024 */
  edition?: Edition;
  /** share of persons preferring English (default 2% for office holders, 4% for civil servants) */
  englishShare?: number;
}

interface Slot {
  organisation: string;
  orgSlug: string;
  domain: string;
  tier: Tier;
  role: OfficeHolderRole | CivilServantRole;
  province: string;
  size_class: string;
}

const EXCEL_FORMULA = /^[=+\-@\t\r]/;

class PersonMaker {
  private readonly emails = new Set<string>();
  constructor(
    private readonly rng: Rng,
    private readonly englishShare: number,
  ) {}

  make(slot: Slot): SampleRow {
    const first = this.rng.pick(FIRST_NAMES).name;
    const last = this.rng.pick(SURNAMES);
    const name = `${first} ${last}`;
    const localBase = `${localPart(first)}.${localPart(last)}`;
    let email = `${localBase}@${slot.domain}`;
    for (let n = 2; this.emails.has(email); n++) email = `${localBase}${n}@${slot.domain}`;
    this.emails.add(email);
    return {
      email,
      name,
      organisation: slot.organisation,
      tier: slot.tier,
      role: slot.role,
      province: slot.province,
      size_class: slot.size_class,
      language: this.rng.chance(this.englishShare) ? 'en' : 'nl',
    };
  }
}

function localPart(s: string): string {
  return slugify(s).replace(/-/g, '');
}

function orgDomain(orgSlug: string, tier: Tier): string {
  return tier === 'rijk' ? `${orgSlug}.example.com` : `${orgSlug}.example.org`;
}

/** Every seat of the political office holders' population of an edition. */
function officeHolderSlots(edition: Edition): Slot[] {
  const slots: Slot[] = [];
  const add = (
    organisation: string,
    tier: Tier,
    role: OfficeHolderRole,
    province: string,
    size_class: string,
    n: number,
  ) => {
    const orgSlug = slugify(organisation);
    for (let i = 0; i < n; i++)
      slots.push({ organisation, orgSlug, domain: orgDomain(orgSlug, tier), tier, role, province, size_class });
  };
  for (const m of municipalities(edition)) {
    const org = `Gemeente ${m.name}`;
    add(org, 'gemeente', 'burgemeester', m.province, m.sizeClass, 1);
    add(org, 'gemeente', 'wethouder', m.province, m.sizeClass, m.aldermen);
    add(org, 'gemeente', 'raadslid', m.province, m.sizeClass, m.councilSeats);
  }
  for (const p of provinceOffices()) {
    const org = `Provincie ${p.name}`;
    add(org, 'provincie', 'commissaris_koning', p.name, '', 1);
    add(org, 'provincie', 'gedeputeerde', p.name, '', p.executives);
    add(org, 'provincie', 'statenlid', p.name, '', p.statenSeats);
  }
  for (const w of waterBoards()) {
    add(w.name, 'waterschap', 'dijkgraaf', w.province, '', 1);
    add(w.name, 'waterschap', 'lid_db_waterschap', w.province, '', w.executiveBoard);
    add(w.name, 'waterschap', 'lid_ab_waterschap', w.province, '', w.generalBoard - w.executiveBoard);
  }
  return slots;
}

function civilServantSlots(size: number, edition: Edition, rng: Rng): Slot[] {
  const munis = municipalities(edition);
  const muniWeights = munis.map((m) => [m, m.inhabitants] as const);
  const provWeights = provinceOffices().map((p) => [p, p.statenSeats] as const);
  const wbWeights = waterBoards().map((w) => [w, w.generalBoard] as const);
  const rijkWeights = CENTRAL_GOVERNMENT.map((o) => [o, o.weight] as const);
  const tierWeights = Object.entries(CIVIL_SERVANT_TIER_WEIGHTS) as Array<[Tier, number]>;
  const slots: Slot[] = [];
  for (let i = 0; i < size; i++) {
    const tier = rng.weighted(tierWeights);
    const role = rng.weighted(Object.entries(CIVIL_SERVANT_ROLE_MIX[tier]) as Array<[CivilServantRole, number]>);
    let organisation: string;
    let orgSlug: string;
    let province = '';
    let size_class = '';
    if (tier === 'gemeente') {
      const m = rng.weighted(muniWeights);
      organisation = `Gemeente ${m.name}`;
      orgSlug = slugify(organisation);
      province = m.province;
      size_class = m.sizeClass;
    } else if (tier === 'provincie') {
      const p = rng.weighted(provWeights);
      organisation = `Provincie ${p.name}`;
      orgSlug = slugify(organisation);
      province = p.name;
    } else if (tier === 'waterschap') {
      const w = rng.weighted(wbWeights);
      organisation = w.name;
      orgSlug = w.slug;
      province = w.province;
    } else {
      const o = rng.weighted(rijkWeights);
      organisation = o.name;
      orgSlug = `ministerie-${o.slug}`;
    }
    slots.push({ organisation, orgSlug, domain: orgDomain(orgSlug, tier), tier, role, province, size_class });
  }
  return slots;
}

/** The synthetic sample frame of a population. */
export function generateSampleFrame(population: Population, opts: SampleFrameOptions = {}): SampleRow[] {
  if (!isPopulation(population))
    throw new Error(`unknown population "${population}" (use ${POPULATIONS.join(' or ')})`);
  const edition = opts.edition ?? 2024;
  if (edition !== 2022 && edition !== 2024)
    throw new Error(`no reference table for edition ${edition} (use 2022 or 2024)`);
  if (opts.size !== undefined && !(Number.isInteger(opts.size) && opts.size >= 0))
    throw new Error('size must be a whole number of at least 0');
  const rng = createRng(opts.seed ?? 1);
  let slots: Slot[];
  if (population === 'politieke-ambtsdragers') {
    slots = officeHolderSlots(edition);
    if (opts.size !== undefined && opts.size < slots.length) {
      const keep = new Set(
        rng
          .fork('sample')
          .shuffle(slots.map((_, i) => i))
          .slice(0, opts.size),
      );
      slots = slots.filter((_, i) => keep.has(i));
    }
  } else {
    slots = civilServantSlots(opts.size ?? 1000, edition, rng.fork('slots'));
  }
  const english = opts.englishShare ?? (population === 'ambtenaren' ? 0.04 : 0.02);
  const people = new PersonMaker(rng.fork('people'), english);
  return slots.map((s) => people.make(s));
}

function csvField(value: string): string {
  // no synthetic value starts with a formula character; neutralise anyway in case rows are edited by hand
  const v = EXCEL_FORMULA.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** RFC 4180 CSV (header row, CRLF line ends, UTF-8 text) of sample rows. */
export function toCsv(rows: readonly SampleRow[], columns: ReadonlyArray<keyof SampleRow> = CSV_COLUMNS): string {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(String(row[c] ?? ''))).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** The CSV an administrator would import, for `npm run cli -- sample synth --population ... --out FILE.csv`. */
export function writeSampleFrameCsv(population: Population, opts: SampleFrameOptions = {}): string {
  return toCsv(generateSampleFrame(population, opts));
}

/** Counts per role: a quick structural summary (for the CLI's report or for tests). */
export function countByRole(rows: readonly SampleRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.role] = (out[r.role] ?? 0) + 1;
  return out;
}
