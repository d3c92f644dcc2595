import fc from 'fast-check';
import { AREA_CODE_SPLITS, areaCodeInfo, joinLocations, resolveLocation, stateOfZip, zoneOfZip } from '../../../lambdas/domain/location';
import { ALL_US_ZONES } from '../../../lambdas/domain/regions';
import { AREA_CODE_STATE, AREA_CODE_ZONES, DECLARED_STATES, TZ_HINTS, ZIP_STATE, declaredState, impliedZones } from '../../support/location-oracle';

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

  it('an invalid zone is never trusted: it means "anywhere", every US zone, with a warning', () => {
    const loc = resolveLocation('212', { tz: 'Eastern' });
    expect(loc.zones).toEqual(expect.arrayContaining([...ALL_US_ZONES]));
    expect(loc.primaryZone).toBe('America/New_York');
    expect(loc.regions).toEqual(['NY']); // a zone says nothing of the state: the area code's rules still bind
    expect(loc.warnings).toEqual(['tz "Eastern" is not an IANA zone: held to every US zone']);
    expect(loc.unrecognized).toEqual([{ hint: 'tz', reason: '"Eastern" is not an IANA zone' }]);
    // Legacy abbreviations are not trusted either: they hide which rules a place follows.
    expect(resolveLocation('212', { tz: 'EST' }).zones).toEqual(expect.arrayContaining([...ALL_US_ZONES]));
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

  it('nothing usable: every US zone and every rule, each unrecognized hint named', () => {
    const loc = resolveLocation('999', { state: 'ZZ', zip: 'abc' });
    expect(loc.zones).toEqual(ALL_US_ZONES);
    expect(loc.sources).toEqual(['fallback']);
    expect(loc.regions).toEqual([]);
    expect(loc.unrecognized.map((u) => u.hint)).toEqual(['zip', 'state']);
    expect(loc.warnings).toEqual([
      `zip "abc" is not a ZIP code of any state or territory: held to every US zone and every state's rules`,
      `state "ZZ" is not a US state, territory or Canadian province: held to every US zone and every state's rules`,
    ]);
  });

  it('an unrecognized state is never dropped for the area code alone: every zone, every rule (regions empty)', () => {
    const loc = resolveLocation('212', { state: 'ZZ' });
    expect(loc.regions).toEqual([]);
    expect(loc.zones).toEqual(expect.arrayContaining([...ALL_US_ZONES]));
    expect(loc.primaryZone).toBe('America/New_York');
  });

  it("the ZIP's state contributes every zone of that state: Adak's ZIP with a New York number carries Adak", () => {
    // zipcode-to-timezone says Anchorage for 99546; Alaska spans Anchorage and Adak time.
    const loc = resolveLocation('212', { zip: '99546' });
    expect(loc.zones).toEqual(expect.arrayContaining(['America/Anchorage', 'America/Adak', 'America/New_York']));
    expect(loc.regions).toEqual(['AK', 'NY']);
    expect(loc.warnings).toEqual([]);
  });

  it('a ZIP the zone data lacks is located by its prefix: 99999 is Alaska, with a warning', () => {
    const loc = resolveLocation('212', { zip: '99999' });
    expect(loc.zones).toEqual(expect.arrayContaining(['America/Anchorage', 'America/Adak', 'America/New_York']));
    expect(loc.regions).toEqual(['AK', 'NY']);
    expect(loc.warnings).toEqual(['zip "99999" is not in the ZIP zone data: located by its prefix in AK']);
    expect(loc.unrecognized).toEqual([]);
  });

  it.each([
    ['96910', 'GU', 'Pacific/Guam'],
    ['96950', 'MP', 'Pacific/Saipan'],
    ['96799', 'AS', 'Pacific/Pago_Pago'],
    ['00601', 'PR', 'America/Puerto_Rico'],
    ['00802', 'VI', 'America/St_Thomas'],
    ['96939', 'PW', 'Pacific/Palau'],
    ['96960', 'MH', 'Pacific/Majuro'],
    ['96941', 'FM', 'Pacific/Pohnpei'],
  ])('territory ZIP %s with a mainland number carries %s time (%s)', (zip, region, zone) => {
    const loc = resolveLocation('212', { zip });
    expect(loc.zones).toEqual(expect.arrayContaining([zone, 'America/New_York']));
    expect(loc.regions).toContain(region);
  });

  it('a military ZIP (APO/FPO) is of no state: every US zone and every rule', () => {
    const loc = resolveLocation('212', { zip: '09001' });
    expect(loc.regions).toEqual([]);
    expect(loc.unrecognized.map((u) => u.hint)).toEqual(['zip']);
  });

  it('zoneOfZip', () => {
    expect(zoneOfZip('10001')).toBe('America/New_York');
    expect(zoneOfZip('96813')).toBe('Pacific/Honolulu');
    expect(zoneOfZip('00000')).toBeNull();
    expect(zoneOfZip('1234')).toBeNull();
  });
});

describe('location property: a lead never carries fewer zones than any one of its parts implies', () => {
  const hints = fc.record({
    npa: fc.constantFrom(...Object.keys(AREA_CODE_ZONES)),
    zip: fc.constantFrom('', ...Object.keys(ZIP_STATE)),
    state: fc.constantFrom(...DECLARED_STATES),
    tz: fc.constantFrom(...TZ_HINTS),
  });

  it('zones ⊇ what the tz, the ZIP (its zone and its state), the state and the area code each imply; an unknown part implies every US zone', () => {
    fc.assert(
      fc.property(hints, (h) => {
        const loc = resolveLocation(h.npa, h);
        return impliedZones(h).every((zones) => zones.every((z) => loc.zones.includes(z))) && loc.zones.includes(loc.primaryZone);
      }),
      { numRuns: 3_000 },
    );
  });

  it('rules: an unrecognized state or ZIP binds every rule (regions empty); otherwise the state, the ZIP state and the area code state all bind', () => {
    fc.assert(
      fc.property(hints, (h) => {
        const loc = resolveLocation(h.npa, h);
        const unknownState = h.state !== '' && declaredState(h.state) === null;
        const unknownZip = h.zip !== '' && !ZIP_STATE[h.zip];
        if (unknownState || unknownZip) return loc.regions.length === 0;
        const expected = [declaredState(h.state), h.zip ? ZIP_STATE[h.zip] : null, AREA_CODE_STATE[h.npa]].filter((r): r is string => Boolean(r));
        return expected.every((r) => loc.regions.includes(r));
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('joining what is known of a lead (a ZIP learned mid-call)', () => {
  it('keeps every zone of both and the rules of both', () => {
    expect(joinLocations({ zones: ['America/New_York'], regions: ['NY'] }, { zones: ['America/Chicago', 'America/New_York'], regions: ['FL', 'NY'] }))
      .toEqual({ zones: ['America/New_York', 'America/Chicago'], regions: ['FL', 'NY'] });
  });

  it('a side whose state is unknown (every rule) keeps the join at every rule, whichever side it is', () => {
    expect(joinLocations({ zones: ['America/New_York'], regions: [] }, { zones: ['America/Chicago'], regions: ['FL'] }).regions).toEqual([]);
    expect(joinLocations({ zones: ['America/New_York'], regions: ['NY'] }, resolveLocation('212', { zip: '09001' })).regions).toEqual([]);
  });
});

