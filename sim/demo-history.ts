import type { HistoryCall } from './bland-sim';
import type { SimCrmLead } from './convoso-sim';
import { seededRandom } from './random';

/**
 * The demo history `npm start` serves, so a backfill has something to walk: every UTC day before `until` holds
 * 30-80 calls to a pool of 600 numbers across US area codes (generated per day from the day itself, so any range is
 * the same every time and costs no memory), and Convoso holds those numbers: 10% SALE, 10% DNC, 20% absent, the rest open.
 */
const AREA_CODES = ['212', '305', '312', '415', '713', '602', '808', '907', '503', '850', '617', '404'];
const POOL = 600;

export const demoPhone = (i: number) => `+1${AREA_CODES[i % AREA_CODES.length]}555${String(2000 + i).padStart(4, '0')}`;

export function demoHistory(until: number): (utcDay: string) => HistoryCall[] {
  return (day) => {
    const start = Date.parse(`${day}T00:00:00Z`);
    if (Number.isNaN(start) || start + 86_400_000 > until) return [];
    const random = seededRandom(Math.floor(start / 86_400_000));
    const count = 30 + Math.floor(random() * 51);
    const band = (Math.floor(start / 86_400_000) * 13) % POOL;
    const times = Array.from({ length: count }, () => start + Math.floor(random() * 86_400_000)).sort((a, b) => a - b);
    return times.map((at, n) => ({
      call_id: `demo-${day}-${n}`, created_at: new Date(at).toISOString(), to: demoPhone((band + Math.floor(random() * 120)) % POOL),
      from: '+13475550188', inbound: false, completed: true, call_length: 0.4, answered_by: 'voicemail',
    }));
  };
}

export function demoCrmLeads(): [string, SimCrmLead][] {
  const leads: [string, SimCrmLead][] = [];
  for (let i = 0; i < POOL; i++) {
    const k = i % 10;
    if (k === 2 || k === 3) continue;
    leads.push([demoPhone(i), { id: `demo-${i}`, listId: '1', status: k === 0 ? 'SALE' : k === 1 ? 'DNC' : ['NA', 'A', 'CB'][i % 3]! }]);
  }
  return leads;
}
