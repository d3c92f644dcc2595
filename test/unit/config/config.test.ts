import { ConfigError, DEFAULT_CONFIG, parseConfig } from '../../../lambdas/config/config';
import { requireBlandKey, secretSchema } from '../../../lambdas/handlers/aws-deps';

describe('configuration', () => {
  it('defaults are the sales floor rules', () => {
    expect(DEFAULT_CONFIG.window.business).toEqual({ zone: 'America/New_York', start: '11:00', end: '20:00', days: [1, 2, 3, 4, 5] });
    expect(DEFAULT_CONFIG.window.federalHolidayBlackout).toBe(true);
    expect(DEFAULT_CONFIG.window.capWaivers).toEqual([]);
    expect(DEFAULT_CONFIG.window.stateHolidayDates).toEqual({});
    expect(DEFAULT_CONFIG.window.horizonDays).toBe(14);
    expect(DEFAULT_CONFIG.policy).toMatchObject({
      terminalOutcomes: ['SALE', 'DNC'],
      badNumberTerminal: true,
      gapsMinutes: [0, 2, 5, 10, 30, 60, 120],
      maxCallsPerDay: 8,
      dailyCapByLeadAge: null,
      maxTotalCalls: null,
      transferHoldMinutes: 30,
      gapJitter: 0,
    });
    expect(DEFAULT_CONFIG.reporting).toEqual({ zone: 'America/New_York', answeredMinSeconds: 20 });
  });

  it('partial overrides keep the other defaults', () => {
    const config = parseConfig({ window: { business: { start: '09:00' } }, policy: { maxCallsPerDay: 6 } });
    expect(config.window.business).toEqual({ zone: 'America/New_York', start: '09:00', end: '20:00', days: [1, 2, 3, 4, 5] });
    expect(config.policy.maxCallsPerDay).toBe(6);
    expect(config.policy.gapsMinutes).toEqual([0, 2, 5, 10, 30, 60, 120]);
  });

  it('invalid configuration fails with a message naming every bad key', () => {
    let error: unknown;
    try {
      parseConfig({
        window: { business: { zone: 'EST', start: '9am', days: [0] }, blackoutDates: ['12/24/2026'], capWaivers: [{ region: 'FL', reason: 'because' }] },
        policy: { maxCallsPerDay: 0, terminalOutcomes: ['WON'] },
        reporting: { zone: 'Eastern', answeredMinSeconds: -1 },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.join('\n');
    for (const key of [
      'window.business.zone: must be an IANA time zone',
      'window.business.start: must be HH:mm',
      'window.business.days.0',
      'window.blackoutDates.0: must be YYYY-MM-DD',
      'window.capWaivers.0.reason: must explain',
      'policy.maxCallsPerDay',
      'policy.terminalOutcomes.0',
      'reporting.zone: must be an IANA time zone',
      'reporting.answeredMinSeconds',
    ]) expect(issues).toContain(key);
  });

  it('business hours must open before they close', () => {
    expect(() => parseConfig({ window: { business: { start: '20:00', end: '11:00' } } })).toThrow('window.business.end: start must be before end');
  });
});

describe('a misspelt or placeholder setting is refused, naming it', () => {
  it('an unknown key at any depth is an error, not a silent default', () => {
    expect(() => parseConfig({ dialr: {} })).toThrow('(root): Unrecognized key: "dialr"');
    expect(() => parseConfig({ window: { bussiness: { start: '10:00' } } })).toThrow('window: Unrecognized key: "bussiness"');
    expect(() => parseConfig({ dialer: { maxDurationMinute: 5 } })).toThrow('dialer: Unrecognized key: "maxDurationMinute"');
    expect(() => parseConfig({ callerIds: { numbers: [{ number: '+12125550001', wieght: 2 }] } })).toThrow('callerIds.numbers.0: Unrecognized key: "wieght"');
  });

  it('the secret: a misspelt key is refused (never read as unset); SET-ME stops only the functions that call Bland', () => {
    const base = { intakeApiKey: 'intake-key-0123456789', blandApiKey: 'org_live_key' };
    expect(secretSchema.safeParse(base).success).toBe(true);
    const misspelt = secretSchema.safeParse({ ...base, webhooksecret: 'sixteen-chars-or-more' });
    expect(misspelt.success).toBe(false);
    expect(misspelt.error!.issues[0]!.message).toContain('webhooksecret');
    const placeholder = secretSchema.parse({ ...base, blandApiKey: 'SET-ME' });
    expect(() => requireBlandKey({ secrets: placeholder })).toThrow('blandApiKey: still the placeholder SET-ME: put the Bland API key in the secret');
    expect(() => requireBlandKey({ secrets: secretSchema.parse(base) })).not.toThrow();
  });
});
