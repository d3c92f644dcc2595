import { z } from 'zod';
import { parseBlockTarget, type BlockEntry, type BlockKind } from '../domain/blocklist';
import { normalizePhone } from '../domain/phone';
import type { BlockList } from '../ports/blocklist';
import type { Clock } from '../ports/clock';

export class BlocklistRequestError extends Error {
  constructor(readonly status: 400 | 404, message: string) {
    super(message);
    this.name = 'BlocklistRequestError';
  }
}

const target = z.object({
  number: z.string().max(40).optional(),
  areaCode: z.string().max(10).optional(),
  prefix: z.string().max(20).optional(),
  reason: z.string().trim().min(1, 'must say why').max(300).optional(),
}).strict();

/** Which one entry a body names: exactly one of number, areaCode, prefix (a number in any US format). */
function targetOf(body: unknown): { kind: BlockKind; value: string; reason: string | undefined } {
  const parsed = target.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BlocklistRequestError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  const named = (['number', 'areaCode', 'prefix'] as const).filter((k) => parsed.data[k] !== undefined);
  if (named.length !== 1) throw new BlocklistRequestError(400, 'body: name exactly one of number, areaCode, prefix');
  const kind = named[0]!;
  let raw = parsed.data[kind]!;
  if (kind === 'number') {
    const phone = normalizePhone(raw);
    if (!phone.ok) throw new BlocklistRequestError(400, `number: ${phone.reason}`);
    raw = phone.phone;
  }
  const checked = parseBlockTarget(kind, raw);
  if (!checked.ok) throw new BlocklistRequestError(400, checked.reason);
  return { kind, value: checked.value, reason: parsed.data.reason };
}

/** The operators' blocklist use cases (admin API, CLI): add, remove (also releases a BAD_NUMBER listing), list. */
export function makeBlocklistAdmin(deps: { blocklist: BlockList; clock: Clock }) {
  return {
    async add(body: unknown, by: string): Promise<BlockEntry> {
      const { kind, value, reason } = targetOf(body);
      if (!reason) throw new BlocklistRequestError(400, 'reason: required (why is this blocked?)');
      const entry: BlockEntry = { kind, value, reason, source: 'operator', addedAt: deps.clock.now(), addedBy: by };
      await deps.blocklist.add(entry);
      return entry;
    },
    async remove(body: unknown): Promise<{ kind: BlockKind; value: string }> {
      const { kind, value } = targetOf(body);
      if (!(await deps.blocklist.remove(kind, value))) throw new BlocklistRequestError(404, `${kind} ${value} is not on the blocklist`);
      return { kind, value };
    },
    list(): Promise<BlockEntry[]> {
      return deps.blocklist.list();
    },
  };
}
