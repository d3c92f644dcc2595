/**
 * SMS follow-up rules (docs/operations.md), pure: what an inbound text means, and when each step of a lead's text
 * sequence is due. Sending obeys the same calling window as calls (checked by the caller with CallingWindow).
 */

export type SmsIntent = 'opt-out' | 'callback' | 'not-interested' | 'other';

/**
 * Opt-out words (CTIA's standard keywords and the carriers' common set: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT,
 * plus REVOKE and OPTOUT under the FCC's 2024 consent-revocation order; docs/compliance.md) and phrases. Matched as
 * whole words, any case: "weekend" is not END, "stopped by" is not STOP... except that a text that is only a
 * keyword, or has it as a whole word anywhere, opts out (the stricter reading: when in doubt, stop texting).
 */
const OPT_OUT_WORDS = ['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'revoke', 'optout', 'opt-out'];
const OPT_OUT_PHRASES = ['remove me', 'take me off', 'do not text', "don't text", 'dont text', 'do not call', "don't call", 'dont call', 'opt out', 'leave me alone', 'no more texts', 'no more messages', 'lose my number'];
const NOT_INTERESTED_PHRASES = ['not interested', 'no thanks', 'no thank you', 'already have insurance', 'already covered'];
const CALLBACK_WORDS = ['yes', 'yeah', 'yep', 'sure', 'info', 'interested', 'ok', 'okay'];
const CALLBACK_PHRASES = ['call me', 'give me a call', 'call back', 'more info', 'more information', 'tell me more'];

/** Lower case, punctuation to spaces, single spaces: words can then be matched whole. */
function normalize(text: string): string {
  return ` ${text.toLowerCase().replace(/[’`]/g, "'").replace(/[^a-z0-9'\- ]+/g, ' ').replace(/\s+/g, ' ').trim()} `;
}

const hasWord = (norm: string, word: string) => norm.includes(` ${word} `);
const hasPhrase = (norm: string, phrase: string) => norm.includes(` ${phrase} `);

/** What an inbound text asks for. Opting out outranks everything ("yes stop" stops); then not interested; then callback. */
export function classifySms(text: string): SmsIntent {
  const norm = normalize(text);
  if (OPT_OUT_WORDS.some((w) => hasWord(norm, w)) || OPT_OUT_PHRASES.some((p) => hasPhrase(norm, p))) return 'opt-out';
  if (NOT_INTERESTED_PHRASES.some((p) => hasPhrase(norm, p)) || /^ no $/.test(norm)) return 'not-interested';
  if (CALLBACK_WORDS.some((w) => hasWord(norm, w)) || CALLBACK_PHRASES.some((p) => hasPhrase(norm, p))) return 'callback';
  return 'other';
}

/** Fills `{{first_name}}`-style placeholders; an unknown or empty one becomes '' and doubled spaces collapse. */
export function renderTemplate(template: string, values: Readonly<Record<string, string | undefined>>): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, name: string) => values[name] ?? '').replace(/ {2,}/g, ' ').replace(/ ([,.!?])/g, '$1').trim();
}

/**
 * The calendar day (`YYYY-MM-DD`, the lead's zone) of step `step` of a sequence started on `startDay`, or null after
 * the last step. Offsets are days after the start (default 0, 1, 3, 7).
 */
export function stepDay(startDay: string, offsets: readonly number[], step: number): string | null {
  if (step < 0 || step >= offsets.length) return null;
  const [y, m, d] = startDay.split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d + offsets[step]!));
  return day.toISOString().slice(0, 10);
}
