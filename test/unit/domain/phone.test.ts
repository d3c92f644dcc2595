import fc from 'fast-check';
import { maskPhone, normalizePhone } from '../../../lambdas/domain/phone';

describe('normalizePhone', () => {
  it.each([
    ['(212) 555-0123', '+12125550123', 'US'],
    ['212.555.0123', '+12125550123', 'US'],
    ['1-212-555-0123', '+12125550123', 'US'],
    ['+1 212 555 0123', '+12125550123', 'US'],
    ['2125550123', '+12125550123', 'US'],
    ['  +12125550123  ', '+12125550123', 'US'],
    ['212-555-0123 x12', '+12125550123', 'US'],
    ['(416) 555-0199', '+14165550199', 'CA'],
    ['787-555-0199', '+17875550199', 'PR'],
  ])('%s → %s', (input, e164, country) => {
    expect(normalizePhone(input)).toEqual({ ok: true, phone: e164, areaCode: e164.slice(2, 5), country });
  });

  it.each([
    ['', 'phone is empty'],
    ['   ', 'phone is empty'],
    ['call me', 'contains letters'],
    ['212555012', 'must have 10 digits'],
    ['+44 20 7123 4567', 'not a North American (+1) number'],
    ['+1 876 555 1234', 'belongs to JM, not the US or Canada'],
    ['+1 212 155 0123', 'is not a valid NANP number'],
    ['+1 123 555 0123', 'not'],
    ['1'.repeat(41), 'longer than 40 characters'],
  ])('refuses %j with a reason (%s)', (input, reason) => {
    const result = normalizePhone(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('never throws, and anything accepted is a +1 E.164 number that normalizes to itself', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\+?1?[ (-]*[2-9]\d{2}[) .-]*\d{3}[ .-]*\d{4}$/)), (input) => {
        const result = normalizePhone(input);
        if (!result.ok) return result.reason.length > 0;
        return /^\+1[2-9]\d{9}$/.test(result.phone) && normalizePhone(result.phone).ok === true &&
          (normalizePhone(result.phone) as { phone: string }).phone === result.phone;
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('maskPhone', () => {
  it('keeps only the country code and the last four digits', () => {
    expect(maskPhone('+12125555858')).toBe('+1******5858');
    expect(maskPhone('12')).toBe('****');
  });
});
