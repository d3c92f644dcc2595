import zipcodeToTimezone from 'zipcode-to-timezone';
import { zoneOfFiveDigitZip } from '../../../lambdas/domain/zip-zones';

it('the compact table answers exactly as zipcode-to-timezone for every one of the 100,000 five-digit codes', () => {
  const differ: string[] = [];
  for (let n = 0; n < 100_000; n++) {
    const zip = String(n).padStart(5, '0');
    if (zoneOfFiveDigitZip(zip) !== (zipcodeToTimezone.lookup(zip) ?? null)) differ.push(zip);
  }
  expect(differ).toEqual([]);
});

it('anything but five digits has no zone', () => {
  for (const bad of ['', '1234', '123456', 'abcde', '3250a']) expect(zoneOfFiveDigitZip(bad)).toBeNull();
});
