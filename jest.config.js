/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // A lazy `import('./x.js')` names the TypeScript module x.ts (node16 resolution), as tsx and esbuild read it.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // CDK synthesis in test/infra takes a few seconds on a cold machine.
  testTimeout: 60000,
  // At least two workers, so the long fault suite runs beside the rest even on a 2-core machine (jest's default there
  // is one). The suites use manual clocks, so sharing the CPU changes no result, only the time.
  maxWorkers: Math.max(2, require('node:os').availableParallelism() - 1),
};
