import { buildMessage } from '../../server/mail/wave-mail';
import {
  checkTemplate,
  defaultTemplate,
  formatClosingDate,
  oneLine,
  renderMail,
  TemplateError,
} from '../../server/mail/mail-templates';
import { classifyFailure, isMailAddress, withoutAddresses } from '../../server/mail/mail-transport';

describe('mail texts (no database)', () => {
  const values = {
    link: 'https://m.example.org/s/TOKEN',
    optOutLink: 'https://m.example.org/u/TOKEN',
    closesOn: '2026-03-31',
    survey: 'Monitor',
  };

  test('placeholders are filled as text in one pass; names lose every kind of line break and control character', () => {
    const name = 'A\r\nB\nC\rD\u2028E\u2029F\u0085G\u0000H\t{{link}}';
    const r = renderMail(
      { subject: 'Voor {{name}}', body: 'Beste {{name}},\n{{link}}\nTot {{closing_date}}.' },
      { ...values, name },
      'nl',
    );
    expect(r.subject).toBe('Voor A B C D E F G H {{link}}');
    expect(r.text.split('\n')[0]).toBe('Beste A B C D E F G H {{link}},');
    expect(r.text).toContain('Tot 31 maart 2026.');
    expect(r.text.endsWith('Meld u hier af:\nhttps://m.example.org/u/TOKEN\n')).toBe(true);
    expect(renderMail(defaultTemplate('invite', 'en'), { ...values, name: null }, 'en').text).toMatch(
      /^Dear participant,/,
    );
    expect(oneLine('  a \r\n  b  ')).toBe('a b');
    expect(formatClosingDate('2026-12-01', 'en')).toBe('1 December 2026');
  });

  test('every message carries the opt-out link in List-Unsubscribe with RFC 8058 one-click', () => {
    const m = buildMessage(defaultTemplate('remind', 'nl'), {
      to: 'a@example.org',
      name: 'A',
      token: 'T'.repeat(43),
      publicUrl: 'https://m.example.org',
      closesOn: '2026-03-31',
      survey: 'S',
      language: 'nl',
    });
    expect(m.headers).toEqual({
      'List-Unsubscribe': `<https://m.example.org/u/${'T'.repeat(43)}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(m.text).toContain(`https://m.example.org/s/${'T'.repeat(43)}`);
  });

  test('templates are checked before they are saved', () => {
    expect(checkTemplate({ subject: ' S ', body: 'x {{ link }}\r\n' })).toEqual({ subject: 'S', body: 'x {{ link }}' });
    for (const bad of [
      { subject: '', body: '{{link}}' },
      { subject: 'a\nb', body: '{{link}}' },
      { subject: 'S', body: 'no link' },
      { subject: 'S {{link}}', body: '{{link}}' },
      { subject: 'S', body: '{{link}} {{token}}' },
      { subject: 'S', body: '{{link}}\u0007' },
    ])
      expect(() => checkTemplate(bad)).toThrow(TemplateError);
  });

  test('addresses: only plain addr-specs; errors are classified and lose the addresses they name', () => {
    for (const ok of ['a@example.org', 'a.b+c@sub.example.org']) expect(isMailAddress(ok)).toBe(true);
    for (const bad of [
      'a@example.org\r\nBcc: b@example.org',
      'a@example.org, b@example.org',
      'A <a@example.org>',
      'a@localhost',
      '"a b"@example.org',
      '',
    ])
      expect(isMailAddress(bad)).toBe(false);
    expect(withoutAddresses('550 5.1.1 <x.y@example.org>: no such user x.y@example.org')).toBe(
      '550 5.1.1 [address]: no such user [address]',
    );
    expect(classifyFailure({ code: 'EENVELOPE', responseCode: 550, response: '550 <a@example.org> unknown' })).toEqual({
      kind: 'permanent',
      message: 'EENVELOPE 550: 550 [address] unknown',
    });
    expect(classifyFailure({ code: 'EENVELOPE', responseCode: 451, response: '451 later' }).kind).toBe('temporary');
    expect(classifyFailure({ code: 'EPROTOCOL', responseCode: 503, response: '503 bad sequence' }).kind).toBe(
      'temporary',
    );
    expect(classifyFailure({ code: 'ETIMEDOUT', message: 'Greeting never received' }).kind).toBe('temporary');
    expect(classifyFailure({ code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:25' }).kind).toBe('temporary');
    expect(classifyFailure(Object.assign(new Error('aborted'), { name: 'AbortError' })).kind).toBe('temporary');
  });
});
