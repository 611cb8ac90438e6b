/**
 * How long a questionnaire takes, from its length and routing, for the first page ("about 8 to 12 minutes").
 * Reading and answering times per item are the usual rules of thumb for self-completion web surveys: a closed
 * question about 8 s (a grid row 5 s, after 8 s to read the grid's question), a multiple-response question 12 s, a
 * short text 15 s, an open comment 30 s. The shortest route counts only the pages and questions that are always
 * shown; the longest counts all of them.
 */
interface Element {
  type?: string;
  visibleIf?: string;
  rows?: unknown[];
  items?: unknown[];
  elements?: Element[];
}

const SECONDS: Record<string, (e: Element) => number> = {
  radiogroup: () => 8,
  dropdown: () => 8,
  boolean: () => 6,
  rating: () => 8,
  checkbox: () => 12,
  text: () => 15,
  multipletext: (e) => 8 + 10 * (e.items?.length ?? 1),
  comment: () => 30,
  matrix: (e) => 8 + 5 * (e.rows?.length ?? 1),
  matrixdropdown: (e) => 8 + 10 * (e.rows?.length ?? 1),
  html: () => 5,
  expression: () => 0,
};

function seconds(elements: Element[] | undefined, alwaysShownOnly: boolean): number {
  let total = 0;
  for (const e of elements ?? []) {
    if (alwaysShownOnly && e.visibleIf) continue;
    if (e.elements) total += seconds(e.elements, alwaysShownOnly);
    else total += (SECONDS[e.type ?? ''] ?? (() => 10))(e);
  }
  return total;
}

export interface Estimate {
  /** whole minutes, min ≤ max; equal when routing changes little */
  min: number;
  max: number;
}

export function estimateMinutes(survey: { pages?: Element[] }): Estimate {
  const pages = survey.pages ?? [];
  const shortest = pages.filter((p) => !p.visibleIf).reduce((sum, p) => sum + seconds(p.elements, true), 0);
  const longest = pages.reduce((sum, p) => sum + seconds(p.elements, false), 0);
  const min = Math.max(1, Math.round(shortest / 60));
  const max = Math.max(min, Math.round(longest / 60));
  return max - min <= 1 ? { min: max, max } : { min, max };
}
