import { ConfigError, DEFAULT_CONFIG, parseConfig } from '../../../lambdas/config/config';

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
