// survey-core members the verdict, the model and the definition check use beyond its documented API
// (server/questionnaires/survey-verdict.ts, questionnaire-model.ts, survey-definition.ts). survey-core and
// survey-js-ui are pinned to 2.5.38 exactly; each test fails when a member is gone or behaves otherwise.
import fs from 'node:fs';
import path from 'node:path';
import { ExpressionRunner, Model } from 'survey-core';

const ROOT = path.join(__dirname, '../..');

test('survey-core and survey-js-ui are pinned to 2.5.38, and that is what is installed', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  expect([pkg.dependencies['survey-core'], pkg.dependencies['survey-js-ui']]).toEqual(['2.5.38', '2.5.38']);
  const installed = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/survey-core/package.json'), 'utf8'));
  expect(installed.version).toBe('2.5.38');
});

test('validateElements validates the pages given and leaves errors (isError, visible, getText) on the elements', () => {
  const model: any = new Model({
    pages: [
      { name: 'a', elements: [{ type: 'text', name: 'x', isRequired: true }] },
      { name: 'b', elements: [{ type: 'text', name: 'y', isRequired: true }] },
    ],
  });
  model.locale = 'en';
  expect(model.validateElements([model.pages[0]], true, false)).toBe(false);
  const x = model.getQuestionByName('x');
  expect(x.errors.map((e: any) => [e.isError, e.visible, e.getText()])).toEqual([[true, true, 'Response required.']]);
  expect(model.getQuestionByName('y').errors).toHaveLength(0); // page b was not validated
});

test('clearInvisibleQuestionValues drops values of invisible questions as completion does', () => {
  const model: any = new Model({
    elements: [
      { type: 'boolean', name: 'a' },
      { type: 'text', name: 'b', visibleIf: '{a} = true' },
    ],
  });
  model.data = { a: false, b: 'x' };
  model.clearInvisibleQuestionValues();
  expect(model.data).toEqual({ a: false });
});

test('matrix rows expose cells with their question and column; multiple-text items their editor; dynamic panels their questions', () => {
  const model: any = new Model({
    elements: [
      { type: 'matrixdropdown', name: 'm', rows: ['r'], columns: [{ name: 'c', cellType: 'text' }] },
      { type: 'multipletext', name: 'mt', items: [{ name: 'i' }] },
      { type: 'paneldynamic', name: 'p', panelCount: 1, templateElements: [{ type: 'text', name: 't' }] },
    ],
  });
  const row = model.getQuestionByName('m').visibleRows[0];
  expect(row.rowName).toBe('r');
  expect(row.cells[0].column.name).toBe('c');
  expect(row.cells[0].question.getType()).toBe('text');
  expect(row.getQuestionByName('c')).toBe(row.cells[0].question);
  expect(model.getQuestionByName('mt').items[0].editor.getType()).toBe('text');
  expect(model.getQuestionByName('p').panels[0].questions[0].getValueName()).toBe('t');
  expect(model.getQuestionByName('p').template.questions[0].name).toBe('t');
});

test('a localizable string gives its JSON form (plain or per locale)', () => {
  const model: any = new Model({
    elements: [
      { type: 'text', name: 'a', title: { default: 'Vraag', en: 'Question' } },
      { type: 'text', name: 'b', title: 'Eén' },
    ],
  });
  expect(model.getQuestionByName('a').locTitle.getJson()).toEqual({ default: 'Vraag', en: 'Question' });
  expect(model.getQuestionByName('b').locTitle.getJson()).toBe('Eén');
});

test('a complete trigger reports its type as completetrigger; headless models scroll nowhere when told', () => {
  const model: any = new Model({
    triggers: [{ type: 'complete', expression: '{a} = 1' }],
    elements: [{ type: 'text', name: 'a', isRequired: true }],
  });
  expect(model.triggers[0].getType()).toBe('completetrigger');
  model.autoFocusFirstError = false;
  let asked = 0;
  model.onScrollToTop.add((_: unknown, o: any) => {
    asked++;
    o.cancel = true;
  });
  model.getQuestionByName('a').focus(true);
  expect(asked).toBe(1); // without the handler survey-core reaches for the DOM here
});

test('ExpressionRunner.validate names functions survey-core does not have', () => {
  const runner: any = new ExpressionRunner('nosuchfunction({a})');
  expect(runner.canRun()).toBe(true);
  expect(
    runner.validate(undefined, { functions: true, variables: false, semantics: false }, true).length,
  ).toBeGreaterThan(0);
  const ok: any = new ExpressionRunner('sum({a}, 1)');
  expect(ok.validate(undefined, { functions: true, variables: false, semantics: false }, true)).toEqual([]);
});

test('a question knows its page and a new model starts on its first visible page (the compiled engine pads dynamic panels off the first page)', () => {
  const model: any = new Model({
    pages: [
      { name: 'hidden', visibleIf: '{x} = 1', elements: [{ type: 'text', name: 'h' }] },
      { name: 'first', elements: [{ type: 'text', name: 'a' }] },
      {
        name: 'second',
        elements: [
          { type: 'paneldynamic', name: 'p', minPanelCount: 1, templateElements: [{ type: 'text', name: 't' }] },
        ],
      },
    ],
  });
  expect(model.currentPage.name).toBe('first');
  const panels = model.getQuestionByName('p');
  expect(panels.page.name).toBe('second');
  expect(panels.page).not.toBe(model.currentPage);
});
