import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ManualClock } from '../../lambdas/adapters/system-clock';
import { parseConfig } from '../../lambdas/config/config';
import { validateBackfillInput } from '../../lambdas/app/backfill';
import { LOCAL_DEMO_CONFIG, startLocalRuntime, type LocalRuntime } from '../../bin/local-runtime';
import { mainAsync } from '../../bin/cli';

/**
 * Docs that lie are defects: every command line in the ```sh / ```bash / ```console blocks of README.md and docs/*.md
 * is classified, and each class is exercised:
 *   a. local: run against a real local runtime started here as `npm start` starts it (demo config, demo history):
 *      `curl` through the curl binary, `npx redial ...` through the CLI's own mainAsync;
 *   b. aws: checked without AWS: `npx cdk` subcommand, flags and context keys; `aws <service> <operation>` and flags
 *      against an allowlist taken from the AWS CLI reference; `npx redial ... --aws` parsed and stopped only by an
 *      unreachable AWS endpoint; commands against `<ApiUrl>` run against the local runtime, which serves the same routes;
 *   c. process: npm scripts exist; `npm start` is spawned and answers /health.
 * A command that fits no class fails the first test, so a new doc command cannot go unexercised.
 */
const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const DOC_FILES = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const LOCAL_BASE = 'http://127.0.0.1:3000';

// ---------------------------------------------------------------------------------------------------------------
// Extraction: fenced blocks → command lines → argv (quotes as a POSIX shell reads them), env prefixes, comments.

interface DocCommand {
  readonly file: string;
  readonly line: number;
  /** The command as written (continuations joined, comment stripped). */
  readonly text: string;
  readonly env: Record<string, string>;
  readonly argv: string[];
  /** The HTTP status the doc promises (`# → 400`), in the line's comment or a comment line right below it. */
  expectStatus?: number;
}

/** Splits one shell line into words; an unquoted `#` starting a word begins a comment; `&&` separates commands. */
function shellWords(line: string): { commands: string[][]; comment: string } {
  const commands: string[][] = [[]];
  let word: string | null = null;
  let i = 0;
  const push = () => {
    if (word !== null) commands[commands.length - 1]!.push(word);
    word = null;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      push();
      i++;
    } else if (c === '#' && word === null) {
      return { commands: commands.filter((c2) => c2.length > 0), comment: line.slice(i + 1).trim() };
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unbalanced ' in: ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && '"\\$`'.includes(line[i + 1] ?? '')) i++;
        else if (line[i] === '$' || line[i] === '`') throw new Error(`shell expansion in a doc command (write the value out): ${line}`);
        value += line[i];
        i++;
      }
      if (i >= line.length) throw new Error(`unbalanced " in: ${line}`);
      word = (word ?? '') + value;
      i++;
    } else if (c === '\\') {
      word = (word ?? '') + (line[i + 1] ?? '');
      i += 2;
    } else if (c === '&' && line[i + 1] === '&' && word === null) {
      commands.push([]);
      i += 2;
    } else if ('|;&$`()'.includes(c) || ((c === '>' || c === '<') && word === null && !/^<[A-Za-z][^>]*>/.test(line.slice(i)))) {
      // Pipes, redirections, substitutions: the test could not tell what such a line does. `<runId>` is a placeholder.
      throw new Error(`unsupported shell syntax "${c}" in a doc command: ${line}`);
    } else {
      word = (word ?? '') + c;
      i++;
    }
  }
  push();
  return { commands: commands.filter((c) => c.length > 0), comment: '' };
}

function extractCommands(markdown: string, file: string): DocCommand[] {
  const lines = markdown.split('\n');
  const found: DocCommand[] = [];
  let fence: string | null = null;
  let lastEnd = -2; // the line where the last command ended
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const open = /^\s*```\s*([\w-]*)\s*$/.exec(line);
    if (fence === null && open) {
      fence = open[1]!.toLowerCase();
      continue;
    }
    if (fence !== null && /^\s*```\s*$/.test(line)) {
      fence = null;
      continue;
    }
    if (fence === null || !['sh', 'bash', 'console', 'shell'].includes(fence)) continue;
    let text = line;
    const start = n;
    if (fence === 'console') {
      if (!/^\s*\$ /.test(text)) continue; // output lines
      text = text.replace(/^\s*\$ /, '');
    }
    while (/\\\s*$/.test(text) && n + 1 < lines.length) text = text.replace(/\\\s*$/, ' ') + lines[++n]!.trim();
    const promised = (comment: string) => /^→\s*(\d{3})\b/.exec(comment)?.[1];
    if (/^\s*#/.test(text)) {
      const status = promised(text.replace(/^\s*#\s*/, ''));
      if (status && lastEnd === n - 1) found.at(-1)!.expectStatus = Number(status);
      continue;
    }
    if (text.trim() === '') continue;
    lastEnd = n;
    let parsed: ReturnType<typeof shellWords>;
    try {
      parsed = shellWords(text);
    } catch (error) {
      // Kept, with no argv: it fits no class, so the classification test names it and why.
      found.push({ file, line: start + 1, text: `${text.trim()}  (${(error as Error).message.split(':')[0]})`, env: {}, argv: [] });
      continue;
    }
    const { commands, comment } = parsed;
    for (const words of commands) {
      const env: Record<string, string> = {};
      while (words.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(words[0]!)) {
        const [key, ...value] = words.shift()!.split('=');
        env[key!] = value.join('=');
      }
      const status = promised(comment);
      found.push({ file, line: start + 1, text: words.join(' '), env, argv: words, ...(status ? { expectStatus: Number(status) } : {}) });
    }
  }
  return found;
}

/** Fenced blocks with no language (or another one) that hold commands would escape the extraction: refused. */
function unlabelledCommandBlocks(markdown: string, file: string): string[] {
  const lines = markdown.split('\n');
  const bad: string[] = [];
  let fence: string | null = null;
  for (const [n, line] of lines.entries()) {
    const open = /^\s*```\s*([\w-]*)\s*$/.exec(line);
    if (fence === null && open) fence = open[1]!.toLowerCase();
    else if (fence !== null && /^\s*```\s*$/.test(line)) fence = null;
    else if (fence !== null && !['sh', 'bash', 'console', 'shell'].includes(fence) && /^\s*(\$ )?(npx|npm|curl|aws) /.test(line)) bad.push(`${file}:${n + 1} ${line.trim()}`);
  }
  return bad;
}

// ---------------------------------------------------------------------------------------------------------------
// Classification.

type Kind =
  | 'local curl' | 'local redial'
  | 'aws cdk' | 'aws cli' | 'aws redial --aws' | 'aws redial --url' | 'aws curl'
  | 'process npm script' | 'process npm ci' | 'process npm audit';

const flagValue = (argv: readonly string[], flag: string) => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};

function classify(cmd: DocCommand): Kind | null {
  const [tool, sub] = cmd.argv;
  if (tool === 'curl') {
    if (cmd.argv.some((a) => a.startsWith(`${LOCAL_BASE}/`))) return 'local curl';
    if (cmd.argv.some((a) => a.startsWith('<ApiUrl>/'))) return 'aws curl';
    return null;
  }
  if (tool === 'npx' && sub === 'redial') {
    if (cmd.argv.includes('--aws')) return 'aws redial --aws';
    if (flagValue(cmd.argv, '--url')?.startsWith('<ApiUrl')) return 'aws redial --url';
    if (cmd.argv.includes('--url')) return null; // a literal URL: neither local nor the stack's
    return 'local redial';
  }
  if (tool === 'npx' && sub === 'cdk') return 'aws cdk';
  if (tool === 'aws') return 'aws cli';
  if (tool === 'npm') {
    if (sub === 'ci') return 'process npm ci';
    if (sub === 'audit') return 'process npm audit';
    if (sub === 'start' || sub === 'test' || sub === 'run') return 'process npm script';
  }
  return null;
}

const ALL = DOC_FILES.flatMap((file) => extractCommands(read(file), file));
const where = (c: DocCommand) => `${c.file}:${c.line} ${c.text}`;
const ofKind = (...kinds: Kind[]) => ALL.filter((c) => kinds.includes(classify(c)!));

/** One test per doc command of these kinds, in doc order; a kind no doc uses now is a todo, not an error. */
function eachCommand(kinds: Kind[], title: string, fn: (cmd: DocCommand) => Promise<void> | void, timeout?: number) {
  const cases = ofKind(...kinds).map((c) => [where(c), c] as const);
  if (cases.length === 0) it.todo(`${kinds.join(', ')}: ${title} (no such command in the docs)`);
  else it.each(cases)(`%s${title ? `: ${title}` : ''}`, (_w, cmd) => fn(cmd), timeout);
}

/**
 * The placeholders AWS commands may hold: the stack outputs (lib/ CfnOutputs; `ApiUrl` and the others), the
 * secret's keys (docs/deploy.md's secret.json), and the values an earlier command of the runbook prints.
 */
const STACK_OUTPUTS = ['bin/redial.ts', ...readdirSync(join(root, 'lib')).map((f) => `lib/${f}`)]
  .flatMap((f) => [...read(f).matchAll(/new CfnOutput\((?:this|stack), '([^']+)'/g)].map((m) => m[1]!));
const SECRET_KEYS = [...read('lambdas/handlers/aws-deps.ts').split(/const secretSchema = z\.(?:strictObject|object)\(\{/)[1]!.split('});')[0]!.matchAll(/^\s+(\w+): z\./gm)].map((m) => m[1]!);
const PRINTED = { SecretArn: 'list-stack-resources', executionArn: 'list-executions', runId: 'backfill start', account: 'sts get-caller-identity', region: 'the CLI profile' };

// ---------------------------------------------------------------------------------------------------------------

describe('doc command extraction', () => {
  it('reads quotes, continuations, comments, env prefixes and && as a shell would', () => {
    const md = [
      '```sh',
      "curl -s -X POST http://x/leads -H 'X-API-Key: k' \\",
      '  -d \'{"phone":"(212) 555-0100"}\'',
      '# → 202 {"phone":"+12125550100"}',
      'curl -s http://x/leads/1   # → 404',
      '# a comment line',
      '',
      'npm ci && npm start   # both',
      'A=1 B="two words" npx redial block "(212) 555-0101" --reason "a # kept"',
      '```',
      '```console',
      '$ npx redial status',
      'running',
      '```',
      '```json',
      '{ "npx": 1 }',
      '```',
    ].join('\n');
    const got = extractCommands(md, 'x.md').map(({ line, env, argv, expectStatus }) => ({ line, env, argv, expectStatus }));
    expect(got).toEqual([
      { line: 2, env: {}, argv: ['curl', '-s', '-X', 'POST', 'http://x/leads', '-H', 'X-API-Key: k', '-d', '{"phone":"(212) 555-0100"}'], expectStatus: 202 },
      { line: 5, env: {}, argv: ['curl', '-s', 'http://x/leads/1'], expectStatus: 404 },
      { line: 8, env: {}, argv: ['npm', 'ci'], expectStatus: undefined },
      { line: 8, env: {}, argv: ['npm', 'start'], expectStatus: undefined },
      { line: 9, env: { A: '1', B: 'two words' }, argv: ['npx', 'redial', 'block', '(212) 555-0101', '--reason', 'a # kept'], expectStatus: undefined },
      { line: 12, env: {}, argv: ['npx', 'redial', 'status'], expectStatus: undefined },
    ]);
    expect(() => shellWords('npx redial report today | head')).toThrow(/unsupported shell syntax/);
    expect(() => shellWords('X=$(aws sts get-caller-identity) npx cdk deploy')).toThrow(/unsupported shell syntax/);
    expect(() => shellWords('npx redial lead "$PHONE"')).toThrow(/shell expansion/);
    expect(shellWords('npx redial backfill status <runId>').commands).toEqual([['npx', 'redial', 'backfill', 'status', '<runId>']]);
    // Such a line is kept without argv, so it fits no class and the next test names it.
    const piped = extractCommands('```sh\nnpx redial report today | head\n```', 'y.md');
    expect(piped).toEqual([expect.objectContaining({ line: 2, argv: [], text: expect.stringContaining('unsupported shell syntax') })]);
    expect(classify(piped[0]!)).toBeNull();
  });

  it('finds the doc commands, and every one is in a class that is exercised below', () => {
    expect(ALL.length).toBeGreaterThan(40);
    const unclassified = ALL.filter((c) => classify(c) === null).map(where);
    expect(unclassified).toEqual([]);
    const counts: Record<string, number> = {};
    for (const c of ALL) counts[classify(c)!] = (counts[classify(c)!] ?? 0) + 1;
    console.log(`${ALL.length} doc commands: ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  });

  it('no command hides in a fenced block that is not sh, bash or console', () => {
    expect(DOC_FILES.flatMap((f) => unlabelledCommandBlocks(read(f), f))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------

const START = Date.parse('2026-11-24T15:40:00Z'); // Tuesday 10:40 EST, the day README's sample output is from
let rt: LocalRuntime;
let dataDir: string;
const clock = new ManualClock(START);
const savedEnv = { ...process.env };

async function runCli(argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const before = { ...process.env };
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  try {
    const code = await mainAsync(argv, clock, (l) => out.push(String(l)), (l) => err.push(String(l)));
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    process.env = before;
  }
}

const hasCurl = ['/usr/bin/curl', '/usr/local/bin/curl', '/bin/curl'].some((p) => existsSync(p));

async function runCurl(argv: string[]): Promise<{ status: number; body: string }> {
  if (!hasCurl) return curlByFetch(argv);
  // The doc's own arguments, then -w to learn the status (the docs use -s, which prints only the body).
  const { stdout } = await promisify(execFile)('curl', [...argv.slice(1), '-w', '\n%{http_code}', '--max-time', '20'], { timeout: 25_000 });
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

/** Without a curl binary: the curl options the docs use (-s, -X, -H, -d), anything else refused. */
async function curlByFetch(argv: string[]): Promise<{ status: number; body: string }> {
  let method: string | undefined;
  let body: string | undefined;
  let url: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-s') continue;
    if (a === '-X') method = argv[++i];
    else if (a === '-H') {
      const [k, ...v] = argv[++i]!.split(':');
      headers[k!.trim()] = v.join(':').trim();
    } else if (a === '-d') body = argv[++i];
    else if (!a.startsWith('-') && url === undefined) url = a;
    else throw new Error(`curl option ${a} is not translated`);
  }
  // curl -d posts form-encoded unless told otherwise.
  if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(url!, { method: method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  return { status: res.status, body: await res.text() };
}

/** The status the doc promises, else any 2xx (the status itself when it is one). */
const expectedStatus = (cmd: DocCommand, got: number) => cmd.expectStatus ?? (got >= 200 && got < 300 ? got : 200);

/** `<ApiUrl>`, `<adminApiKey>`...: the stack's values have local stand-ins serving the same routes. */
function localStandIns(argv: readonly string[]): string[] {
  return argv.map((a) => a
    .replace(/^<ApiUrl[^>]*>/, rt.url)
    .replace(/<adminApiKey>/g, rt.apiKey)
    .replace(/<intakeApiKey>/g, rt.apiKey)
    .replace(/<toolsApiKey>/g, 'local-tools-key')
    .replace(LOCAL_BASE, rt.url));
}

describe('a. against a local runtime started as npm start starts it', () => {
  let runId: string | null = null;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'redial-docs-'));
    rt = await startLocalRuntime({
      // npm start's config (LOCAL_DEMO_CONFIG, bin/local.ts). The backfill's Convoso rate is raised: at the default
      // 40 lookups/s each README backfill of 38 demo dates takes about 40 s of real time, which proves nothing more.
      config: parseConfig({ ...LOCAL_DEMO_CONFIG, backfill: { crmRatePerSecond: 5_000 } }),
      dataDir,
      clock,
      tickMs: 0,
      demoHistory: true,
    });
    process.env['REDIAL_URL'] = rt.url;
  }, 30_000);

  afterAll(async () => {
    process.env = savedEnv;
    await rt?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function runLocal(cmd: DocCommand) {
    clock.advance(60_000); // a minute between commands, as a reader types them
    const argv = localStandIns(cmd.argv.map((a) => (a === '<runId>' && runId ? runId : a)));
    const left = argv.filter((a) => /<[A-Za-z][^>]*>/.test(a));
    expect(left).toEqual([]); // every placeholder is filled from an earlier command's output
    if (argv[0] === 'curl') {
      const { status, body } = await runCurl(argv);
      expect(status).toBe(expectedStatus(cmd, status));
      expect(() => JSON.parse(body)).not.toThrow();
      return;
    }
    const { code, out, err } = await runCli(argv.slice(2), { REDIAL_URL: rt.url, ...cmd.env });
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out.trim().length).toBeGreaterThan(0);
    if (argv.includes('--json')) expect(() => JSON.parse(out)).not.toThrow();
    const started = /^backfill (\S+) started:/m.exec(out);
    if (started) {
      runId = started[1]!;
      // A finished backfill prints its summary table: one line per date, then the totals.
      expect(out).toMatch(/^total: \d+ calls/m);
    }
  }

  // A backfill of the README's 38 demo dates takes 5-15 s here; a busy CI machine gets room.
  eachCommand(['local curl', 'local redial'], '', runLocal, 60_000);

  it('the README walk-through did what it says: the lead exists, a backfill ran, the kill switch answers', async () => {
    expect((await rt.store.get('+12125550100'))?.phone).toBe('+12125550100');
    expect(runId).not.toBeNull();
    const status = await runCli(['status']);
    expect(status.out).toMatch(/^(paused|running)$/);
  });

  describe('b. AWS-only commands, checked without AWS', () => {
    it('their placeholders name stack outputs, secret keys or values an earlier runbook command prints', () => {
      expect(STACK_OUTPUTS).toEqual(expect.arrayContaining(['ApiUrl', 'BackfillStateMachineArn', 'TableName', 'DashboardName', 'AlarmTopicArn']));
      expect(SECRET_KEYS).toEqual(expect.arrayContaining(['blandApiKey', 'intakeApiKey', 'adminApiKey', 'toolsApiKey']));
      const known = [...STACK_OUTPUTS, ...SECRET_KEYS, ...Object.keys(PRINTED)];
      const aws = ofKind('aws cdk', 'aws cli', 'aws redial --aws', 'aws redial --url', 'aws curl');
      const unknown = aws.flatMap((c) => [...[...c.argv, ...Object.values(c.env)].join(' ').matchAll(/<([^<>]+)>/g)].map((m) => m[1]!).filter((p) => !known.includes(p)).map((p) => `${where(c)}: <${p}>`));
      expect(unknown).toEqual([]);
    });

    eachCommand(['aws redial --url', 'aws curl'], 'runs against the routes the stack serves (local stand-in for <ApiUrl>)', async (cmd) => {
      const argv = localStandIns(cmd.argv);
      expect(argv.filter((a) => /<[A-Za-z][^>]*>/.test(a))).toEqual([]);
      if (argv[0] === 'curl') {
        // The path is a route of the HTTP API (lib/webhooks-api.ts), and the command works against the same route locally.
        const path = new URL(argv.find((a) => a.startsWith(rt.url))!).pathname;
        expect(read('lib/webhooks-api.ts')).toContain(`path: '${path}'`);
        const { status, body } = await runCurl(argv);
        expect({ status, body }).toEqual({ status: expectedStatus(cmd, status), body: expect.any(String) });
        return;
      }
      // REDIAL_URL unset: only --url can have sent the command to the runtime.
      const { code, out, err } = await runCli(argv.slice(2), { REDIAL_URL: undefined, REDIAL_API_KEY: undefined });
      expect({ code, err }).toEqual({ code: 0, err: '' });
      expect(out.trim().length).toBeGreaterThan(0);
    });

    eachCommand(['aws redial --aws'], 'arguments accepted; stopped only by the unreachable AWS endpoint', async (cmd) => {
      const closed = await freePort(); // nothing listens there
      for (const name of Object.keys(cmd.env)) expect(['REDIAL_STATE_MACHINE_ARN', 'REDIAL_TABLE_NAME', 'REDIAL_CONFIG', 'AWS_REGION', 'AWS_PROFILE']).toContain(name);
      const argv = cmd.argv.slice(2).map((a) => (a === '<runId>' ? 'backfill-2025-12-01-2026-01-07' : a));
      const run = runCli(argv, {
        REDIAL_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:BackfillStateMachine-doc',
        REDIAL_TABLE_NAME: 'redial-doc-check',
        AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDDOCCHECK', AWS_SECRET_ACCESS_KEY: 'doc-check', AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined,
        AWS_ENDPOINT_URL: `http://127.0.0.1:${closed}`, AWS_MAX_ATTEMPTS: '1',
      });
      // A bad flag or input resolves with exit code 2 and the reason; only reaching for AWS rejects.
      const outcome = await run.then((resolved) => ({ resolved }), (error: Error) => ({ rejected: `${(error as { code?: string }).code ?? ''} ${error.message}` }));
      expect(outcome).toEqual({ rejected: expect.stringMatching(/ECONNREFUSED/) });
    });

    let cdkHelp: Map<string, string>;
    beforeAll(async () => {
      const subs = [...new Set(ofKind('aws cdk').map((c) => c.argv[2]!))];
      const cdk = join(root, 'node_modules', '.bin', 'cdk');
      const help = async (args: string[]) => (await promisify(execFile)(cdk, args, { cwd: root, timeout: 30_000 })).stdout;
      cdkHelp = new Map(await Promise.all([['', ['--help']] as const, ...subs.map((s) => [s, [s, '--help']] as const)].map(async ([k, a]) => [k, await help([...a])] as const)));
    }, 60_000);

    eachCommand(['aws cdk'], 'a real cdk subcommand, its flags, and context keys the app reads', (cmd) => {
      const [, , sub, ...rest] = cmd.argv;
      // The installed CLI's own help lists its commands and each command's options.
      expect(cdkHelp.get('')).toMatch(new RegExp(`^\\s+cdk ${sub} `, 'm'));
      const options = cdkHelp.get(sub!)!;
      const contextKeys = [...read('bin/redial.ts').matchAll(/tryGetContext\('([^']+)'\)/g)].map((m) => m[1]!);
      const stacks = [...read('bin/redial.ts').matchAll(/new RedialStack\(app, '([^']+)'/g)].map((m) => m[1]!);
      for (let i = 0; i < rest.length; i++) {
        const arg = rest[i]!;
        if (arg === '-c' || arg === '--context') {
          const [key, ...value] = rest[++i]!.split('=');
          expect(contextKeys).toContain(key);
          if (key === 'redialConfig') {
            const overrides = JSON.parse(value.join('=')) as Record<string, unknown>;
            expect(() => parseConfig(overrides)).not.toThrow();
            // The schema ignores unknown keys, so a misspelt one would deploy silently as the default: each must exist.
            expect(keyPaths(overrides).filter((path) => !hasPath(parseConfig({}), path))).toEqual([]);
          }
          if (key === 'alarmEmail') expect(value.join('=')).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
          if (key === 'stage') expect(value.join('=')).toMatch(/^[a-z0-9-]+$/);
        } else if (arg.startsWith('-')) {
          const name = arg.split('=')[0]!;
          expect(options).toMatch(new RegExp(`^\\s+${name}[ ,]`, 'm'));
          if (!arg.includes('=') && rest[i + 1] && !rest[i + 1]!.startsWith('-') && /\[(string|array|number)\]/.test(options.split(name)[1]!.split('\n  -')[0]!)) i++;
        } else if (sub === 'deploy' || sub === 'synth' || sub === 'diff' || sub === 'destroy') {
          expect(stacks).toContain(arg);
        } else if (sub === 'bootstrap') {
          expect(arg).toMatch(/^aws:\/\/(\d{12}|<[A-Za-z-]+>)\/([a-z]{2}-[a-z]+-\d|<[A-Za-z-]+>)$/);
        } else {
          throw new Error(`unexpected argument ${arg}`);
        }
      }
      // The context keys the app reads are exactly those lib/ and bin/ read (none hides in a construct).
      const inLib = readdirSync(join(root, 'lib')).flatMap((f) => [...read(`lib/${f}`).matchAll(/tryGetContext\('([^']+)'\)/g)].map((m) => m[1]!));
      expect(inLib).toEqual([]);
    });

    /**
     * The `aws` operations the docs may use, with their flags, from the AWS CLI v2 command reference
     * (https://docs.aws.amazon.com/cli/latest/reference/<service>/<operation>.html; the synopsis of each):
     * - secretsmanager put-secret-value: --secret-id (required), --secret-string (file:// reads a file)
     * - secretsmanager get-secret-value: --secret-id (required)
     * - cloudformation describe-stacks: --stack-name; cloudformation list-stack-resources: --stack-name (required;
     *   describe-stack-resources returns only the first 100 resources and this stack has more)
     * - stepfunctions start-execution: --state-machine-arn (required), --name, --input
     * - stepfunctions list-executions: --state-machine-arn, --status-filter (RUNNING|SUCCEEDED|FAILED|TIMED_OUT|ABORTED|PENDING_REDRIVE)
     * - stepfunctions redrive-execution: --execution-arn (required; Standard workflows, within 14 days)
     * - sns subscribe: --topic-arn, --protocol (required), --notification-endpoint (an address for `email`)
     * - sts get-caller-identity: no options of its own
     * Global options on every operation: --query, --output, --region, --profile.
     */
    const AWS_OPS: Record<string, { required: string[]; optional: string[] }> = {
      'secretsmanager put-secret-value': { required: ['--secret-id'], optional: ['--secret-string'] },
      'secretsmanager get-secret-value': { required: ['--secret-id'], optional: [] },
      'cloudformation describe-stacks': { required: [], optional: ['--stack-name'] },
      'cloudformation list-stack-resources': { required: ['--stack-name'], optional: [] },
      'stepfunctions start-execution': { required: ['--state-machine-arn'], optional: ['--name', '--input'] },
      'stepfunctions list-executions': { required: [], optional: ['--state-machine-arn', '--status-filter'] },
      'stepfunctions redrive-execution': { required: ['--execution-arn'], optional: [] },
      'sns subscribe': { required: ['--topic-arn', '--protocol'], optional: ['--notification-endpoint'] },
      'sts get-caller-identity': { required: [], optional: [] },
    };
    const AWS_GLOBAL = ['--query', '--output', '--region', '--profile'];

    eachCommand(['aws cli'], 'an AWS CLI operation and flags from its reference', (cmd) => {
      const [, service, op, ...rest] = cmd.argv;
      const spec = AWS_OPS[`${service} ${op}`];
      expect(spec).toBeDefined();
      const flags = new Map<string, string>();
      for (let i = 0; i < rest.length; i += 2) {
        expect(rest[i]).toMatch(/^--[a-z-]+$/);
        expect(rest[i + 1]).toBeDefined();
        flags.set(rest[i]!, rest[i + 1]!);
      }
      for (const f of flags.keys()) expect([...spec!.required, ...spec!.optional, ...AWS_GLOBAL]).toContain(f);
      for (const f of spec!.required) expect(flags.has(f)).toBe(true);
      if (flags.has('--output')) expect(['json', 'text', 'table', 'yaml']).toContain(flags.get('--output'));
      if (flags.has('--status-filter')) expect(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']).toContain(flags.get('--status-filter'));
      if (flags.has('--stack-name')) expect(flags.get('--stack-name')).toBe('Redial');
      if (flags.has('--protocol')) expect(['email', 'email-json', 'https', 'sms', 'sqs', 'lambda']).toContain(flags.get('--protocol'));
      if (flags.has('--input')) {
        // The backfill's input as the state machine's Plan step validates it.
        expect(() => validateBackfillInput(JSON.parse(flags.get('--input')!), parseConfig({}).backfill, START)).not.toThrow();
      }
      // A secret value is never written into a command (it would sit in the shell history): only a file.
      if (flags.has('--secret-string')) expect(flags.get('--secret-string')).toMatch(/^file:\/\/[\w./-]+$/);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** Every leaf key path of a JSON object (`policy.maxCallsPerDay`). */
function keyPaths(value: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(value).flatMap(([k, v]) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? keyPaths(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

function hasPath(value: unknown, path: string): boolean {
  return path.split('.').reduce<{ ok: boolean; at: unknown }>(({ ok, at }, key) => (ok && at !== null && typeof at === 'object' && key in at ? { ok, at: (at as Record<string, unknown>)[key] } : { ok: false, at }), { ok: true, at: value }).ok;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('c. process-level commands', () => {
  const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;

  eachCommand(['process npm script'], 'the script exists in package.json', (cmd) => {
    const name = cmd.argv[1] === 'run' ? cmd.argv[2]! : cmd.argv[1]!;
    expect(Object.keys(scripts)).toContain(name);
  });

  eachCommand(['process npm ci'], 'installs from the committed lockfile', () => {
    const lock = JSON.parse(read('package-lock.json')) as { name: string; lockfileVersion: number };
    expect(lock.name).toBe('redial');
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2);
  });

  eachCommand(['process npm audit'], 'flags npm audit takes (its own --help)', async (cmd) => {
    const { stdout } = await promisify(execFile)('npm', ['audit', '--help'], { cwd: root, timeout: 20_000 });
    for (const arg of cmd.argv.slice(2)) {
      const [flag, value] = arg.split('=');
      expect(stdout).toContain(`--${flag!.replace(/^--/, '')}`);
      if (flag === '--omit') expect(['dev', 'optional', 'peer']).toContain(value);
      if (flag === '--audit-level') expect(['info', 'low', 'moderate', 'high', 'critical', 'none']).toContain(value);
    }
  });

  it('npm start (-- --fresh --port P, in a data directory of its own) serves /health, then stops on SIGTERM', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'redial-npm-start-'));
    // npm itself, so the script line in package.json is what runs; its own process group, so all of it stops.
    const child = spawn('npm', ['start', '--silent', '--', '--fresh', '--port', String(port), '--data-dir', join(dir, 'data')], {
      cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REDIAL_CONFIG: '' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let health: { ok?: boolean } | null = null;
      for (const end = Date.now() + 40_000; Date.now() < end && health === null && child.exitCode === null;) {
        health = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.json() as Promise<{ ok: boolean }>, () => null);
        if (health === null) await new Promise((r) => setTimeout(r, 200));
      }
      expect({ health, output: health ? '' : output }).toEqual({ health: expect.objectContaining({ ok: true }), output: '' });
      expect(output).toContain(`redial local runtime on http://127.0.0.1:${port}`);
      expect(existsSync(join(dir, 'data', 'db'))).toBe(true);
      // Ctrl-C or a SIGTERM stops it: the runtime closes its servers and the process exits.
      process.kill(-child.pid!, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([exited.then(() => 'exited'), new Promise((r) => (timer = setTimeout(() => r('still running'), 15_000)))]);
      clearTimeout(timer);
      expect(stopped).toBe('exited');
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
