import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { DEFAULT_CONFIG, outcomeConfigSchema } from '../../../lambdas/config/config';
import { CallClassifier, readCallbackAt, type BlandCallReport } from '../../../lambdas/domain/classify-call';
import { LabelSet, tokens } from '../../../lambdas/domain/labels';
import { OUTCOMES } from '../../../lambdas/domain/outcome';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'bland');
const fixture = (name: string): BlandCallReport => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
const classifier = new CallClassifier(DEFAULT_CONFIG.outcomes);

describe('classification of Bland call-ended webhooks (fixtures and their sources: test/fixtures/bland/SOURCES.md)', () => {
  it.each([
    ['transferred-merged', 'TRANSFERRED', 'warm_transfer_call.state MERGED'],
    ['transfer-hung-up-on-hold', 'UNKNOWN', 'no deciding field'],
    ['sale-disposition', 'SALE', 'disposition_tag "ACA"'],
    ['dnc-disposition', 'DNC', 'disposition_tag "DO_NOT_CONTACT"'],
    ['dnc-phrase-in-summary', 'DNC', 'customer asked not to be called (transcript)'],
    ['callback-with-time', 'CALLBACK', 'disposition_tag "CALL_BACK_SCHEDULED"'],
    ['not-interested', 'NOT_INTERESTED', 'disposition_tag "NOT_INTERESTED"'],
    ['voicemail', 'VOICEMAIL', 'answered_by "voicemail"'],
    ['no-answer', 'NO_ANSWER', 'status/answered_by no-answer'],
    ['busy', 'BUSY', 'status/answered_by busy'],
    ['busy-error-message', 'BUSY', 'error_message "Call failed. The number you dialed is busy. Please try again later."'],
    ['invalid-number', 'BAD_NUMBER', 'error_message "Call failed. The number you dialed is not found."'],
    ['failed-other-error', 'FAILED', 'error_message "Call failed. Service Provider Blocked Call due to Spam or Number Reputation. Try a different number."'],
    ['unknown-label', 'UNKNOWN', 'no deciding field'],
    ['weekend-label', 'UNKNOWN', 'no deciding field'],
    ['human-short-hangup', 'UNKNOWN', 'no deciding field'],
  ])('%s → %s', (name, outcome, evidence) => {
    const result = classifier.classify(fixture(name));
    expect(result.outcome).toBe(outcome);
    expect(result.evidence.startsWith(evidence)).toBe(true);
  });

  it('every fixture is covered by the table above', () => {
    expect(readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))).toHaveLength(16);
  });

  it('the callback time is read from the call variables', () => {
    expect(classifier.classify(fixture('callback-with-time')).callbackAt).toBe(Date.parse('2026-03-12T15:30:00-04:00'));
  });
});

describe('transfers count only when they connected', () => {
  const merged = fixture('transferred-merged');
  it('a TRANSFERRED tag without any transfer is not a transfer', () => {
    expect(classifier.classify({ ...merged, warm_transfer_call: null, transferred_to: null, transferred_at: null, post_transfer_duration: null }).outcome).toBe('UNKNOWN');
  });
  it.each(['CANCELLED', 'NO_ANSWER', 'TIMED_OUT', 'STARTED'])('warm transfer state %s is not a transfer, even with transferred_to set', (state) => {
    expect(classifier.classify({ ...merged, warm_transfer_call: { state, proxy_agent_calls: [] } }).outcome).toBe('UNKNOWN');
  });
  it('a cold transfer counts when the customer stayed on after it', () => {
    const cold = { ...merged, warm_transfer_call: null };
    expect(classifier.classify(cold).outcome).toBe('TRANSFERRED');
    expect(classifier.classify({ ...cold, post_transfer_duration: 0 }).outcome).toBe('UNKNOWN');
  });
  it('a merged leg proves it when the overall state is missing', () => {
    expect(classifier.classify({ ...merged, warm_transfer_call: { proxy_agent_calls: [{ state: 'MERGED' }] } }).outcome).toBe('TRANSFERRED');
  });
});

describe('precedence', () => {
  const human = { status: 'completed', answered_by: 'human' };
  it('DNC beats SALE beats TRANSFERRED', () => {
    const merged = fixture('transferred-merged');
    expect(classifier.classify({ ...merged, disposition_tag: 'SALE', transcripts: [{ user: 'user', text: 'Sign me up but never call me again' }] }).outcome).toBe('DNC');
    expect(classifier.classify({ ...merged, disposition_tag: 'SALE' }).outcome).toBe('SALE');
  });
  it('a sale tag on a dial that never connected is not a sale', () => {
    expect(classifier.classify({ status: 'failed', error_message: 'Call failed.', disposition_tag: 'SALE' }).outcome).toBe('FAILED');
    expect(classifier.classify({ status: 'no-answer', answered_by: 'no-answer', disposition_tag: 'ACA' }).outcome).toBe('NO_ANSWER');
  });
  it('only the customer words count for spoken DNC, not the agent', () => {
    const agentSays = { ...human, transcripts: [{ user: 'assistant', text: "We'll make sure we do not call you at work." }] };
    expect(classifier.classify(agentSays).outcome).toBe('UNKNOWN');
  });
  it('a pathway tag can flag DNC (safety) but cannot make a sale', () => {
    expect(classifier.classify({ ...human, pathway_tags: ['Intro', 'DNC Request'] }).outcome).toBe('DNC');
    expect(classifier.classify({ ...human, pathway_tags: ['Sale Objection'] }).outcome).toBe('UNKNOWN');
  });
  it('a completed call with an error_message is judged by status, not the error (Bland example)', () => {
    expect(classifier.classify({ ...human, error_message: 'Account not allowed to call +12345678901', disposition_tag: 'NOT_INTERESTED' }).outcome).toBe('NOT_INTERESTED');
  });
  it('NO_ANSWER label on a call a human answered decides nothing; voicemail beats it', () => {
    expect(classifier.classify({ ...human, disposition_tag: 'NO_CONTACT_MADE' }).outcome).toBe('UNKNOWN');
    expect(classifier.classify({ status: 'completed', answered_by: 'voicemail', disposition_tag: 'NO_CONTACT_MADE' }).outcome).toBe('VOICEMAIL');
    expect(classifier.classify({ status: 'completed', answered_by: null, disposition_tag: 'NO_ANSWER' }).outcome).toBe('NO_ANSWER');
  });
  it('a dropped call that says "disconnected" is FAILED, not a bad number; a disconnected number is BAD_NUMBER', () => {
    expect(classifier.classify({ status: 'failed', error_message: 'Call disconnected due to network error' }).outcome).toBe('FAILED');
    expect(classifier.classify({ status: 'failed', error_message: 'The number you dialed has been disconnected.' }).outcome).toBe('BAD_NUMBER');
  });
  it('queue errors and canceled calls are FAILED; an empty body is UNKNOWN', () => {
    expect(classifier.classify({ status: 'canceled' }).outcome).toBe('FAILED');
    expect(classifier.classify({ queue_status: 'queue_error', completed: false }).outcome).toBe('FAILED');
    expect(classifier.classify({}).outcome).toBe('UNKNOWN');
  });
});

describe('DNC is never missed', () => {
  const human = { status: 'completed', answered_by: 'human' };
  it.each([
    'No, do not call me again.',
    'No, stop calling me!',
    'No. Remove me from your list',
    "Don't ever call me again",
    'Quit calling me',
    'Put me on your DNC list',
    'Lose my number',
  ])('the customer says %j', (text) => {
    expect(classifier.classify({ ...human, transcripts: [{ user: 'user', text }] }).outcome).toBe('DNC');
  });

  it.each([
    'The customer asked not to be called again.',
    'Customer requested no further calls.',
    'The caller wanted to be removed from the list.',
  ])('the summary says %j', (summary) => {
    expect(classifier.classify({ ...human, summary }).outcome).toBe('DNC');
  });

  it('a tag like "No - Do Not Call" is DNC (a "no" before it is emphasis)', () => {
    expect(classifier.labelCategory('No - Do Not Call')).toBe('DNC');
    expect(classifier.classify({ ...human, pathway_tags: ['No - Do Not Call'] }).outcome).toBe('DNC');
  });

  it('on purpose, DNC errs on the safe side: "do not call before 5" ends the lead too (docs/bland.md)', () => {
    expect(classifier.classify({ ...human, transcripts: [{ user: 'user', text: 'Call me back, but do not call before 5.' }] }).outcome).toBe('DNC');
  });
});

describe('labels are whole normalized tokens', () => {
  it.each([
    ['transfer', 'TRANSFERRED'],
    ['TRANSFERRED', 'TRANSFERRED'],
    ['TRANSFER_SALE', 'TRANSFERRED'],
    ['Transfer-Sale', 'TRANSFERRED'],
    ['sale', 'SALE'],
    ['ACA', 'SALE'],
    ['aca_enrolled', 'SALE'],
    ['Do Not Call', 'DNC'],
    ['do_not_call', 'DNC'],
    ['DNC', 'DNC'],
    ['remove me please', 'DNC'],
    ['CALL_BACK_SCHEDULED', 'CALLBACK'],
    ['callback', 'CALLBACK'],
    ['NI', 'NOT_INTERESTED'],
    ['not interested', 'NOT_INTERESTED'],
  ])('%s → %s', (label, outcome) => {
    expect(classifier.labelCategory(label)).toBe(outcome);
  });

  it.each([
    ['NOT_INTERESTED_IN_ACA', 'NOT_INTERESTED'],
    ['CALLBACK_ACA', 'CALLBACK'],
    ['ACA_CALLBACK', 'SALE'],
    ['ACA_NOT_QUALIFIED', 'NOT_INTERESTED'],
  ])('%s → %s (the earliest synonym decides, a sale needs to lead)', (label, outcome) => {
    expect(classifier.labelCategory(label)).toBe(outcome);
  });

  it.each(['WEEKEND', 'WEEKEND_ONLY', 'SALES_PITCH', 'NO_SALE', 'NOT_A_SALE', 'SALE_LOST', 'SALE_DECLINED', 'TRANSFER_FAILED', 'INTERESTED', 'NICE', 'DNCX', 'TRANSFERS_PENDING', '', '___'])('%j matches nothing', (label) => {
    expect(classifier.labelCategory(label)).toBeNull();
  });

  it('END never matches WEEKEND (the incident that made matching whole-token)', () => {
    const endSet = new LabelSet(['END', 'STOP']);
    expect(endSet.occursIn('WEEKEND')).toBe(false);
    expect(endSet.occursIn('weekend callback')).toBe(false);
    expect(endSet.occursIn('please stop')).toBe(true);
    expect(tokens("Don't-Call_me")).toEqual(['DONT', 'CALL', 'ME']);
  });

  it('sale labels are configurable per account', () => {
    const custom = new CallClassifier(outcomeConfigSchema.parse({ saleLabels: ['POLICY_BOUND'] }));
    expect(custom.labelCategory('policy bound')).toBe('SALE');
    expect(custom.labelCategory('ACA')).toBeNull();
  });

  it('a SALE needs a sale token that is neither negated nor undone (token soup)', () => {
    const vocabulary = ['ACA', 'SALE', 'SOLD', 'NOT', 'NO', 'A', 'LOST', 'IN', 'INTERESTED', 'CALLBACK', 'TRANSFER', 'QUALIFIED', 'WEEKEND', 'END', 'PENDING'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 5 }), fc.constantFrom('_', ' ', '-'), (words, sep) => {
        const label = words.join(sep);
        const category = classifier.labelCategory(label);
        if (category !== 'SALE') return true;
        // Some sale token stands neither negated before (skipping A) nor undone after.
        return words.some((w, i) => {
          if (!['ACA', 'SALE', 'SOLD'].includes(w)) return false;
          let k = i - 1;
          while (k >= 0 && words[k] === 'A') k--;
          const negated = k >= 0 && ['NOT', 'NO'].includes(words[k]!);
          const undone = ['LOST', 'NOT', 'NO'].includes(words[i + 1] ?? '');
          return !negated && !undone;
        });
      }),
      { numRuns: 5_000 },
    );
  });

  it('never crashes and never calls an unknown label terminal', () => {
    const known = DEFAULT_CONFIG.outcomes;
    const allSynonyms = [...known.saleLabels, ...known.dncLabels].map((l) => tokens(l).join(' '));
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.option(fc.string()), fc.anything(), (label, status, variables) => {
        const body = { disposition_tag: label, status, variables: variables as Record<string, unknown> } as BlandCallReport;
        const { outcome } = classifier.classify(body);
        if (!OUTCOMES.includes(outcome)) return false;
        if (outcome === 'SALE' || outcome === 'DNC') {
          const t = tokens(label).join(' ');
          return allSynonyms.some((s) => ` ${t} `.includes(` ${s} `));
        }
        return true;
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('readCallbackAt', () => {
  it('reads ISO instants with an offset and ignores everything else', () => {
    expect(readCallbackAt({ callback_datetime: '2026-03-12T15:30:00-04:00' })).toBe(Date.parse('2026-03-12T19:30:00Z'));
    expect(readCallbackAt({ callback_at: '2026-03-12T19:30:00Z' })).toBe(Date.parse('2026-03-12T19:30:00Z'));
    expect(readCallbackAt({ callback_time: 'Thursday at 3:30 PM' })).toBeNull();
    expect(readCallbackAt({ callback_datetime: '2026-03-12T15:30:00' })).toBeNull();
    expect(readCallbackAt(null)).toBeNull();
  });
});
