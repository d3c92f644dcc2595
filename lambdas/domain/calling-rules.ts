/**
 * The legal calling-time rule table. Every rule cites its source; docs/compliance.md holds the full table with
 * links and the test that proves each row. Where sources disagree the stricter reading is taken (and noted).
 * Times are the called party's local clock unless `fixedZone` says otherwise. Intervals are [start, end):
 * "no calls after 8 p.m." is read as the last dial at 19:59, the stricter reading of the minute 20:00.
 */

/** Minutes since local midnight. */
export type Minute = number;
/** Allowed local interval of one weekday, or null when no call may be placed that day. */
export type DayHours = readonly [start: Minute, end: Minute] | null;
/** Index 1 = Monday ... 7 = Sunday (ISO / luxon weekday); index 0 unused. */
export type WeekHours = readonly [unused: null, mon: DayHours, tue: DayHours, wed: DayHours, thu: DayHours, fri: DayHours, sat: DayHours, sun: DayHours];

export interface CallCap {
  readonly maxCalls: number;
  readonly windowHours: number;
}

export interface CallingRule {
  /** Stable id used in reasons, docs and tests: `US-FEDERAL`, `FL`, `CA-ADAD`... */
  readonly id: string;
  /** Jurisdictions this rule protects: a lead in any of them is bound by it. */
  readonly regions: readonly string[];
  /** Only for automated / artificial-voice calls (applied when config.window.automatedVoiceRules is on). */
  readonly automatedOnly?: boolean;
  readonly hours: WeekHours;
  /** Evaluate the hours in this fixed zone (as well as in no other): MS counts "Central Standard Time". */
  readonly fixedZone?: string;
  /** No calls on the region's legal holidays (see holidays.ts for each list). */
  readonly holidayBan?: boolean;
  readonly cap?: CallCap;
  readonly citation: string;
  readonly source: string;
}

const h = (hhmm: string): Minute => {
  const [hh, mm] = hhmm.split(':').map(Number);
  return hh! * 60 + mm!;
};
const span = (start: string, end: string): DayHours => [h(start), h(end)];
/** The same hours every day of the week. */
const daily = (start: string, end: string): WeekHours => {
  const d = span(start, end);
  return [null, d, d, d, d, d, d, d];
};
/** Monday to Saturday, and Sunday separately (null = no Sunday calls). */
const monSat = (start: string, end: string, sunday: DayHours): WeekHours => {
  const d = span(start, end);
  return [null, d, d, d, d, d, d, sunday];
};
const weekdaysOnly = (start: string, end: string): WeekHours => {
  const d = span(start, end);
  return [null, d, d, d, d, d, null, null];
};

export const US_REGIONS: readonly string[] = [
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'DC', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY', 'LA',
  'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND', 'OH', 'OK', 'OR',
  'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY', 'PR', 'VI', 'GU', 'MP', 'AS',
];
export const CANADA_REGIONS: readonly string[] = ['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT'];

export const CALLING_RULES: readonly CallingRule[] = [
  {
    id: 'US-FEDERAL', regions: US_REGIONS, hours: daily('08:00', '21:00'),
    citation: '47 CFR 64.1200(c)(1); 16 CFR 310.4(c)',
    source: 'https://www.ecfr.gov/current/title-47/chapter-I/subchapter-B/part-64/subpart-L/section-64.1200',
  },
  {
    id: 'CA-CRTC', regions: CANADA_REGIONS,
    hours: [null, span('09:00', '21:30'), span('09:00', '21:30'), span('09:00', '21:30'), span('09:00', '21:30'), span('09:00', '21:30'), span('10:00', '18:00'), span('10:00', '18:00')],
    citation: 'CRTC Unsolicited Telecommunications Rules, Part III (calling curfews)',
    source: 'https://crtc.gc.ca/eng/phone/telemarketing/tobligations/rules-regles.htm',
  },
  {
    id: 'FL', regions: ['FL'], hours: daily('08:00', '20:00'), cap: { maxCalls: 3, windowHours: 24 },
    citation: 'Fla. Stat. 501.616(6)(a)-(b)', source: 'https://flsenate.gov/Session/Bill/2021/1120/BillText/er/HTML',
  },
  {
    id: 'OK', regions: ['OK'], hours: daily('08:00', '20:00'), cap: { maxCalls: 3, windowHours: 24 },
    citation: '15 O.S. 775C.4 (Telephone Solicitation Act of 2022)', source: 'https://www.beneschlaw.com/insight/new-oklahoma-mini-tcpa-law-set-to-go-into-effect-in-november/',
  },
  {
    id: 'MD', regions: ['MD'], hours: daily('08:00', '20:00'), cap: { maxCalls: 3, windowHours: 24 },
    citation: 'Md. Code Com. Law 14-4502(c) (Stop the Spam Calls Act of 2023)', source: 'https://www.wmar2news.com/local/law-to-prevent-spam-calls-takes-effect-first-of-the-year',
  },
  {
    id: 'OR', regions: ['OR'], hours: daily('08:00', '20:00'), cap: { maxCalls: 3, windowHours: 24 },
    citation: 'ORS 646.563 as amended by HB 3865 (2025)', source: 'https://production.jdsupra.com/legalnews/oregon-passes-new-telephone-8210765',
  },
  {
    id: 'WA', regions: ['WA'], hours: daily('08:00', '20:00'),
    citation: 'RCW 19.158.040(2); RCW 80.36.390', source: 'https://app.leg.wa.gov/RCW/default.aspx?cite=19.158.040',
  },
  {
    id: 'MA', regions: ['MA'], hours: daily('08:00', '20:00'),
    citation: '201 CMR 12.02(2)', source: 'https://regulations.justia.com/states/massachusetts/201-cmr/title-201-cmr-12-00/section-12-02',
  },
  {
    id: 'WY', regions: ['WY'], hours: daily('08:00', '20:00'),
    citation: 'Wyo. Stat. 40-12-302(d)', source: 'https://law.justia.com/codes/wyoming/2016/title-40/chapter-12/article-3/section-40-12-303/',
  },
  {
    id: 'CT', regions: ['CT'], hours: daily('09:00', '20:00'),
    citation: 'Conn. Gen. Stat. 42-288a(c) (P.A. 23-98)', source: 'https://cga.ct.gov/current/pub/chap_743m.htm',
  },
  {
    id: 'KY', regions: ['KY'], hours: daily('10:00', '21:00'),
    citation: 'KRS 367.46955(16)', source: 'https://self-law.org/code/ky/chapter-367/367-46955',
  },
  {
    id: 'NM', regions: ['NM'], hours: daily('09:00', '21:00'),
    citation: 'NMSA 57-12-22(B)(5)', source: 'https://law.justia.com/codes/new-mexico/2006/nmrc/jd_57-12-22-13117.html',
  },
  {
    // Sources disagree (9-20 vs. no rule for live calls): the stricter 09:00-20:00 is taken.
    id: 'NV', regions: ['NV'], hours: daily('09:00', '20:00'),
    citation: 'NRS 598.0918(3) (disputed); NRS 597.814', source: 'http://www.contactcentercompliance.com/legal/statutes/NV/NRS/597.814.adpx',
  },
  {
    id: 'MN', regions: ['MN'], hours: daily('09:00', '21:00'),
    citation: 'Minn. Stat. 325E.30 (secondary source only)', source: 'https://www.revisor.mn.gov/statutes/cite/325E.30',
  },
  {
    id: 'MI', regions: ['MI'], hours: daily('09:00', '21:00'),
    citation: 'MCL 750.540e(1)(f) (secondary source only)', source: 'https://www.legislature.mi.gov/Laws/MCL?objectName=mcl-750-540e',
  },
  {
    // Sources disagree on Sunday (9-21 vs. noon-21): the stricter noon start is taken.
    id: 'TX', regions: ['TX'], hours: monSat('09:00', '21:00', span('12:00', '21:00')),
    citation: 'Tex. Bus. & Com. Code 301.051', source: 'https://statutes.capitol.texas.gov/Docs/BC/htm/BC.301.htm',
  },
  {
    id: 'LA', regions: ['LA'], hours: monSat('08:00', '20:00', null), holidayBan: true,
    citation: 'La. PSC General Order R-29617 V(A); La. R.S. 45:844.11 et seq.; holidays La. R.S. 1:55', source: 'https://legis.la.gov/legis/Law.aspx?d=74097',
  },
  {
    // 77-3-603 allows 8-21, 77-3-723 allows 8-20: the stricter 8-20 is taken. The PSC holiday rule was reportedly
    // repealed (single vendor source): holidays stay blocked until counsel confirms.
    id: 'MS', regions: ['MS'], hours: monSat('08:00', '20:00', null), holidayBan: true,
    citation: 'Miss. Code 77-3-723(1); 77-3-603(a)', source: 'https://getpocketlaw.com/law/state_mississippi/section-77-3-723-rules-for-authorized-calls_57b73fa7ff73',
  },
  {
    // The statute says "Central Standard Time": in summer 8 a.m. CST is 9 a.m. CDT. Both readings are applied.
    id: 'MS-CST', regions: ['MS'], fixedZone: 'Etc/GMT+6', hours: monSat('08:00', '20:00', null),
    citation: 'Miss. Code 77-3-723(1) ("Central Standard Time")', source: 'https://getpocketlaw.com/law/state_mississippi/section-77-3-723-rules-for-authorized-calls_57b73fa7ff73',
  },
  {
    id: 'AL', regions: ['AL'], hours: monSat('08:00', '20:00', null), holidayBan: true,
    citation: 'Ala. Admin. Code r. 770-X-5-.17; holidays Ala. Code 1-3-8',
    source: 'https://d1tvxue8o4w0fl.cloudfront.net/regulation/alabama-administrative-code/title-770-alabama-public-service-commission/chapter-770-x-5-telephone-rules/section-770-x-5-17-live-and-automated-solicitations-and-announcements',
  },
  {
    id: 'RI', regions: ['RI'], holidayBan: true,
    hours: [null, span('09:00', '18:00'), span('09:00', '18:00'), span('09:00', '18:00'), span('09:00', '18:00'), span('09:00', '18:00'), span('10:00', '17:00'), null],
    citation: 'R.I. Gen. Laws 5-61-3.6, 5-61-2 ("hours of operation"); holidays 25-1-1', source: 'http://webserver.rilin.state.ri.us/Statutes/TITLE5/5-61/5-61-3.6.HTM',
  },
  {
    id: 'UT', regions: ['UT'], hours: monSat('08:00', '21:00', null), holidayBan: true,
    citation: 'Utah Code 13-25a-103(3); holidays 63G-1-301', source: 'https://codes.findlaw.com/ut/title-13-commerce-and-trade/ut-code-sect-13-25a-103/',
  },
  {
    // 73 P.S. 2245(a) allows 8-21 with a holiday ban; SB 992 (2026, enactment not confirmed from an official record)
    // narrows to 9-19 with no Sunday calls. The stricter reading is taken.
    id: 'PA', regions: ['PA'], hours: monSat('09:00', '19:00', null), holidayBan: true,
    citation: '73 P.S. 2245(a)(1),(a)(10); SB 992 (2025-26)', source: 'https://www.pasenategop.com/news/brooks-bill-to-strengthen-protections-against-telemarketers-passes-senate',
  },
  // Rules for automated / artificial-voice calls. An AI voice is an "artificial voice" (FCC 24-17).
  {
    id: 'CA-ADAD', regions: ['CA'], automatedOnly: true, hours: daily('09:00', '21:00'),
    citation: 'Cal. Pub. Util. Code 2872(c)', source: 'https://codes.findlaw.com/ca/public-utilities-code/puc-sect-2872.html',
  },
  {
    id: 'NV-ADAD', regions: ['NV'], automatedOnly: true, hours: daily('09:00', '21:00'),
    citation: 'NRS 597.814(2)', source: 'http://www.contactcentercompliance.com/legal/statutes/NV/NRS/597.814.adpx',
  },
  {
    id: 'OK-ADAD', regions: ['OK'], automatedOnly: true, hours: daily('09:00', '21:00'),
    citation: '15 O.S. 755.1(C)(2)(a)', source: 'https://lexace.ai/us/statute/oklahoma/15-755.1',
  },
  {
    id: 'SD-ATDS', regions: ['SD'], automatedOnly: true, hours: weekdaysOnly('09:00', '21:00'),
    citation: 'SDCL 37-30-28', source: 'http://legis.state.sd.us/statutes/DisplayStatute.aspx?Type=Statute&Statute=37-30-28',
  },
  {
    id: 'ME-ADAD', regions: ['ME'], automatedOnly: true, hours: weekdaysOnly('09:00', '17:00'), cap: { maxCalls: 1, windowHours: 8 },
    citation: '10 M.R.S. 1498(3)', source: 'https://legislature.maine.gov/legis/bills/bills_121st/billtexts/LD039201-1.asp',
  },
];

/** Rules that bind a lead in these regions. No region known → every rule binds (the strictest envelope). */
export function rulesFor(regions: readonly string[], automatedVoiceRules: boolean): readonly CallingRule[] {
  const known = regions.filter((r) => US_REGIONS.includes(r) || CANADA_REGIONS.includes(r));
  return CALLING_RULES.filter((rule) => {
    if (rule.automatedOnly && !automatedVoiceRules) return false;
    if (known.length === 0) return true;
    return rule.regions.some((r) => known.includes(r));
  });
}
