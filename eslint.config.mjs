import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.cache/**', 'node_modules/**', 'cdk.out/**', 'coverage/**', '.ci-out/**', '**/*.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module', globals: { process: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The domain is pure: no AWS, no infrastructure, no clock. Time comes in as an argument.
    files: ['lambdas/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@aws-sdk/*', 'aws-lambda', 'aws-cdk-lib', 'aws-cdk-lib/*', '@aws-lambda-powertools/*', 'constructs'], message: 'lambdas/domain is pure: no AWS imports.' },
          { group: ['node:fs', 'fs', 'node:http', 'http', 'node:net', 'net'], message: 'lambdas/domain does no I/O.' },
          { group: ['../adapters/*', '../handlers/*', '../app/*'], message: 'the domain depends on nothing outside it.' },
        ],
      }],
      'no-restricted-syntax': ['error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Inject the clock: pass the instant in.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Inject the clock: pass the instant in.' },
        { selector: "MemberExpression[object.name='DateTime'][property.name='now']", message: 'Inject the clock: pass the instant in.' },
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Inject randomness: pass a random source in.' },
      ],
    },
  },
);
