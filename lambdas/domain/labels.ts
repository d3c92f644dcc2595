/**
 * Whole-token label matching. Labels and phrases are compared as sequences of normalized tokens, never as
 * substrings: `END` does not match `WEEKEND`, `SALE` does not match `SALES`, and a negated run (`NO_SALE`,
 * `NOT TRANSFERRED`) does not count. Case, separators and apostrophes do not matter (`transfer`, `Transfer-Sale`).
 */

const NEGATIONS: ReadonlySet<string> = new Set(['NO', 'NOT', 'NON', 'NEVER', 'DIDNT', 'WASNT', 'FAILED', 'UN']);
/** Words skipped when looking for a negation before a run (`NOT_A_SALE`). */
const FILLERS: ReadonlySet<string> = new Set(['A', 'AN', 'THE']);
/** Words right after a run that undo it (`SALE_LOST`, `TRANSFER_FAILED`, `CALLBACK_DECLINED`). */
const UNDOERS: ReadonlySet<string> = new Set(['LOST', 'DECLINED', 'FAILED', 'FAIL', 'CANCELLED', 'CANCELED', 'REJECTED', 'DENIED', 'NOT', 'NO']);

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
function findRun(within: readonly string[], run: readonly string[], negatable: boolean): number {
  if (run.length === 0 || run.length > within.length) return -1;
  outer: for (let i = 0; i + run.length <= within.length; i++) {
    for (let j = 0; j < run.length; j++) if (within[i + j] !== run[j]) continue outer;
    // A negation just before the run turns it around ("NO SALE", "NOT A SALE"), unless the synonym starts with one.
    if (negatable && !NEGATIONS.has(run[0]!)) {
      let k = i - 1;
      while (k >= 0 && FILLERS.has(within[k]!)) k--;
      if (k >= 0 && NEGATIONS.has(within[k]!)) continue;
      const after = within[i + run.length];
      if (after !== undefined && UNDOERS.has(after)) continue;
    }
    return i;
  }
  return -1;
}

/** A compiled list of synonyms for one category. */
export class LabelSet {
  private readonly exact: ReadonlySet<string>;
  private readonly runs: readonly (readonly string[])[];

  /**
   * `negatable`: a negation before a run, or an undoing word after it, cancels it (`NO_SALE`, `SALE_LOST`). Off for
   * carrier error texts ("Call failed. The number...") and for DNC, where a "no" before "do not call" is emphasis.
   */
  constructor(synonyms: readonly string[], private readonly negatable = true) {
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
    return this.indexIn(text) >= 0;
  }

  /** Token index where the earliest synonym run starts in the text, or -1. */
  indexIn(text: string): number {
    const t = tokens(text);
    let best = -1;
    for (const run of this.runs) {
      const i = findRun(t, run, this.negatable);
      if (i >= 0 && (best < 0 || i < best)) best = i;
    }
    return best;
  }
}
