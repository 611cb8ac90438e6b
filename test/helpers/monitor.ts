/**
 * The monitor questionnaires' first-level follow-up questions: shown to everyone who met aggression in the past twelve
 * months (any screener answer 2-5), and to nobody else, in every edition and both populations.
 */
export const FIRST_LEVEL_FOLLOW_UPS = [
  'recent_vorm',
  'recent_kanaal',
  'recent_ernst',
  'dader',
  'motief',
  'intern_gemeld',
  'aangifte',
  'gevolg',
  'nazorg_ontv',
];
