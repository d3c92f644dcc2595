import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CALLING_RULES } from '../../lambdas/domain/calling-rules';

const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('docs match the code', () => {
  it('docs/compliance.md has a row, a citation and a test for every rule in the table', () => {
    const doc = read('docs/compliance.md');
    for (const rule of CALLING_RULES) {
      const row = doc.split('\n').find((line) => line.startsWith(`| ${rule.id} |`));
      expect(row).toBeDefined();
      expect(row).toContain(`\`rule ${rule.id}\``);
      expect(row).toContain(rule.source.replace(/\?.*$/, '').slice(0, 40));
    }
  });

  it('the README opens with the two newcomer commands', () => {
    const head = read('README.md').split('\n').slice(0, 8).join('\n');
    expect(head).toContain('npm ci && npm start');
    expect(head).toContain('npm test');
  });

  it('every script the README names exists in package.json', () => {
    const scripts = Object.keys(JSON.parse(read('package.json')).scripts as Record<string, string>);
    for (const [, name] of read('README.md').matchAll(/npm run ([a-z:]+)/g)) expect(scripts).toContain(name);
  });

  it('the README curl uses the local runtime key, port and routes', () => {
    const readme = read('README.md');
    const local = read('bin/local.ts');
    const runtime = read('bin/local-runtime.ts');
    expect(readme).toContain("-H 'X-API-Key: local-dev-key'");
    expect(runtime).toContain("options.apiKey ?? 'local-dev-key'");
    expect(readme).toContain('http://127.0.0.1:3000/leads');
    expect(local).toContain("process.env.PORT ?? '3000'");
    expect(runtime).toContain("'POST /leads'");
  });

  it('docs/deploy.md\'s secret.json has exactly the keys the functions\' secret schema reads, each in its table, no value in it', () => {
    const source = read('lambdas/handlers/aws-deps.ts').split(/const secretSchema = z\.(?:strictObject|object)\(\{/)[1]!.split('});')[0]!;
    const schemaKeys = [...source.matchAll(/^\s+(\w+): z\./gm)].map((m) => m[1]!).sort();
    expect(schemaKeys).toEqual(expect.arrayContaining(['blandApiKey', 'intakeApiKey', 'adminApiKey', 'toolsApiKey', 'webhookSecret', 'convosoAuthToken']));
    const doc = read('docs/deploy.md');
    const block = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('"blandApiKey"'))!;
    const secret = JSON.parse(block) as Record<string, string | null>;
    expect(Object.keys(secret).sort()).toEqual(schemaKeys);
    // Placeholders or null only: a doc is no place for a key, even an example one.
    for (const value of Object.values(secret)) expect(value === null || /^<[^<>]+>$/.test(value)).toBe(true);
    const tableKeys = doc.split('\n').filter((l) => /^\| `\w+`/.test(l)).flatMap((l) => [...l.split('|')[1]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!));
    for (const key of schemaKeys) expect(tableKeys).toContain(key);
  });

  it('docs/dependencies.md lists exactly the production dependencies of package.json, each with its reason', () => {
    const deps = Object.keys(JSON.parse(read('package.json')).dependencies as Record<string, string>).sort();
    const rows = read('docs/dependencies.md').split('\n').filter((l) => /^\| `[^`]+` \|/.test(l));
    expect(rows.map((r) => /^\| `([^`]+)`/.exec(r)![1]).sort()).toEqual(deps);
    for (const row of rows) expect(row.split('|')[3]!.trim().length).toBeGreaterThan(20);
  });
});
