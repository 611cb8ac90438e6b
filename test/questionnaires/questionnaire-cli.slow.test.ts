// The authors' tools: `questionnaire check FILE.json` and `questionnaire validate FILE.json` (issue 15, point 4), run
// as an author runs them (npm run -s cli -- …), in their own process.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '../..');

function cli(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'server/cli/index.ts', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'veldwerk-q-cli-'));
const write = (name: string, json: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(json));
  return file;
};
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// as SurveyJS Creator saves it: root elements, a paneldynamic, an expression total, a matrixdropdown
const CREATOR = {
  title: 'Vereniging',
  elements: [
    { type: 'rating', name: 'tevreden', isRequired: true, rateMax: 5 },
    { type: 'text', name: 'leden', inputType: 'number', min: 0 },
    { type: 'expression', name: 'dubbel', expression: '{leden} * 2' },
    {
      type: 'paneldynamic',
      name: 'bestuur',
      maxPanelCount: 3,
      templateElements: [{ type: 'text', name: 'naam', isRequired: true }],
    },
    {
      type: 'matrixdropdown',
      name: 'kosten',
      rows: ['huur'],
      columns: [{ name: 'bedrag', cellType: 'text', inputType: 'number' }],
    },
    { type: 'comment', name: 'opmerking', visibleIf: '{tevreden} < 3' },
  ],
};

test('check: an accepted definition gets a summary of pages, questions, variables and routing', async () => {
  const res = await cli(['questionnaire', 'check', write('creator.json', CREATOR)]);
  expect(res).toMatchObject({ code: 0, stderr: '' });
  expect(res.stdout).toContain('Accepted: ');
  expect(res.stdout).toContain('pages: 1');
  expect(res.stdout).toContain('questions: 5 storing an answer, 1 display-only or computed');
  // tevreden, leden, dubbel, bestuur_1..3_naam, kosten_huur_bedrag, opmerking
  expect(res.stdout).toContain('variables in an export: 8');
  expect(res.stdout).toContain('routing: 1 condition or trigger');
  expect(res.stdout).toContain("survey-core's own rules");
});

test('check: a refused definition names each problem by its JSON path, exit code 1', async () => {
  const file = write('refused.json', {
    key: 'x',
    survey: {
      pages: [
        {
          name: 'p',
          elements: [{ type: 'dropdown', name: 'land', choicesByUrl: { url: 'https://landen.example/api' } }],
        },
      ],
      questions: [
        { type: 'slidr', name: 's' },
        { type: 'text', name: 'land' },
      ],
    },
  });
  const res = await cli(['questionnaire', 'check', file]);
  expect(res.code).toBe(1);
  expect(res.stdout).toContain('Refused: ');
  expect(res.stdout).toContain('survey.pages[0].elements[0].choicesByUrl: choices loaded from another origin');
  expect(res.stdout).toContain('survey.questions[0].type: survey-core 2.5.38 has no question type "slidr"');
  expect(res.stdout).toContain('survey.questions[1].name: the name "land" is used before, at pages[0].elements[0]');
});

test('check: a file that is no JSON is a usage error that says so', async () => {
  const file = path.join(dir, 'broken.json');
  fs.writeFileSync(file, '{"elements": [');
  const res = await cli(['questionnaire', 'check', file]);
  expect(res.code).toBe(2);
  expect(res.stderr).toContain('is not valid JSON');
});

test('validate: one verdict per line, in order, in the language asked; exit 1 when any is refused', async () => {
  const file = write('creator-v.json', CREATOR);
  const lines = [
    JSON.stringify({ tevreden: 4, leden: 10, dubbel: 5, bestuur: [{ naam: 'An' }] }), // dubbel is recomputed
    JSON.stringify({ leden: 'veel' }),
    '',
    'geen json',
    JSON.stringify({ tevreden: 2, opmerking: 'matig', onbekend: 1 }),
  ].join('\n');
  const res = await cli(['questionnaire', 'validate', file, '--lang', 'en'], lines + '\n');
  expect(res.stderr).toBe('');
  expect(res.code).toBe(1);
  const out = res.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(out).toHaveLength(4);
  expect(out[0]).toEqual({ ok: true });
  expect(out[1]).toMatchObject({ ok: false, line: 2 });
  expect(out[1].errors).toEqual(
    expect.arrayContaining([
      { name: 'leden', message: 'The value should be numeric.' },
      { name: 'tevreden', message: 'Response required.' },
    ]),
  );
  expect(out[2]).toMatchObject({
    ok: false,
    line: 4,
    errors: [{ name: '', message: expect.stringContaining('not valid JSON') }],
  });
  expect(out[3]).toMatchObject({
    ok: false,
    line: 5,
    errors: [{ name: 'onbekend', message: 'This question does not exist in this questionnaire' }],
  });
  const nl = await cli(['questionnaire', 'validate', file], JSON.stringify({}) + '\n');
  expect(JSON.parse(nl.stdout).errors).toEqual([{ name: 'tevreden', message: 'Dit is een vereiste vraag' }]);
});

test('validate: every answer set valid gives exit code 0', async () => {
  const file = write('creator-ok.json', CREATOR);
  const res = await cli(
    ['questionnaire', 'validate', file],
    `${JSON.stringify({ tevreden: 5 })}\n${JSON.stringify({ tevreden: 1, opmerking: 'x' })}\n`,
  );
  expect(res).toEqual({ code: 0, stdout: '{"ok":true}\n{"ok":true}\n', stderr: '' });
});
