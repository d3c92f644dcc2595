import { classifySms, renderTemplate, stepDay } from '../../../lambdas/domain/sms';

describe('inbound text keywords (whole words, any case)', () => {
  it.each([
    'STOP', 'stop', 'Stop.', 'STOP ALL', 'stopall', 'UNSUBSCRIBE', 'Cancel', 'END', 'quit!!', 'revoke', 'opt out', 'OPT-OUT', 'optout',
    'remove me', 'Please remove me from your list', 'take me off this list', 'do not text me', "don't call me again", 'dont call', "Don’t text me", 'yes STOP',
    'leave me alone', 'no more texts',
  ])('%j opts out (the lead is DNC everywhere)', (text) => {
    expect(classifySms(text)).toBe('opt-out');
  });

  it.each([
    'call me', 'Yes', 'yes please', 'INFO', 'more info please', 'sure, call me tomorrow', 'ok', 'Tell me more', 'I am interested',
  ])('%j asks for a call', (text) => {
    expect(classifySms(text)).toBe('callback');
  });

  it.each(['not interested', 'No thanks', 'no', 'Not interested, I already have insurance'])('%j is recorded as not interested', (text) => {
    expect(classifySms(text)).toBe('not-interested');
  });

  it.each([
    'see you this weekend', 'the legend', 'unstoppable', 'stopped by earlier', 'pending', 'friend', 'quite right', 'yesterday',
    'information desk?', 'okra', 'who is this?', '', '   ',
  ])('%j matches no keyword (no whole word)', (text) => {
    expect(classifySms(text)).toBe('other');
  });
});

describe('text templates and the sequence calendar', () => {
  it('fills lead fields; an unknown or empty one leaves no stray spaces', () => {
    expect(renderTemplate('Hi {{first_name}}, sorry we missed you. Reply STOP to opt out.', { first_name: 'Ada' })).toBe('Hi Ada, sorry we missed you. Reply STOP to opt out.');
    expect(renderTemplate('Hi {{ first_name }}, {{unknown}} call us back.', {})).toBe('Hi, call us back.');
  });

  it('step days are calendar days after the start (across a month end); none after the last step', () => {
    expect([0, 1, 2, 3, 4].map((s) => stepDay('2026-11-28', [0, 1, 3, 7], s))).toEqual(['2026-11-28', '2026-11-29', '2026-12-01', '2026-12-05', null]);
  });
});
