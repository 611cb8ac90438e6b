import { mailHtml } from '../../server/mail/mail-html';

describe('the HTML alternative of a mail', () => {
  const link = 'https://veldwerk.example.org/s/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ';
  const optOut = 'https://veldwerk.example.org/u/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ';
  const text = [
    'Beste <b>Jan</b> & "co",',
    '',
    'Uw link:',
    link,
    'Een andere site: https://evil.example.com/x en javascript:alert(1)',
    '',
    '-- ',
    'Afmelden:',
    optOut,
  ].join('\n');
  const html = mailHtml({ text, links: [link, optOut], organisation: 'Ministerie van BZK <i>', language: 'nl' });

  test('everything is text: markup from a name or the organisation is escaped', () => {
    expect(html).toContain('Beste &lt;b&gt;Jan&lt;/b&gt; &amp; &quot;co&quot;,');
    expect(html).toContain('>Ministerie van BZK &lt;i&gt;</p>');
    expect(html).not.toMatch(/<b>|<i>/);
    expect(html).toContain('<html lang="nl">');
  });

  test("only the mail's own links are clickable", () => {
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual([link, optOut]);
    expect(html).toContain('https://evil.example.com/x en javascript:alert(1)');
  });

  test('paragraphs and line breaks as in the text; the signature line becomes a rule', () => {
    expect(html).toContain(`Uw link:<br>\n<a href="${link}">${link}</a>`);
    expect(html).toMatch(/<hr[^>]*>\n<p[^>]*>Afmelden:<br>/);
  });

  test('without an organisation there is no heading', () => {
    expect(mailHtml({ text: 'Hallo', links: [], language: 'en' })).not.toContain('font-weight:bold');
  });
});
