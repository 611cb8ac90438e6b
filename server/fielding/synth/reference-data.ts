/**
 * Reference data for synthetic sample frames: structured like the Dutch public administration, but apart from
 * the 12 provinces (and the ministries' titles) every organisation and every person is fictional.
 *
 * - 12 real provinces with their real number of Provincial Council (Staten) seats (570 in total).
 * - Municipalities: generated names, populations and size classes; 342 in the 2024 edition (the count since
 *   2023), 345 in the 2022 edition (the 2024 table with one 3-way and one 2-way merger undone), so the table
 *   differs per edition as the real one does.
 * - 21 water boards with generated names, a main province and a board size.
 * Everything here is generated from a fixed seed: the same on every run, independent of a sample's seed.
 */
import { createRng, Rng } from './rng';

export type Tier = 'gemeente' | 'provincie' | 'waterschap' | 'rijk';
export type Edition = 2022 | 2024;
export const EDITIONS: readonly Edition[] = [2022, 2024];

export interface Province {
  code: string;
  name: string;
  /** seats in the Provinciale Staten */
  statenSeats: number;
  /** number of municipalities in the 2024 table */
  municipalities: number;
}

export const PROVINCES: readonly Province[] = [
  { code: 'gr', name: 'Groningen', statenSeats: 43, municipalities: 10 },
  { code: 'fr', name: 'Fryslân', statenSeats: 43, municipalities: 18 },
  { code: 'dr', name: 'Drenthe', statenSeats: 41, municipalities: 12 },
  { code: 'ov', name: 'Overijssel', statenSeats: 47, municipalities: 25 },
  { code: 'fl', name: 'Flevoland', statenSeats: 41, municipalities: 6 },
  { code: 'ge', name: 'Gelderland', statenSeats: 55, municipalities: 51 },
  { code: 'ut', name: 'Utrecht', statenSeats: 49, municipalities: 26 },
  { code: 'nh', name: 'Noord-Holland', statenSeats: 55, municipalities: 44 },
  { code: 'zh', name: 'Zuid-Holland', statenSeats: 55, municipalities: 50 },
  { code: 'ze', name: 'Zeeland', statenSeats: 39, municipalities: 13 },
  { code: 'nb', name: 'Noord-Brabant', statenSeats: 55, municipalities: 56 },
  { code: 'li', name: 'Limburg', statenSeats: 47, municipalities: 31 },
];

export type SizeClass = 'lt20k' | '20k_50k' | '50k_100k' | 'ge100k';

/** Municipality size classes; `code` is the answer code of the questionnaires' gemeente_grootte question. */
export const SIZE_CLASSES: ReadonlyArray<{
  id: SizeClass;
  code: number;
  min: number;
  max: number;
  nl: string;
  en: string;
  count2024: number;
}> = [
  {
    id: 'lt20k',
    code: 1,
    min: 0,
    max: 19_999,
    nl: 'minder dan 20.000 inwoners',
    en: 'fewer than 20,000 inhabitants',
    count2024: 96,
  },
  {
    id: '20k_50k',
    code: 2,
    min: 20_000,
    max: 49_999,
    nl: '20.000 tot 50.000 inwoners',
    en: '20,000 to 50,000 inhabitants',
    count2024: 162,
  },
  {
    id: '50k_100k',
    code: 3,
    min: 50_000,
    max: 99_999,
    nl: '50.000 tot 100.000 inwoners',
    en: '50,000 to 100,000 inhabitants',
    count2024: 52,
  },
  {
    id: 'ge100k',
    code: 4,
    min: 100_000,
    max: Infinity,
    nl: '100.000 inwoners of meer',
    en: '100,000 inhabitants or more',
    count2024: 32,
  },
];

export function sizeClassOf(population: number): SizeClass {
  return SIZE_CLASSES.find((c) => population >= c.min && population <= c.max)!.id;
}

/** Roles of political office holders; `code` is the answer code of functie_gem / functie_prov / functie_ws. */
export const OFFICE_HOLDER_ROLES = {
  burgemeester: { tier: 'gemeente', code: 1, nl: 'Burgemeester', en: 'Mayor' },
  wethouder: { tier: 'gemeente', code: 2, nl: 'Wethouder', en: 'Alderman' },
  raadslid: { tier: 'gemeente', code: 3, nl: 'Gemeenteraadslid', en: 'Municipal council member' },
  commissaris_koning: { tier: 'provincie', code: 4, nl: 'Commissaris van de Koning', en: "King's Commissioner" },
  gedeputeerde: { tier: 'provincie', code: 5, nl: 'Gedeputeerde', en: 'Member of the Provincial Executive' },
  statenlid: { tier: 'provincie', code: 6, nl: 'Statenlid', en: 'States member' },
  dijkgraaf: { tier: 'waterschap', code: 7, nl: 'Dijkgraaf', en: 'Dike-reeve' },
  lid_db_waterschap: {
    tier: 'waterschap',
    code: 8,
    nl: 'Lid dagelijks bestuur waterschap',
    en: 'Water board executive member',
  },
  lid_ab_waterschap: {
    tier: 'waterschap',
    code: 9,
    nl: 'Lid algemeen bestuur waterschap',
    en: 'Water board general board member',
  },
} as const satisfies Record<string, { tier: Tier; code: number; nl: string; en: string }>;
export type OfficeHolderRole = keyof typeof OFFICE_HOLDER_ROLES;

/** Job groups of civil servants; `code` is the answer code of the questionnaires' functie question. */
export const CIVIL_SERVANT_ROLES = {
  leidinggevende: { code: 1, nl: 'Leidinggevende of management', en: 'Manager' },
  beleid: { code: 2, nl: 'Beleidsmedewerker of adviseur', en: 'Policy officer or adviser' },
  publiekscontact: { code: 3, nl: 'Uitvoering met veel publiekscontact', en: 'Operations with much public contact' },
  handhaving: { code: 4, nl: 'Toezicht en handhaving', en: 'Supervision and enforcement' },
  bedrijfsvoering: { code: 5, nl: 'Bedrijfsvoering of ondersteuning', en: 'Business operations or support' },
  bestuursondersteuning: { code: 6, nl: 'Bestuursondersteuning', en: 'Support to the administration' },
} as const satisfies Record<string, { code: number; nl: string; en: string }>;
export type CivilServantRole = keyof typeof CIVIL_SERVANT_ROLES;

/** Tier codes of the questionnaires' bestuurslaag question. */
export const TIER_CODES: Record<Tier, number> = { gemeente: 1, provincie: 2, waterschap: 3, rijk: 4 };

/** Civil-service job mix per tier (weights). */
export const CIVIL_SERVANT_ROLE_MIX: Record<Tier, Record<CivilServantRole, number>> = {
  gemeente: {
    leidinggevende: 10,
    beleid: 25,
    publiekscontact: 25,
    handhaving: 10,
    bedrijfsvoering: 22,
    bestuursondersteuning: 8,
  },
  provincie: {
    leidinggevende: 10,
    beleid: 40,
    publiekscontact: 8,
    handhaving: 10,
    bedrijfsvoering: 25,
    bestuursondersteuning: 7,
  },
  waterschap: {
    leidinggevende: 10,
    beleid: 25,
    publiekscontact: 10,
    handhaving: 15,
    bedrijfsvoering: 35,
    bestuursondersteuning: 5,
  },
  rijk: {
    leidinggevende: 10,
    beleid: 35,
    publiekscontact: 15,
    handhaving: 10,
    bedrijfsvoering: 27,
    bestuursondersteuning: 3,
  },
};

/** Rough share of public employment per tier (weights, thousands of jobs). */
export const CIVIL_SERVANT_TIER_WEIGHTS: Record<Tier, number> = {
  gemeente: 190,
  provincie: 14,
  waterschap: 11,
  rijk: 135,
};

/** Central government organisations (ministry titles are public; the weights are a rough staff mix). */
export const CENTRAL_GOVERNMENT: ReadonlyArray<{ slug: string; name: string; weight: number }> = [
  { slug: 'az', name: 'Ministerie van Algemene Zaken', weight: 1 },
  { slug: 'bzk', name: 'Ministerie van Binnenlandse Zaken en Koninkrijksrelaties', weight: 8 },
  { slug: 'bz', name: 'Ministerie van Buitenlandse Zaken', weight: 5 },
  { slug: 'def', name: 'Ministerie van Defensie', weight: 12 },
  { slug: 'ezk', name: 'Ministerie van Economische Zaken', weight: 6 },
  { slug: 'fin', name: 'Ministerie van Financiën', weight: 30 },
  { slug: 'ienw', name: 'Ministerie van Infrastructuur en Waterstaat', weight: 12 },
  { slug: 'jenv', name: 'Ministerie van Justitie en Veiligheid', weight: 25 },
  { slug: 'lnv', name: 'Ministerie van Landbouw, Natuur en Voedselkwaliteit', weight: 6 },
  { slug: 'ocw', name: 'Ministerie van Onderwijs, Cultuur en Wetenschap', weight: 4 },
  { slug: 'szw', name: 'Ministerie van Sociale Zaken en Werkgelegenheid', weight: 3 },
  { slug: 'vws', name: 'Ministerie van Volksgezondheid, Welzijn en Sport', weight: 5 },
];

/** Municipal council seats by number of inhabitants (Gemeentewet art. 8). */
export function councilSeats(inhabitants: number): number {
  const table: Array<[number, number]> = [
    [3_000, 9],
    [6_000, 11],
    [10_000, 13],
    [15_000, 15],
    [20_000, 17],
    [25_000, 19],
    [30_000, 21],
    [35_000, 23],
    [40_000, 25],
    [45_000, 27],
    [50_000, 29],
    [60_000, 31],
    [70_000, 33],
    [80_000, 35],
    [100_000, 37],
    [200_000, 39],
  ];
  for (const [upTo, seats] of table) if (inhabitants <= upTo) return seats;
  return 45;
}

export interface Municipality {
  slug: string;
  name: string;
  province: string;
  inhabitants: number;
  sizeClass: SizeClass;
  councilSeats: number;
  aldermen: number;
}

export interface WaterBoard {
  slug: string;
  name: string;
  province: string;
  /** members of the general board (algemeen bestuur), the dike-reeve not included */
  generalBoard: number;
  /** members of the executive board (dagelijks bestuur) besides the dike-reeve; they also sit in the general board */
  executiveBoard: number;
}

export interface ProvinceOffices extends Province {
  /** gedeputeerden */
  executives: number;
}

// ---------------------------------------------------------------- fictional names

const NAME_STEMS = [
  'Berken',
  'Elzen',
  'Essen',
  'Linden',
  'Wilgen',
  'Eiken',
  'Hazel',
  'Beuken',
  'Iepen',
  'Populier',
  'Vlier',
  'Hulst',
  'Meidoorn',
  'Brem',
  'Heide',
  'Riet',
  'Lis',
  'Zegge',
  'Klaver',
  'Boekweit',
  'Haver',
  'Rogge',
  'Vlas',
  'Hop',
  'Kievit',
  'Reiger',
  'Grutto',
  'Wulp',
  'Meeuw',
  'Zwaluw',
  'Merel',
  'Spreeuw',
  'Uilen',
  'Vossen',
  'Hazen',
  'Dassen',
  'Otter',
  'Bever',
  'Marter',
  'Egel',
  'Mossel',
  'Paling',
  'Snoek',
  'Baars',
  'Karper',
  'Zalm',
  'Vinken',
  'Lijster',
];
const NAME_ENDS = [
  'wolde',
  'horst',
  'veen',
  'dam',
  'broek',
  'rade',
  'loo',
  'zijl',
  'hoeve',
  'kamp',
  'meer',
  'dijk',
  'hem',
  'wijk',
  'beek',
  'hout',
  'weerd',
  'donk',
  'rode',
  'lage',
  'sloot',
  'gaast',
  'terp',
  'werf',
  'hoek',
  'burg',
  'stede',
  'wold',
];
const WATER_ENDS = [
  'stroom',
  'delta',
  'vliet',
  'waarden',
  'polders',
  'landen',
  'venen',
  'dijken',
  'kwartier',
  'waterland',
  'boezem',
];

function titleCase(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
}

export function slugify(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

class NameMaker {
  private readonly used = new Set<string>();
  constructor(private readonly rng: Rng) {}

  place(): string {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      let name = titleCase(this.rng.pick(NAME_STEMS) + this.rng.pick(NAME_ENDS));
      if (this.rng.chance(0.12))
        name = `${this.rng.pick(['Nieuw', 'Oud', 'Groot', 'Noord', 'Zuid', 'Oost', 'West'])}-${name}`;
      if (this.claim(name)) return name;
    }
    throw new Error('reference-data: ran out of place names');
  }

  waterBoard(): string {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const name = titleCase(this.rng.pick(NAME_STEMS) + this.rng.pick(WATER_ENDS));
      if (this.claim(name)) return name;
    }
    throw new Error('reference-data: ran out of water board names');
  }

  private claim(name: string): boolean {
    const slug = slugify(name);
    if (this.used.has(slug)) return false;
    this.used.add(slug);
    return true;
  }
}

// ---------------------------------------------------------------- tables

const REFERENCE_SEED = 'veldwerk-reference-v1';

function inhabitantsFor(sizeClass: SizeClass, rng: Rng): number {
  const logUniform = (lo: number, hi: number) =>
    Math.round(Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo))));
  switch (sizeClass) {
    case 'lt20k':
      return rng.chance(0.2) ? rng.int(1_000, 9_999) : rng.int(10_000, 19_999);
    case '20k_50k':
      return logUniform(20_000, 49_999);
    case '50k_100k':
      return logUniform(50_000, 99_999);
    case 'ge100k':
      // Pareto tail: most between 100,000 and 200,000, a few large cities
      return Math.min(930_000, Math.round(100_000 / Math.pow(1 - rng.next(), 1 / 2)));
  }
}

function aldermenFor(seats: number, rng: Rng): number {
  // at most 20% of the council seats (more persons are possible with part-time aldermen), at least 2
  let n = Math.max(2, Math.floor(seats * 0.2));
  const r = rng.next();
  if (r < 0.1) n += 1;
  else if (r < 0.2) n -= 1;
  return Math.max(2, n);
}

function makeMunicipality(name: string, province: string, inhabitants: number, rng: Rng): Municipality {
  const seats = councilSeats(inhabitants);
  return {
    slug: slugify(name),
    name,
    province,
    inhabitants,
    sizeClass: sizeClassOf(inhabitants),
    councilSeats: seats,
    aldermen: aldermenFor(seats, rng),
  };
}

interface Tables {
  municipalities: Record<Edition, Municipality[]>;
  waterBoards: WaterBoard[];
  provinces: ProvinceOffices[];
}

let cached: Tables | null = null;

function buildTables(): Tables {
  const rng = createRng(REFERENCE_SEED);
  const names = new NameMaker(rng.fork('names'));
  // 2024: exact size-class totals, spread over the provinces at random
  const classes: SizeClass[] = [];
  for (const c of SIZE_CLASSES) for (let i = 0; i < c.count2024; i++) classes.push(c.id);
  const shuffled = rng.shuffle(classes);
  const m2024: Municipality[] = [];
  let k = 0;
  for (const p of PROVINCES) {
    for (let i = 0; i < p.municipalities; i++) {
      m2024.push(makeMunicipality(names.place(), p.name, inhabitantsFor(shuffled[k++], rng), rng));
    }
  }
  // 2022: undo two mergers of 1 January 2023 (a 3-way one in Zuid-Holland, a 2-way one in Noord-Holland)
  const m2022: Municipality[] = [];
  const splits: Record<string, number> = { 'Zuid-Holland': 3, 'Noord-Holland': 2 };
  const merged = new Set<Municipality>();
  for (const province of Object.keys(splits)) {
    const candidate = m2024.find((m) => m.province === province && m.sizeClass === '50k_100k' && !merged.has(m))!;
    merged.add(candidate);
  }
  for (const m of m2024) {
    if (!merged.has(m)) {
      m2022.push(m);
      continue;
    }
    const parts = splits[m.province];
    let left = m.inhabitants;
    for (let i = 0; i < parts; i++) {
      const share = i === parts - 1 ? left : Math.round(m.inhabitants * (0.25 + rng.next() * 0.15));
      left -= share;
      m2022.push(makeMunicipality(names.place(), m.province, share, rng));
    }
  }
  const waterBoards: WaterBoard[] = [];
  // main province per water board: roughly following where water boards are (some provinces have several)
  const wbProvinces = [
    'gr',
    'gr',
    'fr',
    'dr',
    'ov',
    'ov',
    'fl',
    'ge',
    'ge',
    'ut',
    'ut',
    'nh',
    'nh',
    'nh',
    'zh',
    'zh',
    'zh',
    'ze',
    'nb',
    'nb',
    'li',
  ];
  for (const code of wbProvinces) {
    const province = PROVINCES.find((p) => p.code === code)!.name;
    const prefix = rng.chance(0.25) ? 'Hoogheemraadschap' : 'Waterschap';
    const name = `${prefix} ${names.waterBoard()}`;
    waterBoards.push({
      slug: slugify(name),
      name,
      province,
      generalBoard: rng.int(17, 30),
      executiveBoard: rng.int(4, 6),
    });
  }
  const provinces: ProvinceOffices[] = PROVINCES.map((p) => ({ ...p, executives: rng.int(5, 7) }));
  return { municipalities: { 2022: m2022, 2024: m2024 }, waterBoards, provinces };
}

function tables(): Tables {
  if (!cached) cached = buildTables();
  return cached;
}

/** The municipalities of an edition (fictional names; 345 in 2022, 342 in 2024). */
export function municipalities(edition: Edition = 2024): readonly Municipality[] {
  return tables().municipalities[edition];
}

export function waterBoards(): readonly WaterBoard[] {
  return tables().waterBoards;
}

export function provinceOffices(): readonly ProvinceOffices[] {
  return tables().provinces;
}

// ---------------------------------------------------------------- synthetic persons

export const FIRST_NAMES: ReadonlyArray<{ name: string; gender: 'm' | 'v' }> = [
  ...[
    'Jan',
    'Pieter',
    'Henk',
    'Kees',
    'Willem',
    'Bram',
    'Daan',
    'Sem',
    'Lucas',
    'Thijs',
    'Ruben',
    'Joost',
    'Maarten',
    'Gerrit',
    'Hans',
    'Marco',
    'Sander',
    'Erik',
    'Frank',
    'Rob',
    'Mohamed',
    'Ahmed',
    'Youssef',
    'Mehmet',
    'Emre',
    'Rajesh',
    'Kevin',
    'Dennis',
    'Bas',
    'Jeroen',
    'Niels',
    'Wouter',
    'Arjen',
    'Tjeerd',
    'Sjoerd',
    'Hidde',
    'Koen',
    'Stefan',
    'Martijn',
    'Patrick',
  ].map((name) => ({ name, gender: 'm' as const })),
  ...[
    'Anna',
    'Maria',
    'Sanne',
    'Lotte',
    'Emma',
    'Julia',
    'Sophie',
    'Fleur',
    'Anouk',
    'Eva',
    'Ingrid',
    'Monique',
    'Petra',
    'Marieke',
    'Esther',
    'Linda',
    'Sandra',
    'Fatima',
    'Samira',
    'Ayşe',
    'Zeynep',
    'Priya',
    'Noor',
    'Iris',
    'Femke',
    'Renée',
    'Hanneke',
    'Wilma',
    'Annelies',
    'Joke',
    'Marloes',
    'Karin',
    'Nicole',
    'Tessa',
    'Yvonne',
    'Miriam',
    'Els',
    'Gea',
    'Ilse',
    'Margriet',
  ].map((name) => ({ name, gender: 'v' as const })),
];

export const SURNAMES: readonly string[] = [
  'de Jong',
  'Jansen',
  'de Vries',
  'van den Berg',
  'van Dijk',
  'Bakker',
  'Janssen',
  'Visser',
  'Smit',
  'Meijer',
  'de Boer',
  'Mulder',
  'de Groot',
  'Bos',
  'Vos',
  'Peters',
  'Hendriks',
  'van Leeuwen',
  'Dekker',
  'Brouwer',
  'de Wit',
  'Dijkstra',
  'Smits',
  'de Graaf',
  'van der Meer',
  'van der Linden',
  'Kok',
  'Jacobs',
  'de Haan',
  'Vermeulen',
  'van den Heuvel',
  'van der Veen',
  'van den Broek',
  'de Bruijn',
  'de Bruin',
  'van der Heijden',
  'Schouten',
  'van Beek',
  'Willems',
  'van Vliet',
  'van de Ven',
  'Hoekstra',
  'Maas',
  'Verhoeven',
  'Koster',
  'van Dam',
  'van der Wal',
  'Prins',
  'Blom',
  'Huisman',
  'Peeters',
  'de Jonge',
  'Kuipers',
  'van Veen',
  'Post',
  'Kuiper',
  'Veenstra',
  'Kramer',
  'van den Brink',
  'Scholten',
  'van Wijk',
  'Postma',
  'Martens',
  'Vink',
  'de Ruiter',
  'Timmermans',
  'Groen',
  'Gerritsen',
  'Jonker',
  'van Loon',
  'Boer',
  'van der Velde',
  'Willemsen',
  'Smeets',
  'de Lange',
  'de Vos',
  'Bosch',
  'van Dongen',
  'Yılmaz',
  'Kaya',
  'Demir',
  'El Amrani',
  'Bouzid',
  'Benali',
  'Ramdin',
  'Nguyen',
  'Tjon',
  'Kartosen',
  'Osei',
  'Mendes',
  'Haddou',
  'Öztürk',
  'Sewnath',
];
