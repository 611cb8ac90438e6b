/** Every question type of survey-core 2.5.38 that stores an answer (the list issue #15 names). */
export const ANSWER_TYPES = [
  'radiogroup',
  'dropdown',
  'checkbox',
  'tagbox',
  'boolean',
  'rating',
  'ranking',
  'imagepicker',
  'text',
  'comment',
  'multipletext',
  'matrix',
  'matrixdropdown',
  'matrixdynamic',
  'paneldynamic',
  'signaturepad',
  'file',
] as const;

/** The display-only elements, and the expression question, whose value the server computes itself. */
export const DISPLAY_TYPES = ['html', 'image', 'expression'] as const;
