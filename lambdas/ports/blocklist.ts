import type { BlockEntry, BlockKind } from '../domain/blocklist';

/** The blocklist's storage. `entriesFor` is on the dial path: the number's own entry plus every prefix and area code. */
export interface BlockList {
  add(entry: BlockEntry): Promise<void>;
  /** False if there was no such entry. */
  remove(kind: BlockKind, value: string): Promise<boolean>;
  list(): Promise<BlockEntry[]>;
  /** The entries that could block `phone`: its number entry, if any, and all area-code and prefix entries. */
  entriesFor(phone: string): Promise<BlockEntry[]>;
}
