/**
 * The signed-in pages on a phone (360 px wide, chromium with touch): no page is wider than the screen, and nothing
 * sticks out of it, except inside a box that scrolls on its own (a wide table). Every admin and analyst page a
 * fieldwork manager opens is visited with real data in it: long names, long addresses, audit entries, mail.
 */
import type { Page } from 'playwright-core';
import { inviteWave } from '../../server/mail/wave-mail';
import { describeBrowser, screenshot, useSignedInBrowser } from '../helpers/browser';
import { people, sendQueued } from '../helpers/mail';

jest.setTimeout(120_000);

const WIDTH = 360;

/** Elements that reach past the right edge of the screen and are not inside a box that scrolls sideways. */
async function overflowing(page: Page): Promise<{ pageWidth: number; offenders: string[] }> {
  return page.evaluate((width) => {
    const scrolls = (el: Element | null): boolean => {
      for (let e = el; e && e !== document.body; e = e.parentElement) {
        const o = getComputedStyle(e).overflowX;
        if ((o === 'auto' || o === 'scroll') && e.getBoundingClientRect().right <= width + 1) return true;
      }
      return false;
    };
    const offenders: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 1 || scrolls(el.parentElement)) continue;
      const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`;
      offenders.push(`${name} right=${Math.round(box.right)} "${(el.textContent ?? '').trim().slice(0, 40)}"`);
    }
    return { pageWidth: document.documentElement.scrollWidth, offenders: offenders.slice(0, 8) };
  }, WIDTH);
}

describeBrowser('the signed-in pages on a 360 px phone', () => {
  const b = useSignedInBrowser({
    email: 'beheer.met.een.heel.lang.adres@voorbeeldgemeente-aan-de-rivier.example.org',
    viewport: { width: WIDTH, height: 740 },
    mobile: true,
  });
  const paths: Array<[string, string]> = [];

  beforeAll(async () => {
    const live = b.live;
    const wave = await live.wave({
      name: 'Monitor Integriteit en Veiligheid 2026 — politieke ambtsdragers, tweede meting',
    });
    const sample = people(12, 'telefoon').map((p, i) => ({
      ...p,
      name: i === 0 ? 'Anna-Maria van den Heuvel-Wijnberg tot Oostervelde' : p.name,
      email: i === 0 ? 'anna-maria.vandenheuvel-wijnberg@gemeente-sint-michielsgestel.example.org' : p.email,
    }));
    await live.invite(wave, sample);
    await inviteWave(live.db, wave.id, { actor: 'beheer@example.org', now: new Date() });
    await sendQueued(live.db, 'dev-mailbox');
    const person = (await live.db('invitations').where({ wave_id: wave.id }).orderBy('name').first()).id;
    const message = (await live.db('dev_mailbox').max({ id: 'id' }).first())?.id;
    const w = `/admin/waves/${wave.id}`;
    const draft = await live.wave({
      name: 'Concept: Monitor Integriteit en Veiligheid 2028 (ambtenaren), nog niet verstuurd',
    });
    paths.push(
      ['waves', '/admin'],
      ['new wave', '/admin/waves/new'],
      ['wave', w],
      ['draft wave', `/admin/waves/${draft.id}`],
      ['edit wave', `/admin/waves/${draft.id}/edit`],
      ['monitor', `${w}/monitor`],
      ['mail', `${w}/mail`],
      ['template', `${w}/mail/templates/invite/nl`],
      ['import', `${w}/import`],
      ['people', `${w}/people`],
      ['person', `${w}/people/${person}`],
      ['users', '/admin/users'],
      ['audit', '/admin/audit'],
      ['dev mailbox', '/admin/mail/dev-mailbox'],
      ['dev message', `/admin/mail/dev-mailbox/${message}`],
      ['analyst home', '/analyst'],
    );
  });

  test('no page is wider than the screen, and nothing sticks out of it', async () => {
    const { live, page, foreign } = b;
    const problems: string[] = [];
    for (const [name, path] of paths) {
      const res = await page.goto(`${live.origin}${path}`);
      expect([name, res?.status()]).toEqual([name, 200]);
      const { pageWidth, offenders } = await overflowing(page);
      if (pageWidth > WIDTH || offenders.length > 0) {
        problems.push(`${name} (${path}): page ${pageWidth} px wide; ${offenders.join('; ')}`);
        await screenshot(page, `phone-${name.replace(/ /g, '-')}`);
      }
    }
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
