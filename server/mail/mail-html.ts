/**
 * The HTML alternative of a mail, made from its plain text (the one the administrator wrote and checked): every
 * character escaped, paragraphs at blank lines, line breaks kept, and only the mail's own links (the personal link,
 * the opt-out link, the privacy statement) made clickable. Nothing from a template or a name can add markup. The
 * commissioning organisation's name heads it, so the mail says on whose behalf it comes.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export function mailHtml(p: { text: string; links: string[]; organisation?: string; language: 'nl' | 'en' }): string {
  const links = [...new Set(p.links.filter(Boolean))].sort((a, b) => b.length - a.length);
  const linkify = (escaped: string): string => {
    let out = escaped;
    for (const link of links) {
      const shown = escapeHtml(link);
      out = out.split(shown).join(`<a href="${shown}">${shown}</a>`);
    }
    return out;
  };
  const paragraphs = p.text
    .replace(/\r\n?/g, '\n')
    .replace(/\n-- ?\n/g, '\n\n--\n\n') // the signature separator above the footer becomes a rule
    .split(/\n{2,}/)
    .map((block) => block.trim())
    .filter((block) => block !== '')
    .map((block) =>
      block === '--'
        ? '<hr style="border:0;border-top:1px solid #b0b0b0;margin:1.5em 0">'
        : `<p style="margin:0 0 1em">${block
            .split('\n')
            .map((line) => linkify(escapeHtml(line)))
            .join('<br>\n')}</p>`,
    );
  const heading = p.organisation
    ? `<p style="margin:0 0 1.5em;font-weight:bold;font-size:1.1em">${escapeHtml(p.organisation)}</p>\n`
    : '';
  return (
    `<!doctype html>\n<html lang="${p.language}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>\n' +
    '<body style="margin:0;padding:1em;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a">\n' +
    `<div style="max-width:40em">\n${heading}${paragraphs.join('\n')}\n</div>\n</body></html>\n`
  );
}
