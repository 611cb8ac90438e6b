// ESLint for the TypeScript sources (npm run lint, part of npm test). Formatting is Prettier's job, not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // input checks (addresses, names, templates, XML text, config values) match control characters on purpose
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // SQL lives in query modules (server/<domain>/data/, db/); routers and services call functions, never knex
    files: ['server/**/*.ts'],
    ignores: ['server/*/data/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression[callee.property.name=/^(raw|pragma|exec|prepare)$/][callee.object.name=/^(db|trx|knex|connection)$/]',
          message: 'SQL belongs in a query module (server/<domain>/data/).',
        },
        {
          selector:
            'CallExpression[callee.property.name=/^(raw|pragma|exec|prepare)$/][callee.object.property.name=/^(db|trx|knex|connection)$/]',
          message: 'SQL belongs in a query module (server/<domain>/data/).',
        },
        {
          selector: 'CallExpression[callee.name=/^(db|trx|knex)$/]',
          message: 'Queries belong in a query module (server/<domain>/data/).',
        },
        {
          selector: 'CallExpression[callee.property.name=/^(db|trx)$/]',
          message: 'Queries belong in a query module (server/<domain>/data/).',
        },
      ],
    },
  },
  {
    // these walk SurveyJS definitions and survey-core objects, which have no usable types here
    files: [
      'server/questionnaires/answer-validator.ts',
      'server/questionnaires/choice-rules.ts',
      'server/questionnaires/survey-rules.ts',
      'server/fielding/synth/answers.ts',
    ],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // tests poke at parsed JSON and stand-ins for browser objects
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // browser scripts served as they are
    files: ['server/public/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        window: 'readonly',
        document: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        console: 'readonly',
        Survey: 'readonly',
        SurveyUI: 'readonly',
        navigator: 'readonly',
        location: 'readonly',
        history: 'readonly',
        URL: 'readonly',
        Event: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    ignores: ['server/public/**'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
