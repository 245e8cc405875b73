const ESM_ONLY = '(jose|htmlparser2|domhandler|domutils|domelementtype|dom-serializer|entities)';

/** Tests run against a real Temporal dev server and PostgreSQL started by scripts/test.ts. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'], [`/node_modules/${ESM_ONLY}/.+\\.js$`]: ['@swc/jest', { module: { type: 'commonjs' } }] },
  // Packages published as ES modules only (jose; htmlparser2 and its family under sanitize-html):
  // compiled to CommonJS like our own code (Node itself loads them with require(esm)).
  transformIgnorePatterns: [`/node_modules/(?!${ESM_ONLY}/)`],
  // The generated Prisma client uses `.js` specifiers for its own TS files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 120_000,
  // The Temporal SDK logs through our logger at warn (LOG_LEVEL asks for more) in every test file.
  setupFiles: ['<rootDir>/test/support/temporal-runtime.ts'],
  // Each file starts its own in-process worker; two at a time is what 2 cores sustain.
  maxWorkers: 2,
};
