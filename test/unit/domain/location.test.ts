import fc from 'fast-check';
import { AREA_CODE_SPLITS, areaCodeInfo, regionCodeOf, resolveLocation, stateOfZip, zoneOfZip } from '../../../lambdas/domain/location';
import { ALL_US_ZONES, REGION_ZONES } from '../../../lambdas/domain/regions';

describe('candidate zones: the union of every source; explicit zone > ZIP > state > area code picks the primary zone', () => {
  it('an explicit IANA zone confirmed by the area code is the only zone', () => {
    expect(resolveLocation('212', { tz: 'America/New_York' })).toMatchObject({ zones: ['America/New_York'], primaryZone: 'America/New_York', sources: ['tz', 'areaCode'], regions: ['NY'] });
  });

  it('an explicit zone the area code contradicts: both zones, the explicit one primary', () => {
    const loc = resolveLocation('212', { tz: 'America/Los_Angeles' });
    expect(loc.zones).toEqual(['America/Los_Angeles', 'America/New_York']);
    expect(loc.primaryZone).toBe('America/Los_Angeles');
    expect(loc.sources).toEqual(['tz', 'areaCode']);
  });

  it('an invalid zone is ignored with a note, never trusted', () => {
    const loc = resolveLocation('212', { tz: 'Eastern' });
    expect(loc.zones).toEqual(['America/New_York']);
    expect(loc.ignored).toEqual(['tz "Eastern" is not an IANA zone']);
    // Legacy abbreviations are not trusted either: they hide which rules a place follows.
    expect(resolveLocation('212', { tz: 'EST' }).ignored).toEqual(['tz "EST" is not an IANA zone']);
  });

  it('a ZIP never narrows a split area code: 850 + Pensacola ZIP carries Central and Eastern, Central primary', () => {
    expect(resolveLocation('850', { zip: '32501' })).toMatchObject({ zones: ['America/Chicago', 'America/New_York'], primaryZone: 'America/Chicago' });
    expect(resolveLocation('850', { zip: '32301' }).zones).toEqual(['America/New_York', 'America/Chicago']); // Tallahassee
    expect(resolveLocation('850', { zip: '32501-1234' }).primaryZone).toBe('America/Chicago');
  });

  it('ZIP-to-zone data is coarse, so the state and area code zones always stay (Adak, Evansville, Ontario OR)', () => {
    // zipcode-to-timezone puts Adak (99546) on Anchorage time; Alaska and 907 carry Adak's zone.
    expect(resolveLocation('907', { zip: '99546', state: 'AK' }).zones).toEqual(expect.arrayContaining(['America/Adak', 'America/Anchorage']));
    // Evansville, Indiana (47708) is Central; the data says Eastern.
    expect(resolveLocation('812', { zip: '47708', state: 'IN' }).zones).toEqual(expect.arrayContaining(['America/Chicago']));
    // Ontario, Oregon (97914) is Mountain; the data says Pacific.
    expect(resolveLocation('541', { zip: '97914' }).zones).toEqual(expect.arrayContaining(['America/Boise']));
  });

  it('a state that spans zones carries every one', () => {
    expect(resolveLocation('915', { state: 'TX' }).zones).toEqual(['America/Chicago', 'America/Denver']);
    expect(resolveLocation('512', { state: 'TX', zip: '78701' }).zones).toEqual(['America/Chicago', 'America/Denver']);
    expect(resolveLocation('812', { state: 'IN' }).zones).toEqual(['America/Indiana/Indianapolis', 'America/Chicago']);
    expect(resolveLocation('906', {}).zones).toEqual(['America/Detroit', 'America/Menominee']);
  });

  it('state names are accepted as well as codes', () => {
    expect(resolveLocation('212', { state: 'Pennsylvania' }).regions).toEqual(['NY', 'PA']);
    expect(resolveLocation('212', { state: ' new york ' }).regions).toEqual(['NY']);
  });

  it.each([
    ['850', ['America/New_York', 'America/Chicago']],
    ['812', ['America/Indiana/Indianapolis', 'America/Chicago']],
    ['270', ['America/Chicago', 'America/New_York']],
    ['423', ['America/New_York', 'America/Chicago']],
    ['701', ['America/Chicago', 'America/Denver']],
    ['208', ['America/Boise', 'America/Los_Angeles']],
    ['541', ['America/Los_Angeles', 'America/Boise']],
    ['928', ['America/Phoenix', 'America/Denver']],
    ['907', ['America/Anchorage', 'America/Adak']],
  ])('split area code %s carries %j', (npa, zones) => {
    expect(areaCodeInfo(npa)!.zones).toEqual(zones);
    expect(resolveLocation(npa).zones).toEqual(zones);
  });

  it.each([
    ['867', 'America/Iqaluit'],
    ['474', 'America/Edmonton'],
    ['807', 'America/Winnipeg'],
    ['418', 'America/Halifax'],
    ['250', 'America/Creston'],
    ['709', 'America/Goose_Bay'],
  ])('Canadian area code %s also carries %s', (npa, zone) => {
    expect(resolveLocation(npa).zones).toContain(zone);
  });

  it('every split area code overrides a single-zone entry with at least two zones', () => {
    for (const zones of Object.values(AREA_CODE_SPLITS)) expect(zones.length).toBeGreaterThanOrEqual(2);
  });

  it('territories and Hawaii', () => {
    expect(resolveLocation('787')).toMatchObject({ zones: ['America/Puerto_Rico'], regions: ['PR'] });
    expect(resolveLocation('808')).toMatchObject({ zones: ['Pacific/Honolulu'], regions: ['HI'] });
  });

  it('the state rules that bind are the declared state, the ZIP state and the area code state', () => {
    expect(resolveLocation('305', { state: 'ny' }).regions).toEqual(['FL', 'NY']);
    expect(resolveLocation('212', { zip: '19103' }).regions).toEqual(['NY', 'PA']);
    expect(resolveLocation('212', { zip: '33101', state: 'NJ' }).regions).toEqual(['FL', 'NJ', 'NY']);
    expect(stateOfZip('00601')).toBe('PR');
    expect(stateOfZip('00000')).toBeNull();
    expect(resolveLocation('902').regions).toEqual(['NS', 'PE']);
  });

  it('nothing usable: every US zone (only narrows the window)', () => {
    const loc = resolveLocation('999', { state: 'ZZ', zip: 'abc' });
    expect(loc.zones).toEqual(ALL_US_ZONES);
    expect(loc.sources).toEqual(['fallback']);
    expect(loc.regions).toEqual([]);
    expect(loc.ignored).toEqual(['zip "abc" is unknown', 'state "ZZ" is not a US state, territory or Canadian province']);
  });

  it('zoneOfZip', () => {
    expect(zoneOfZip('10001')).toBe('America/New_York');
    expect(zoneOfZip('96813')).toBe('Pacific/Honolulu');
    expect(zoneOfZip('00000')).toBeNull();
    expect(zoneOfZip('1234')).toBeNull();
  });
});

describe('location property: a lead never carries fewer zones than any source names', () => {
  const areaCodes = ['212', '305', '850', '812', '907', '915', '208', '541', '928', '808', '787', '416', '867', '306', '999', '512'];
  const zips = ['10001', '32501', '99546', '47708', '97914', '79901', '96813', '00601', '85001', 'nope', ''];
  const states = Object.keys(REGION_ZONES).concat(['', 'ZZ', 'Texas']);
  it('zones ⊇ zones of the explicit tz, the ZIP, the state and the area code', () => {
    fc.assert(
      fc.property(fc.constantFrom(...areaCodes), fc.constantFrom(...zips), fc.constantFrom(...states), fc.constantFrom('', 'America/Denver', 'Bad/Zone'), (npa, zip, state, tz) => {
        const loc = resolveLocation(npa, { zip, state, tz });
        const expected = [
          ...(tz === 'America/Denver' ? [tz] : []),
          ...(zoneOfZip(zip) ? [zoneOfZip(zip)!] : []),
          ...(REGION_ZONES[regionCodeOf(state) ?? ''] ?? []),
          ...(areaCodeInfo(npa)?.zones ?? []),
        ];
        const all = expected.length === 0 ? ALL_US_ZONES : expected;
        return all.every((z) => loc.zones.includes(z)) && loc.zones.includes(loc.primaryZone);
      }),
      { numRuns: 2_000 },
    );
  });
});
