// ESLint: modest general rules (recommended JS + typescript-eslint, no style rules — formatting is
// not linted) and the project's layers, enforced by eslint-plugin-boundaries (`npm run lint`, in CI).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layers, one folder each. Dependencies point one way:
 *
 *   web ··(types)··> api ──> services ──> domain
 *                      ╰──────────┴──────> lib ──> generated (Prisma client)
 *   worker ──> activities ──> domain, lib          workflows ──> domain (+ types of activities)
 *   services, activities ──> connectors ──> domain, lib (downstream admin APIs, under the outbound policy)
 *
 * `partialMatch: false`: a pattern is a folder at the root (so `scripts/lib` is not `lib`).
 */
const ELEMENTS = ['api', 'services', 'domain', 'workflows', 'activities', 'connectors', 'lib', 'generated', 'prisma', 'worker', 'web', 'cli', 'bench', 'scripts', 'test'].map(
  (type) => ({ type, pattern: type, partialMatch: false }),
);

/** Files that some layers may reach into while the rest of their layer stays closed. */
const FILES = [
  // The Prisma client and the module that builds it: services and activities talk to PostgreSQL, routes never.
  { category: 'database', pattern: ['lib/db.ts', 'generated/**'] },
  // The HTTP contract: the console may import its types (z.infer of these schemas), nothing else of the server.
  { category: 'api-schemas', pattern: ['api/schemas.ts', 'api/schemas/**'] },
  // What a client of a workflow needs to start and talk to it; never the workflow code itself.
  { category: 'workflow-contract', pattern: ['workflows/ids.ts', 'workflows/messages.ts', 'workflows/search-attributes.ts'] },
];

const layer = (...types) => ({ element: { types } });
const TYPE_ONLY = { kind: 'type' };
const LOCAL = { module: { origin: 'local' } };
const PRISMA_PACKAGES = { module: { origin: 'external', source: ['@prisma/*', 'prisma', 'pg'] } };

/**
 * What each layer may import. Every other import of the project's own code is refused with the
 * layer's message (the first policy closes the layer, the next ones open what is allowed);
 * packages and Node built-ins are open unless a layer closes them.
 */
const LAYERS = [
  {
    from: 'api',
    message: 'api/ may import services/, domain/ and lib/ (never lib/db or the Prisma client): a route validates, calls a service and answers.',
    allow: [{ to: layer('services', 'domain', 'lib') }],
  },
  {
    from: 'services',
    message:
      'services/ may import domain/, lib/, the Prisma client, and of workflows/ the ids, messages and search attributes (anything else of workflows/ with `import type` only, e.g. the input type to start one).',
    allow: [{ to: layer('domain', 'lib', 'generated', 'connectors') }, { to: { file: { categories: 'workflow-contract' } } }, { to: layer('workflows'), dependency: TYPE_ONLY }],
  },
  {
    from: 'domain',
    message: 'domain/ holds pure rules: it imports domain/ only, and types of lib/ with `import type` (never the database: a rule that needs stored data gets it from a service).',
    allow: [{ to: layer('lib'), dependency: TYPE_ONLY }],
  },
  {
    from: 'workflows',
    message: 'workflows/ may import domain/ and, with `import type`, activities/ (for proxyActivities) only.',
    allow: [{ to: layer('domain') }, { to: layer('activities'), dependency: TYPE_ONLY }],
  },
  {
    from: 'activities',
    message:
      'activities/ may import domain/, lib/, connectors/, the Prisma client and services/authorization.ts only (a type shared with workflows/ belongs in domain/; the workflow re-checks permissions with the rules the API used).',
    allow: [{ to: layer('domain', 'lib', 'generated', 'connectors') }, { to: { file: { path: 'services/authorization.ts' } } }],
  },
  {
    from: 'connectors',
    message: 'connectors/ are clients of downstream admin APIs: they may import domain/ and lib/ (never the database: a service or an activity hands them what they need).',
    allow: [{ to: layer('domain', 'lib') }],
  },
  {
    from: 'lib',
    message: 'lib/ is the bottom layer: it imports no domain/, services/, api/, workflows/ or activities/.',
    allow: [{ to: layer('generated') }],
  },
  {
    from: 'web',
    message: 'web/ talks to the server over HTTP: it may import only types of api/schemas (`import type`), nothing else of the server (the API says what the viewer may do).',
    allow: [{ to: { file: { categories: 'api-schemas' } }, dependency: TYPE_ONLY }],
  },
  {
    from: 'cli',
    message: 'cli/ is an HTTP client: it may import domain/, lib/ (never lib/db) and types of api/schemas only.',
    allow: [{ to: layer('domain', 'lib') }, { to: { file: { categories: 'api-schemas' } }, dependency: TYPE_ONLY }],
  },
  {
    from: 'worker',
    message: 'worker/ may import activities/, domain/, lib/ and the workflow contract (workflow code reaches the sandbox by path, never by import).',
    allow: [{ to: layer('activities', 'domain', 'lib', 'generated') }, { to: { file: { categories: 'workflow-contract' } } }],
  },
  {
    from: 'prisma',
    message: 'prisma/ (the seed) may import domain/ and lib/ only.',
    allow: [{ to: layer('domain', 'lib', 'generated') }],
  },
  {
    from: 'scripts',
    message: 'scripts/ may import lib/, domain/, prisma/ and the workflow contract only.',
    allow: [{ to: layer('lib', 'domain', 'prisma', 'generated') }, { to: { file: { categories: 'workflow-contract' } } }],
  },
  {
    from: 'bench',
    message: 'bench/ may import scripts/, lib/, domain/, activities/, worker/ and the workflow contract only.',
    allow: [{ to: layer('scripts', 'lib', 'domain', 'activities', 'worker', 'generated') }, { to: { file: { categories: 'workflow-contract' } } }],
  },
  {
    // Tests reach every server layer on purpose: they start the real stack and call activities directly.
    from: 'test',
    message: 'test/ may import any server layer and scripts/, not web/.',
    allow: [{ to: layer('api', 'services', 'domain', 'workflows', 'activities', 'connectors', 'lib', 'generated', 'prisma', 'worker', 'scripts') }],
  },
];

/** eslint-plugin-boundaries: the LAST matching policy decides. */
const POLICIES = [
  // Packages and Node built-ins are everyone's, except where a closure below says otherwise.
  { allow: { to: { module: { origin: ['external', 'core'] } } } },
  ...LAYERS.flatMap(({ from, message, allow }) => [
    { from: layer(from), disallow: { to: LOCAL }, message },
    { from: layer(from), allow, message },
  ]),

  // Closures that override the allowances above.
  {
    from: layer('api'),
    disallow: [{ to: { file: { categories: 'database' } } }, { to: PRISMA_PACKAGES }],
    message: 'No Prisma in api/: the database is reached through a service (only api/main.ts builds the client; api/app.ts names its type to hand it to createServices).',
  },
  // The API's composition root: api/main.ts builds the client, api/app.ts passes it to createServices.
  { from: { file: { path: 'api/main.ts' } }, allow: { to: { file: { categories: 'database', path: 'lib/db.ts' } } } },
  // The API process runs a small worker of its own for eager workflow starts (worker/api-worker.ts).
  { from: { file: { path: 'api/main.ts' } }, allow: { to: { file: { path: 'worker/api-worker.ts' } } } },
  { from: { file: { path: 'api/app.ts' } }, allow: { to: { file: { categories: 'database', path: 'lib/db.ts' } }, dependency: TYPE_ONLY } },
  {
    from: layer('connectors'),
    disallow: [{ to: { file: { categories: 'database' } } }, { to: PRISMA_PACKAGES }],
    message: 'connectors/ never reach the database: a service or an activity hands them what they need.',
  },
  {
    from: layer('cli'),
    disallow: [{ to: { file: { categories: 'database' } } }, { to: PRISMA_PACKAGES }],
    message: 'cli/ is an HTTP client: it never reaches the database.',
  },
  {
    from: layer('domain'),
    disallow: { to: { file: { categories: 'database' } } },
    message: 'domain/ holds pure rules and never takes the database: a rule that needs stored data gets it from a service.',
  },
  {
    from: layer('workflows'),
    disallow: [{ to: { module: { origin: 'core' } } }, { to: { module: { origin: 'external', source: '!@temporalio/{workflow,common}' } } }],
    message: 'Workflow code runs in the deterministic sandbox: no Node built-ins, and no packages but @temporalio/workflow and @temporalio/common.',
  },
  {
    from: layer('web'),
    disallow: { to: { module: { origin: 'core' } } },
    message: 'web/ runs in the browser: no Node built-ins.',
  },
];

export default defineConfig(
  { ignores: ['node_modules/', 'generated/', 'dist/', '.data/', 'coverage/', 'bin/', 'test/histories/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // `_`-prefixed names are deliberately unused (placeholders in signatures and destructuring).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.{js,cjs}'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['{api,services,domain,workflows,activities,connectors,lib,worker,web,cli,bench,scripts,test,prisma}/**/*.{ts,tsx}'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': ELEMENTS,
      'boundaries/files': FILES,
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import', 'require'],
      'boundaries/legacy-templates': false,
      'boundaries/legacy-warnings': false,
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] } },
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', checkAllOrigins: true, policies: POLICIES }],
    },
  },
);
