/**
 * A form sent after the session ended (30 minutes idle, here: the session deleted) in chromium: the answer is the
 * sign-in form, which says so; signing in returns to the form's page with what was typed filled in again, and
 * nothing was saved meanwhile.
 */
import { describeBrowser, useSignedInBrowser } from '../helpers/browser';
import { PASSWORD } from '../helpers/signed-in';

jest.setTimeout(90_000);

describeBrowser('a form sent after the session ended keeps what was typed', () => {
  const b = useSignedInBrowser({ viewport: { width: 1024, height: 800 }, signedIn: false });

  /** the sign-in form's fields, on whichever page shows it */
  async function signIn(): Promise<void> {
    await b.page.fill('#email', 'beheer@example.org');
    await b.page.fill('#password', PASSWORD);
    await b.page.click('button:has-text("Sign in")');
  }

  test('the template text survives the sign-in and comes back on the form, unsaved', async () => {
    const { live, page } = b;
    const wave = await live.wave({ name: 'Sessiegolf' });
    const templatePage = `/admin/waves/${wave.id}/mail/templates/invite/en`;
    await page.goto(`${live.origin}/signin`);
    await signIn();
    await page.waitForURL((url) => url.pathname === '/admin');
    await page.goto(`${live.origin}${templatePage}`);
    const body = 'Dear {{name}},\n\nA long text typed with care over half an hour.\n{{link}}\n';
    await page.fill('#subject', 'Please take part: {{survey}}');
    await page.fill('#body', body);

    await live.db('sessions').delete(); // the session ends while the text is being written
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click('button[value="save"]'),
    ]);
    expect(answer.status()).toBe(401);
    expect(await page.textContent('#signin-note')).toContain('Your session had ended');
    expect(await page.isVisible('#vw-draft-kept')).toBe(true);
    expect(await live.db('mail_templates').where({ wave_id: wave.id })).toHaveLength(0);

    await signIn();
    await page.waitForURL((url) => url.pathname === templatePage);
    expect(await page.textContent('#vw-draft-restored')).toContain('What you typed is back');
    expect(await page.inputValue('#subject')).toBe('Please take part: {{survey}}');
    expect(await page.inputValue('#body')).toBe(body);
    expect(await live.db('mail_templates').where({ wave_id: wave.id })).toHaveLength(0); // restored, not sent

    // sent again by the person, it is saved; the next page has no restored text any more
    await page.click('button[value="save"]');
    await page.waitForSelector('text=Saved.');
    expect((await live.db('mail_templates').where({ wave_id: wave.id }).first()).subject).toBe(
      'Please take part: {{survey}}',
    );
    await page.goto(`${live.origin}${templatePage}`);
    expect(await page.$('#vw-draft-restored')).toBeNull();
    expect(b.foreign).toEqual([]);
  });
});
