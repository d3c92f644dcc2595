/**
 * A console line that can repeat thousands of times (a CRM write parked for every lead Convoso does not know): the
 * first is printed, then the repeats are counted and printed as one line per `everyMs` of wall-clock time.
 */
export interface RepeatSummarizer {
  (line: string): void;
  /** Prints the count of repeats not yet printed (on a timer, and when the runtime stops). */
  flush(): void;
}

export function makeRepeatSummarizer(
  print: (line: string) => void,
  what: string,
  options: { everyMs: number; now: () => number; hint?: string },
): RepeatSummarizer {
  let first = true;
  let held = 0;
  let since = options.now();
  const flush = () => {
    if (held === 0) return;
    print(`${what}: ${held} more in the last ${Math.max(1, Math.round((options.now() - since) / 1000))} s${options.hint ? ` (${options.hint})` : ''}`);
    held = 0;
    since = options.now();
  };
  const summarizer = (line: string) => {
    if (first) {
      first = false;
      print(`${line}  (repeats of this are summarized every ${Math.round(options.everyMs / 1000)} s)`);
      since = options.now();
      return;
    }
    held++;
    if (options.now() - since >= options.everyMs) flush();
  };
  return Object.assign(summarizer, { flush });
}
