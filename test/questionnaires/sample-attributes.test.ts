import path from 'node:path';
import { loadSampleAttributes, parseSampleAttributes } from '../../server/questionnaires/sample-attributes';
import { QUESTIONNAIRES_DIR } from '../helpers/test-app';

const parse = (attributes: unknown) => () =>
  parseSampleAttributes('x/sample-attributes.json', 'x', Buffer.from(JSON.stringify({ key: 'x', attributes })));
const label = { nl: 'L', en: 'L' };

describe('declared sample attributes: what a wave may keep with the answers', () => {
  test('the monitor declares tier, role, province and size class, each a closed list', () => {
    for (const key of ['miv-politieke-ambtsdragers', 'miv-ambtenaren']) {
      const declared = loadSampleAttributes(path.join(QUESTIONNAIRES_DIR, key), key);
      expect([...declared.keys()]).toEqual(['tier', 'role', 'province', 'size_class']);
      expect(declared.get('province')!.values.size).toBe(12);
      expect([...declared.get('size_class')!.values.keys()]).toEqual(['lt20k', '20k_50k', '50k_100k', 'ge100k']);
    }
    expect([
      ...loadSampleAttributes(path.join(QUESTIONNAIRES_DIR, 'miv-politieke-ambtsdragers'), 'miv-politieke-ambtsdragers')
        .get('role')!
        .values.keys(),
    ]).toContain('commissaris_koning');
  });

  test('contact details and identities cannot be declared, whatever their spelling', () => {
    for (const name of [
      'email',
      'e_mail',
      'emailadres',
      'volledige_naam',
      'name',
      'telefoon',
      'phone_number',
      'postcode',
      'home_address',
      'geboortedatum',
      'bsn',
      'organisation',
      'ip',
    ]) {
      expect(parse({ [name]: { label, values: { a: label } } })).toThrow(/never kept with answers/);
    }
  });

  test('a kept attribute is a closed list of values, never free text', () => {
    expect(parse({ tier: { label } })).toThrow(/"values" must be an object/);
    expect(parse({ tier: { label, values: {} } })).toThrow(/declare 1 to 200 values/);
    expect(
      parse({ tier: { label, values: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`v${i}`, label])) } }),
    ).toThrow(/1 to 200/);
    expect(parse({ tier: { label, values: { ' a': label } } })).toThrow(/surrounding spaces/);
    expect(parse({ tier: { label, values: { A: label, a: label } } })).toThrow(/declared twice/);
    expect(parse({ tier: { label, values: { a: { nl: 'x' } } } })).toThrow(/label with nl and en/);
    expect(parse({ Tier: { label, values: { a: label } } })).toThrow(/names are/);
    expect(
      parse({ tier: { label, values: { gemeente: label } } })()
        .get('tier')!
        .values.has('gemeente'),
    ).toBe(true);
  });
});
