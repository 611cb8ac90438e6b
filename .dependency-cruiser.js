/**
 * The layers of Veldwerk, checked by `npm run check:layers` (part of `npm test`):
 *
 *   web (server/<domain>/web/, views) and the command line (server/cli/)
 *     → services (server/<domain>/*.ts)
 *       → data (server/<domain>/data/, db/)
 *
 * Questionnaires (server/questionnaires/*.ts) and the file writers (server/exports/files/) are pure: no database, no
 * services, no HTTP (questionnaires/version-registration.ts and version-uploads.ts are the services that store
 * versions; questionnaires/web/ holds the admin pages of versions).
 * server/shared/ knows no domain. server/app.ts, main.ts and platform.ts wire everything together.
 * Type-only imports count too (tsPreCompilationDeps): a router that names a row type of a query module is a crossing.
 */
const DOMAINS = '(respondent|fielding|mail|accounts|exports|questionnaires|shared)';
const WEB = `^server/${DOMAINS}/web/`;
const DATA = [`^server/${DOMAINS}/data/`, '^db/'];
const SERVICE = `^server/(respondent|fielding|mail|accounts|exports|shared)/(?!web/|data/|files/)`;
const PURE = ['^server/questionnaires/(?!data/|web/|version-(registration|uploads)\\.ts$)', '^server/exports/files/'];
const DATABASE_LIBRARIES = '(^|/)node_modules/(@types/)?(knex|better-sqlite3|pg)/';
// (ejs is not among them: the export service writes HTML codebooks and tables as files with it)
const HTTP_LIBRARIES =
  '(^|/)node_modules/(@types/)?(express|express-serve-static-core|helmet|busboy|proxy-addr|supertest)/';
const ROOT = '^server/(app|main|platform)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'web-calls-services-only',
      comment: 'Routers (and the command line) reach the database only through a service.',
      severity: 'error',
      from: { path: [WEB, '^server/cli/'] },
      to: { path: [...DATA, DATABASE_LIBRARIES], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-names-no-data-types',
      comment: 'Row types reach routers through the services that return them.',
      severity: 'error',
      from: { path: [WEB, '^server/cli/'] },
      // the database handle's type is passed through to services, never queried
      to: { path: DATA, pathNot: '^server/shared/data/connection\\.ts$' },
    },
    {
      name: 'nothing-below-uses-web',
      comment: 'Services, data, questionnaires and file writers know nothing of routers or the command line.',
      severity: 'error',
      from: { pathNot: [WEB, '^server/cli/', ROOT, '^test/', '^bench/'] },
      to: { path: [WEB, '^server/cli/', ROOT] },
    },
    {
      name: 'services-know-no-http',
      comment: 'Services throw domain errors (server/shared/errors.ts); the error middleware maps them to HTTP.',
      severity: 'error',
      from: { path: [SERVICE, ...DATA, ...PURE] },
      to: { path: HTTP_LIBRARIES },
    },
    {
      name: 'data-is-the-bottom',
      comment: 'Query modules, the knex configuration and migrations import only each other and shared helpers.',
      severity: 'error',
      from: { path: DATA },
      to: { path: '^(server|db)/', pathNot: [...DATA, '^server/shared/(?!web/)'] },
    },
    {
      name: 'questionnaires-and-files-are-pure',
      comment: 'Questionnaire models and file writers compute; they read no database and call no service.',
      severity: 'error',
      from: { path: PURE },
      to: {
        path: ['^server/', '^db/', DATABASE_LIBRARIES],
        pathNot: [...PURE, '^server/shared/(locale|calendar|errors)\\.ts$'],
      },
    },
    {
      name: 'shared-knows-no-domain',
      comment: 'server/shared/ is used by every domain and depends on none.',
      severity: 'error',
      from: { path: '^server/shared/' },
      to: { path: `^server/(respondent|fielding|mail|accounts|exports|questionnaires|cli)/` },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^server/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^dist/' },
  },
};
