// The module object itself (a default import), so that a spy on it sees lambdas/http/http.ts's calls.
import crypto from 'node:crypto';
import fc from 'fast-check';
import { safeEqual, validSignature } from '../../../lambdas/http/http';

/**
 * API keys and webhook signatures are compared in constant time (docs/security.md): every comparison goes through
 * crypto.timingSafeEqual on two SHA-256 digests of the same length, whatever the inputs' lengths, so neither a
 * differing length nor the position of the first differing character changes the work done.
 */
describe('safeEqual', () => {
  let spy: jest.SpyInstance;
  beforeEach(() => {
    spy = jest.spyOn(crypto, 'timingSafeEqual');
  });
  afterEach(() => spy.mockRestore());

  it.each([
    ['equal', 'intake-key-0123456789', 'intake-key-0123456789', true],
    ['one character off', 'intake-key-0123456789', 'intake-key-0123456788', false],
    ['a prefix', 'intake-key-0123456789', 'intake-key', false],
    ['longer', 'intake-key', 'intake-key-0123456789', false],
    ['empty against a key', '', 'intake-key-0123456789', false],
    ['both empty', '', '', true],
    ['case differs', 'ABCdef', 'abcdef', false],
    ['the same unicode', 'clé-🔑-ключ', 'clé-🔑-ключ', true],
    ['NFC against NFD (different code points)', 'clé'.normalize('NFC'), 'clé'.normalize('NFD'), false],
    ['a trailing space', 'key ', 'key', false],
  ])('%s', (_name, a, b, expected) => {
    expect(safeEqual(a, b)).toBe(expected);
    // One constant-time comparison of two 32-byte digests, whatever the lengths.
    expect(spy).toHaveBeenCalledTimes(1);
    const [x, y] = spy.mock.calls[0] as [Buffer, Buffer];
    expect([x.length, y.length]).toEqual([32, 32]);
  });

  it('agrees with === on any strings, and always compares 32 bytes', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
      spy.mockClear();
      expect(safeEqual(a, b)).toBe(a === b);
      expect(safeEqual(a, a)).toBe(true);
      expect(spy.mock.calls.every(([x, y]) => (x as Buffer).length === 32 && (y as Buffer).length === 32)).toBe(true);
    }), { numRuns: 300 });
  });
});

describe('validSignature', () => {
  const secret = 'webhook-secret-0123456789';
  const body = '{"call_id": "c-1", "status": "completed"}';
  const hmac = (text: string) => crypto.createHmac('sha256', secret).update(text).digest('hex');

  it('accepts the HMAC-SHA256 hex of the raw body, in any case, with or without sha256=, trimmed', () => {
    expect(validSignature(body, hmac(body), secret)).toBe(true);
    expect(validSignature(body, hmac(body).toUpperCase(), secret)).toBe(true);
    expect(validSignature(body, `sha256=${hmac(body)}`, secret)).toBe(true);
    expect(validSignature(body, ` ${hmac(body)}\n`, secret)).toBe(true);
  });

  it('accepts the HMAC of the compact JSON of the body (as Bland signs JSON.stringify(body))', () => {
    expect(validSignature(body, hmac(JSON.stringify(JSON.parse(body))), secret)).toBe(true);
  });

  it('refuses a missing, empty, truncated, extended or foreign signature, and one made with another secret', () => {
    const good = hmac(body);
    for (const signature of [undefined, '', good.slice(0, -1), `${good}0`, good.replace(/.$/, (c) => (c === '0' ? '1' : '0')), crypto.createHmac('sha256', 'another-secret-0123456').update(body).digest('hex')]) {
      expect([signature, validSignature(body, signature, secret)]).toEqual([signature, false]);
    }
    expect(validSignature(`${body} `, hmac('{"call_id":"c-2"}'), secret)).toBe(false);
  });

  it('compares every candidate in constant time, even for a signature of the wrong length (no early return)', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      expect(validSignature(body, 'abc', secret)).toBe(false);
      // The raw body and its compact JSON: two comparisons of two 32-byte digests.
      expect(spy).toHaveBeenCalledTimes(2);
      for (const [x, y] of spy.mock.calls) expect([(x as Buffer).length, (y as Buffer).length]).toEqual([32, 32]);
    } finally {
      spy.mockRestore();
    }
  });

  it('a unicode body is signed over its UTF-8 bytes', () => {
    const unicode = '{"note":"José 🔑 ключ"}';
    const signature = crypto.createHmac('sha256', secret).update(Buffer.from(unicode, 'utf8')).digest('hex');
    expect(validSignature(unicode, signature, secret)).toBe(true);
    expect(validSignature(unicode.normalize('NFD'), signature, secret)).toBe(false);
  });
});
