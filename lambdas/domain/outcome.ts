/** Normalized outcome of one call, whatever the voice platform reported. */
export const OUTCOMES = [
  'SALE',
  'DNC',
  'TRANSFERRED',
  'CALLBACK',
  'VOICEMAIL',
  'NO_ANSWER',
  'BUSY',
  'NOT_INTERESTED',
  'BAD_NUMBER',
  'FAILED',
  'UNKNOWN',
] as const;

export type Outcome = (typeof OUTCOMES)[number];

export function isOutcome(value: string): value is Outcome {
  return (OUTCOMES as readonly string[]).includes(value);
}
