/** Keyboard-only helpers for the browser tests: nothing here clicks; focus moves with Tab, choices with Space and arrows. */
import type { Page } from 'playwright-core';

/** What has the focus now, for failure messages. */
export async function describeFocus(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return 'nothing';
    const q = el.closest('[data-name]');
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className} value=${(el as HTMLInputElement).value ?? ''} in ${q?.getAttribute('data-name') ?? 'no question'}`;
  });
}

/** Presses Tab (or Shift+Tab) until the focused element matches `selector`; fails after `max` presses. */
export async function tabTo(page: Page, selector: string, opts: { max?: number; back?: boolean } = {}): Promise<void> {
  const max = opts.max ?? 40;
  for (let i = 0; i <= max; i++) {
    if (await page.evaluate((sel) => Boolean(document.activeElement?.matches(sel)), selector)) return;
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`no focus on ${selector} after ${max} Tab presses; focus is on ${await describeFocus(page)}`);
}

/** Is the element matching `selector` checked? */
export function isChecked(page: Page, selector: string): Promise<boolean> {
  return page.$eval(selector, (el) => (el as HTMLInputElement).checked);
}

/**
 * Chooses a radio button in a group (a radiogroup question or one matrix row) with the keyboard: Tab into the group,
 * Space on the focused button, then arrow keys to the wanted one. `group` selects the group's radio inputs.
 */
export async function chooseRadio(page: Page, group: string, value: string | number): Promise<void> {
  await tabTo(page, group);
  const focused = await page.evaluate(() => (document.activeElement as HTMLInputElement).value);
  if (focused !== String(value)) {
    const values = await page.$$eval(group, (els) => els.map((e) => (e as HTMLInputElement).value));
    const from = values.indexOf(focused);
    const to = values.indexOf(String(value));
    if (to < 0) throw new Error(`${group} has no value ${value} (has ${values.join(', ')})`);
    for (let i = 0; i < Math.abs(to - from); i++) await page.keyboard.press(to > from ? 'ArrowDown' : 'ArrowUp');
  } else {
    await page.keyboard.press('Space');
  }
  await page.waitForFunction(
    ([sel, v]) => Array.from(document.querySelectorAll<HTMLInputElement>(sel)).some((e) => e.checked && e.value === v),
    [group, String(value)] as const,
  );
}

/** Ticks check boxes of a checkbox question by value: Tab to each, Space. */
export async function tickBoxes(page: Page, question: string, values: Array<string | number>): Promise<void> {
  for (const value of values) {
    const box = `[data-name="${question}"] input[type="checkbox"][value="${value}"]`;
    await tabTo(page, box);
    await page.keyboard.press('Space');
    await page.waitForFunction((sel) => document.querySelector<HTMLInputElement>(sel)?.checked === true, box);
  }
}

/** Tab to a text field or text area and type into it. */
export async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await tabTo(page, selector);
  await page.keyboard.type(text);
}

/** Tab to a button and press Enter. */
export async function press(page: Page, selector: string, opts: { back?: boolean } = {}): Promise<void> {
  await tabTo(page, selector, { back: opts.back });
  await page.keyboard.press('Enter');
}
