/** The headline tables as CSV rows and as the view model of the HTML page (views/analyst/tables*.ejs). */
import type { HeadlineReport } from './headline-report';

const pct = (x: number | null | undefined, digits = 1): number | null =>
  x === null || x === undefined ? null : Math.round(x * 100 * 10 ** digits) / 10 ** digits;

export const HEADLINE_CSV_HEADER = [
  'indicator',
  'indicator_label',
  'base',
  'breakdown',
  'category',
  'category_label',
  'n',
  'percent',
  'ci_low',
  'ci_high',
  'suppressed',
  'weighted',
  'previous_edition',
  'previous_percent',
  'change_points',
  'significant',
];

export function headlineCsvRows(r: HeadlineReport, lang: 'nl' | 'en'): Array<Array<string | number | null>> {
  const rows: Array<Array<string | number | null>> = [];
  for (const t of r.tables) {
    for (const c of t.cells) {
      const e = c.estimate;
      rows.push([
        t.indicator.id,
        t.indicator.label[lang],
        t.indicator.base,
        t.breakdown.id,
        c.category,
        c.label[lang],
        e ? e.n : null,
        pct(e?.p),
        pct(e?.lo),
        pct(e?.hi),
        c.suppressed ?? '',
        r.weighting ? r.weighting.by : '',
        r.previous && c.previous ? r.previous.edition : '',
        pct(c.previous?.p),
        pct(c.change?.difference),
        c.change ? (c.change.significant ? 'yes' : 'no') : '',
      ]);
    }
  }
  for (const n of r.notes)
    rows.push(['note', n[lang], '', '', '', '', null, null, null, null, '', '', '', null, null, '']);
  return rows;
}

export interface BarView {
  x: number;
  width: number;
  lo: number;
  hi: number;
}

/** Coordinates of the bar and the confidence whisker in a 0–100% chart of `width` pixels. */
export function bar(p: number | null, lo: number | null, hi: number | null, width = 200): BarView | null {
  if (p === null || lo === null || hi === null) return null;
  return {
    x: 0,
    width: Math.round(p * width * 10) / 10,
    lo: Math.round(lo * width * 10) / 10,
    hi: Math.round(hi * width * 10) / 10,
  };
}

export function viewHelpers() {
  return {
    pct: (x: number | null | undefined) => (x === null || x === undefined ? '' : `${(x * 100).toFixed(1)}%`),
    points: (x: number | null | undefined) =>
      x === null || x === undefined ? '' : `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}`,
    bar,
  };
}
