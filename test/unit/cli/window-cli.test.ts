import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../bin/window-cli';
import { ManualClock } from '../../../lambdas/adapters/system-clock';

/** Runs the CLI in-process with a fixed clock and captured output. */
function run(args: string[], now = Date.parse('2026-07-15T18:00:00Z')) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(args, new ManualClock(now), (l: string) => out.push(l), (l: string) => err.push(l));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('redial window', () => {
  it('--json answers with exactly allowed, nextAllowedAt, zones and reasons', () => {
    const { code, out } = run(['window', '--phone', '+18505550123', '--state', 'FL', '--at', '2026-07-15T23:30:00Z', '--calls-last-24h', '2026-07-15T15:00:00Z,2026-07-15T16:00:00Z,2026-07-15T17:00:00Z', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      allowed: false,
      nextAllowedAt: '2026-07-16T15:00:00Z',
      zones: ['America/New_York', 'America/Chicago'],
      reasons: ['FL: 3 calls within 24 h of this instant reach the cap of 3 (Fla. Stat. 501.616(6)(a)-(b))'],
    });
  });

  it('an allowed instant answers allowed with itself as the next allowed instant', () => {
    const { out } = run(['window', '--phone', '(212) 555-0123', '--zip', '10001', '--at', '2026-07-15T18:00:00Z', '--json']);
    expect(JSON.parse(out)).toEqual({ allowed: true, nextAllowedAt: '2026-07-15T18:00:00Z', zones: ['America/New_York'], reasons: [] });
  });

  it('without --at it checks the injected now', () => {
    const { out } = run(['window', '--phone', '(212) 555-0123', '--json'], Date.parse('2026-07-15T12:00:00Z'));
    expect(JSON.parse(out)).toMatchObject({ allowed: false, nextAllowedAt: '2026-07-15T15:00:00Z' });
  });

  it('prints an aligned explanation for people', () => {
    const { code, out } = run(['window', '--phone', '(850) 555-0123', '--zip', '32501', '--at', '2026-07-15T12:00:00Z']);
    expect(code).toBe(0);
    expect(out).toContain('allowed         NO');
    expect(out).toContain('next allowed    2026-07-15T15:00:00Z');
    expect(out).toContain('zones           America/Chicago, America/New_York  (from zip > areaCode)');
    expect(out).toContain('FL: Wed 07:00 in America/Chicago is outside Wed 08:00-20:00');
  });

  it("a ZIP's state brings every zone of that state: Adak's ZIP with a New York number refuses at 07:30 in Adak", () => {
    const { code, out } = run(['window', '--phone', '+12127365000', '--zip', '99546', '--at', '2026-12-03T17:30:00Z']);
    expect(code).toBe(0);
    expect(out).toContain('allowed         NO');
    expect(out).toContain('America/Adak');
    expect(out).toContain('US-FEDERAL: Thu 07:30 in America/Adak is outside Thu 08:00-21:00');
  });

  it.each([
    ['96910', 'Pacific/Guam', '02:05'],
    ['96950', 'Pacific/Saipan', '02:05'],
    ['96799', 'Pacific/Pago_Pago', '05:05'],
  ])('territory ZIP %s with a mainland number is held to %s time (refused at %s local)', (zip, zone, local) => {
    const { code, out } = run(['window', '--phone', '+12127365000', '--zip', zip, '--at', '2026-12-03T16:05:00Z']);
    expect(code).toBe(0);
    expect(out).toContain('allowed         NO');
    expect(out).toContain(`${local} in ${zone} is outside`);
  });

  it('a ZIP known only by its prefix answers with a warning', () => {
    const { code, out } = run(['window', '--phone', '+12127365000', '--zip', '99999', '--at', '2026-12-03T17:30:00Z']);
    expect(code).toBe(0);
    expect(out).toContain('warning         zip "99999" is not in the ZIP zone data: located by its prefix in AK');
    expect(out).toContain('America/Adak');
  });

  it.each([
    [['--state', 'ZZ'], 'state: "ZZ" is not a US state, territory or Canadian province'],
    [['--tz', 'EST'], 'tz: "EST" is not an IANA zone'],
    [['--tz', 'Nowhere/Land'], 'tz: "Nowhere/Land" is not an IANA zone'],
    [['--zip', '09001'], 'zip: "09001" is not a ZIP code of any state or territory'],
  ])('an unrecognized location hint %j is refused with exit 2: %s', (hint, message) => {
    const { code, err } = run(['window', '--phone', '2125550123', ...hint]);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it.each([
    [['window'], '--phone is required'],
    [['window', '--phone', '12345'], 'phone: phone "12345" must have 10 digits'],
    [['window', '--phone', '2125550123', '--at', '2026-07-15 12:00'], '--at: "2026-07-15 12:00" is not an ISO instant with an offset'],
    [['window', '--phone', '2125550123', '--at', '2026-07-15T12:00:00'], 'is not an ISO instant with an offset'],
    [['window', '--phone', '2125550123', '--at', '2026-07-15'], '--at: "2026-07-15" is not an ISO instant with an offset'],
    [['window', '--phone', '2125550123', '--at', '2026-07'], 'is not an ISO instant with an offset'],
    [['window', '--phone', '2125550123', '--calls-last-24h', 'yesterday'], '--calls-last-24h: "yesterday"'],
    [['window', '--phone', '2125550123', '--bogus'], "Unknown option '--bogus'"],
    [['dial'], 'unknown command "dial"'],
  ])('%j fails with exit 2: %s', (args, message) => {
    const { code, err } = run(args);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it('--config overrides the campaign and a bad config names the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redial-cli-'));
    writeFileSync(join(dir, 'good.json'), JSON.stringify({ window: { business: { start: '09:00' } } }));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ window: { business: { start: 'nine' } } }));
    expect(JSON.parse(run(['window', '--phone', '2125550123', '--at', '2026-07-15T13:30:00Z', '--config', join(dir, 'good.json'), '--json']).out).allowed).toBe(true);
    const bad = run(['window', '--phone', '2125550123', '--config', join(dir, 'bad.json')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('window.business.start: must be HH:mm');
  });

  it('`npx redial window ... --json` works as the README says (real process)', () => {
    const out = execFileSync('npx', ['--no-install', 'redial', 'window', '--phone', '(850) 555-0123', '--zip', '32501', '--at', '2026-07-15T18:00:00Z', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ allowed: true, nextAllowedAt: '2026-07-15T18:00:00Z', zones: ['America/Chicago', 'America/New_York'], reasons: [] });
    const failed = spawnSync('npx', ['--no-install', 'redial', 'window', '--phone', 'nope'], { encoding: 'utf8' });
    expect(failed.status).toBe(2);
    expect(failed.stderr).toContain('phone: phone "nope" contains letters');
  });

  it('npx runs the installed link to the compiled CLI (no self-install of the project, no TypeScript compiled per start)', () => {
    const root = join(__dirname, '..', '..', '..');
    // A "bin" of the project itself makes npx install the project into its cache on every call (about a second).
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))).not.toHaveProperty('bin');
    expect(realpathSync(join(root, 'node_modules', '.bin', 'redial'))).toBe(join(root, 'bin', 'redial-cli.cjs'));
    execFileSync('npx', ['--no-install', 'redial', 'cost', '--leads', '10'], { cwd: root, encoding: 'utf8' });
    // The bundle is at least as new as every source (rebuilt when one changes), one module per verb.
    const bundle = join(root, '.cache', 'redial-cli');
    expect(existsSync(join(bundle, 'cli.mjs'))).toBe(true);
    expect(readdirSync(bundle).some((f) => f.startsWith('window-cli-'))).toBe(true);
  });
});

