// Export variable names: SPSS-safe and unique within a questionnaire version.
//
// A variable is named after its question and the parts of the answer it holds, joined with "_": `q` (one answer),
// `q_row` (a matrix row), `q_code` (a checkbox choice), `q_row_col` (a matrixdropdown cell), `q_2_name` (the second
// dynamic panel's question "name", or the second row of a matrixdynamic), `q_item` (a multiple-text item), `q_3` (the
// choice ranked third). Then:
//  - lower case; every character outside a-z, 0-9 and _ becomes _ (accents dropped first: é → e);
//  - a name that does not start with a letter gets the prefix `v_`; an SPSS reserved word (ALL, AND, BY, EQ, GE,
//    GT, LE, LT, NE, NOT, OR, TO, WITH) gets the suffix `_`;
//  - the long-name rule: a name over 32 characters keeps its first 27 and ends in `_` plus four characters of a
//    hash of the full name (base 36), e.g. `gevolgen_van_het_incident_v_k3x9`; the codebook gives the full path;
//  - a name already taken in the version gets `_2`, `_3`, … (cut so the whole stays within 32 characters).
import crypto from 'node:crypto';

export const MAX_NAME = 32;
const RESERVED = new Set(['all', 'and', 'by', 'eq', 'ge', 'gt', 'le', 'lt', 'ne', 'not', 'or', 'to', 'with']);

/** One name made SPSS-safe (without the uniqueness step). */
export function spssName(parts: Array<string | number>): string {
  const full = parts.map(String).join('_');
  let name = full
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z]/.test(name)) name = `v_${name}`;
  if (RESERVED.has(name)) name = `${name}_`;
  if (name.length > MAX_NAME) {
    const hash = BigInt('0x' + crypto.createHash('sha256').update(full).digest('hex').slice(0, 12))
      .toString(36)
      .slice(0, 4);
    name = `${name.slice(0, MAX_NAME - 5)}_${hash}`;
  }
  return name;
}

/** Names variables of one version: SPSS-safe, each name once. */
export class VariableNamer {
  private readonly taken = new Set<string>();
  name(parts: Array<string | number>): string {
    const base = spssName(parts);
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base.slice(0, MAX_NAME - String(i).length - 1)}_${i}`;
    this.taken.add(name);
    return name;
  }
}
