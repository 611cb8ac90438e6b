import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cliActor } from '../accounts/audit';
import {
  checkReport,
  checkUpload,
  MAX_QUESTIONNAIRE_BYTES,
  UploadRefusedError,
} from '../questionnaires/version-upload';
import {
  previousVersion,
  registerUpload,
  renderQuestionnaireDocument,
  resolveVersion,
} from '../questionnaires/version-uploads';
import { diffVersions } from '../questionnaires/version-diff';
import { UsageError } from './usage-error';
import { withPlatform } from './with-platform';

/**
 * `questionnaire add FILE.json --key K --version V [--title-nl T --title-en T --population P --edition E] [--check]`:
 * registers a definition as a new version, exactly as an upload on the admin pages does (same checks, same hash,
 * stored in the database, audited). --check prints the report and the changes and stores nothing.
 */
async function add(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      version: { type: 'string' },
      'title-nl': { type: 'string' },
      'title-en': { type: 'string' },
      population: { type: 'string' },
      edition: { type: 'string' },
      check: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1 || !values.key || !values.version)
    throw new UsageError('questionnaire add needs FILE.json, --key K and --version V');
  const file = positionals[0];
  const size = fs.statSync(file).size;
  if (size > MAX_QUESTIONNAIRE_BYTES)
    throw new Error(`${file} is larger than ${MAX_QUESTIONNAIRE_BYTES / (1024 * 1024)} MB: not a questionnaire`);
  const bytes = fs.readFileSync(file);
  await withPlatform(async ({ db, registry }) => {
    let checked;
    try {
      checked = checkUpload(bytes, {
        key: values.key as string,
        version: values.version as string,
        titleNl: values['title-nl'],
        titleEn: values['title-en'],
        population: values.population,
        edition: values.edition,
      });
    } catch (err) {
      if (err instanceof UploadRefusedError && err.problems.join() !== err.message)
        throw new Error(`${err.message}:\n${err.problems.map((p) => `  - ${p}`).join('\n')}`, { cause: err });
      throw err;
    }
    const draft = registry.compile(checked.questionnaire);
    const report = checkReport(draft.survey);
    const out: string[] = [
      `${draft.id}: accepted by the check. SHA-256 ${draft.sha256}`,
      `  ${report.pages} pages, ${report.questions} questions, ${report.variables} variables, ${report.routed} with routing`,
    ];
    if (report.untranslated.length) out.push(`  ${report.untranslated.length} texts not in both Dutch and English`);
    const previous = previousVersion(registry, draft);
    if (previous) {
      const diff = diffVersions(previous, draft);
      out.push(`Changes from ${previous.id}:`);
      for (const c of diff.questions) out.push(`  ${c.change.padEnd(8)} ${c.name}`);
      if (diff.questions.length === 0) out.push('  none');
    }
    if (values.check) {
      out.push('Checked only (--check): nothing was stored.');
    } else {
      const outcome = await registerUpload(db, registry, checked, {
        actor: cliActor(),
        via: 'cli',
        fileName: path.basename(file),
        now: new Date(),
      });
      out.push(
        outcome.status === 'registered'
          ? `Registered ${draft.id}: waves can use it now.`
          : `${draft.id} was registered already with exactly this content; nothing changed.`,
      );
    }
    process.stdout.write(out.join('\n') + '\n');
  });
}

/** `questionnaire document KEY@VERSION [--out FILE.html]`: the printable questionnaire document, for the ministry. */
async function documentCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('questionnaire document needs KEY@VERSION');
  await withPlatform(async ({ db, registry }) => {
    const q = await resolveVersion(db, registry, positionals[0]);
    if (!q) throw new Error(`there is no questionnaire version ${positionals[0]}`);
    const html = await renderQuestionnaireDocument(q, true);
    if (values.out) {
      fs.writeFileSync(values.out, html);
      process.stdout.write(`Wrote the questionnaire document of ${q.id} to ${values.out}.\n`);
    } else process.stdout.write(html);
  });
}

export async function questionnaire(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'add') return add(rest);
  if (sub === 'document') return documentCommand(rest);
  throw new UsageError(
    'usage: questionnaire add FILE.json --key K --version V [--check] | questionnaire document KEY@VERSION [--out F]',
  );
}
