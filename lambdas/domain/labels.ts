/**
 * Whole-token label matching. Labels and phrases are compared as sequences of normalized tokens, never as
 * substrings: `END` does not match `WEEKEND`, `SALE` does not match `SALES`, and a negated run (`NO_SALE`,
 * `NOT TRANSFERRED`) does not count. Case, separators and apostrophes do not matter (`transfer`, `Transfer-Sale`).
 */

const NEGATIONS: ReadonlySet<string> = new Set(['NO', 'NOT', 'NON', 'NEVER', 'DIDNT', 'WASNT', 'FAILED', 'UN']);

export function tokens(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['\u2019`]/g, '')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((t) => t.length > 0);
}

export function normalizeLabel(text: string): string {
  return tokens(text).join(' ');
}

/** Index of the first non-negated occurrence of `run` inside `within`, or -1. */
function findRun(within: readonly string[], run: readonly string[]): number {
  if (run.length === 0 || run.length > within.length) return -1;
  outer: for (let i = 0; i + run.length <= within.length; i++) {
    for (let j = 0; j < run.length; j++) if (within[i + j] !== run[j]) continue outer;
    // A negation just before the run turns it around ("NO SALE"), unless the synonym itself starts with one.
    if (i > 0 && NEGATIONS.has(within[i - 1]!) && !NEGATIONS.has(run[0]!)) continue;
    return i;
  }
  return -1;
}

/** A compiled list of synonyms for one category. */
export class LabelSet {
  private readonly exact: ReadonlySet<string>;
  private readonly runs: readonly (readonly string[])[];

  constructor(synonyms: readonly string[]) {
    const runs = synonyms.map(tokens).filter((t) => t.length > 0);
    this.runs = runs;
    this.exact = new Set(runs.map((t) => t.join(' ')));
  }

  /** The whole label is one of the synonyms. */
  isExactly(label: string): boolean {
    return this.exact.has(normalizeLabel(label));
  }

  /** Some synonym appears in the label (or text) as a whole, non-negated run of tokens. */
  occursIn(text: string): boolean {
    const t = tokens(text);
    return this.runs.some((run) => findRun(t, run) >= 0);
  }
}
