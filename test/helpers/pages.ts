/** Reads the questionnaire configuration the respondent page hands to the browser. */
export function surveyConfig(html: string): {
  answers: Record<string, unknown>;
  pageNo: number;
  locale: string;
  survey: unknown;
} {
  const m = /data-config="([^"]*)"/.exec(html);
  if (!m) throw new Error('no data-config on the page');
  const decoded = m[1]
    .replace(/&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return JSON.parse(decoded);
}

/** A complete, valid set of answers to demo@1 for someone who met aggression. */
export const DEMO_VALID = {
  agressie_any: 1,
  agressie_kanaal: [2, 4],
  agressie_toelichting: 'Een boze beller',
  veilig: { werk: 4, online: 2, thuis: 5 },
  gedragscode_bekend: 1,
  jaren_functie: 6,
};
