import { AREA_CODE_SPLITS, areaCodeInfo, resolveLocation, stateOfZip, zoneOfZip } from '../../../lambdas/domain/location';
import { ALL_US_ZONES } from '../../../lambdas/domain/regions';

describe('candidate zones: explicit zone > ZIP > state > area code, all of them when sources disagree', () => {
  it('an explicit IANA zone confirmed by the area code is the only zone', () => {
    expect(resolveLocation('212', { tz: 'America/New_York' })).toMatchObject({ zones: ['America/New_York'], sources: ['tz'], regions: ['NY'] });
  });

  it('an explicit zone the area code does not confirm adds the area code zones', () => {
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

  it('ZIP refines a split area code (850 + Pensacola ZIP → Central)', () => {
    expect(resolveLocation('850', { zip: '32501' }).zones).toEqual(['America/Chicago']);
    expect(resolveLocation('850', { zip: '32301' }).zones).toEqual(['America/New_York']); // Tallahassee
    expect(resolveLocation('850', { zip: '32501-1234' }).zones).toEqual(['America/Chicago']);
  });

  it('a state that spans zones carries every one unless something more precise narrows it', () => {
    expect(resolveLocation('915', { state: 'TX' }).zones).toEqual(['America/Chicago', 'America/Denver']);
    expect(resolveLocation('915', { state: 'TX', zip: '79901' }).zones).toEqual(['America/Denver']); // El Paso
    expect(resolveLocation('812', { state: 'IN' }).zones).toEqual(['America/Indiana/Indianapolis', 'America/Chicago']);
    expect(resolveLocation('906', {}).zones).toEqual(['America/Detroit', 'America/Menominee']);
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
    expect(loc.ignored).toEqual(['zip "abc" is unknown', 'state "ZZ" is not a US state, territory or Canadian province code']);
  });

  it('zoneOfZip', () => {
    expect(zoneOfZip('10001')).toBe('America/New_York');
    expect(zoneOfZip('96813')).toBe('Pacific/Honolulu');
    expect(zoneOfZip('00000')).toBeNull();
    expect(zoneOfZip('1234')).toBeNull();
  });
});
