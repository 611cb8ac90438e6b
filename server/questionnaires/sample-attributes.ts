import fs from 'node:fs';
import path from 'node:path';
import type { LocalizedText } from './questionnaire-file';

/**
 * Which sample attributes a wave may keep with the answers, declared once per questionnaire key in
 * `questionnaires/<key>/sample-attributes.json` (beside the version files, so declaring one changes no version's
 * hash). Only a declared attribute can be kept, and only with one of its declared values: a kept attribute is a
 * small closed vocabulary (tier, role, province, municipality size class), never a contact detail or free text.
 */
export interface SampleAttribute {
  name: string;
  label: LocalizedText;
  /** the allowed values in their canonical spelling, in the declared order, with their labels */
  values: ReadonlyMap<string, LocalizedText>;
}

export type SampleAttributeDeclaration = ReadonlyMap<string, SampleAttribute>;

export const SAMPLE_ATTRIBUTES_FILE = 'sample-attributes.json';
const NAME = /^[a-z][a-z0-9_]{0,31}$/;
const MAX_VALUES = 200;
const MAX_VALUE_LENGTH = 100;
/**
 * Names that would carry who someone is, or where to reach them, into the anonymous responses: refused even when
 * declared, in Dutch and English spellings (e_mail, emailadres, volledige_naam, telefoon, postcode, …).
 */
const IDENTIFYING =
  /mail|naam|name|phone|telefoon|tel_|mobiel|mobile|adres|address|postcode|zip|straat|street|organi[sz]ation|organisatie|geboorte|birth|bsn|ssn|iban|ip_|token|initial|voorletter/;

export class SampleAttributeFileError extends Error {}

/** true when an attribute name looks like a contact detail or an identity, which is never kept with answers */
export function looksIdentifying(name: string): boolean {
  return IDENTIFYING.test(name) || name === 'ip' || name === 'tel' || name === 'id';
}

function text(value: unknown): value is LocalizedText {
  const v = value as LocalizedText;
  return (
    Boolean(v) &&
    typeof v === 'object' &&
    typeof v.nl === 'string' &&
    typeof v.en === 'string' &&
    v.nl.trim() !== '' &&
    v.en.trim() !== ''
  );
}

export function parseSampleAttributes(file: string, key: string, bytes: Buffer): SampleAttributeDeclaration {
  const fail = (what: string): never => {
    throw new SampleAttributeFileError(`${file}: ${what}`);
  };
  let json: { key?: unknown; attributes?: unknown };
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) fail('must hold a JSON object');
  if (json.key !== key) fail(`"key" must be "${key}" (the folder name)`);
  const attributes = json.attributes as Record<string, { label?: unknown; values?: unknown }>;
  if (!attributes || typeof attributes !== 'object' || Array.isArray(attributes))
    fail('"attributes" must be an object of attribute declarations');
  const out = new Map<string, SampleAttribute>();
  for (const [name, decl] of Object.entries(attributes)) {
    if (!NAME.test(name)) fail(`attribute "${name.slice(0, 40)}": names are [a-z][a-z0-9_]*, at most 32 characters`);
    if (looksIdentifying(name))
      fail(`attribute "${name}" looks like a contact detail or an identity, which is never kept with answers`);
    if (!decl || typeof decl !== 'object' || !text(decl.label)) fail(`attribute "${name}": "label" needs nl and en`);
    const values = decl.values as Record<string, unknown>;
    if (!values || typeof values !== 'object' || Array.isArray(values))
      fail(`attribute "${name}": "values" must be an object of value → {nl, en}`);
    const entries = Object.entries(values);
    if (entries.length < 1 || entries.length > MAX_VALUES)
      fail(
        `attribute "${name}": declare 1 to ${MAX_VALUES} values (a kept attribute is a closed list, never free text)`,
      );
    const seen = new Set<string>();
    const map = new Map<string, LocalizedText>();
    for (const [value, label] of entries) {
      if (
        value.trim() === '' ||
        value !== value.trim() ||
        value.length > MAX_VALUE_LENGTH ||
        /[\u0000-\u001f\u007f]/.test(value)
      ) {
        fail(
          `attribute "${name}": value "${value.slice(0, 40)}" must be 1 to ${MAX_VALUE_LENGTH} characters without surrounding spaces or control characters`,
        );
      }
      if (seen.has(value.toLowerCase())) fail(`attribute "${name}": value "${value}" is declared twice`);
      if (!text(label)) fail(`attribute "${name}": value "${value}" needs a label with nl and en`);
      seen.add(value.toLowerCase());
      map.set(value, label as LocalizedText);
    }
    out.set(name, { name, label: decl.label as LocalizedText, values: map });
  }
  return out;
}

/** The declaration in a questionnaire key's folder; none declared (nothing may be kept) when the file is absent. */
export function loadSampleAttributes(keyDir: string, key: string): SampleAttributeDeclaration {
  const file = path.join(keyDir, SAMPLE_ATTRIBUTES_FILE);
  if (!fs.existsSync(file)) return new Map();
  return parseSampleAttributes(file, key, fs.readFileSync(file));
}

/** The declared spelling of a value, matched without regard to case; undefined when it is not declared. */
export function declaredValue(attribute: SampleAttribute, value: string): string | undefined {
  if (attribute.values.has(value)) return value;
  const lower = value.toLowerCase();
  for (const v of attribute.values.keys()) if (v.toLowerCase() === lower) return v;
  return undefined;
}
