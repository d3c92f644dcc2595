import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Archive, ArchivedBody, ArchivePage } from '../../ports/archive';
import { dayOfKey, receivedAtOfKey, utcDaysBetween } from '../archive-keys';

/** The local Archive: one JSON file per inbound body under a folder (`.redial/archive/<date>/...`). */
export class FsArchive implements Archive {
  constructor(private readonly root: string) {}

  async put(route: string, receivedAt: number, contentType: string | null, body: string, meta?: { authenticated: boolean; bytes: number }): Promise<string> {
    const iso = new Date(receivedAt).toISOString();
    const key = `${iso.slice(0, 10)}/${iso.replace(/[:.]/g, '-')}-${route.replace(/[^a-z0-9]+/gi, '_')}-${randomUUID().slice(0, 8)}.json`;
    const record: ArchivedBody = { key, receivedAt, route, contentType, body, ...meta };
    const path = join(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify(record));
    return key;
  }

  async get(key: string): Promise<ArchivedBody | null> {
    if (key.includes('..')) return null;
    try {
      return JSON.parse(await readFile(join(this.root, key), 'utf8')) as ArchivedBody;
    } catch {
      return null;
    }
  }

  async list(from: number, to: number, after: string | null, limit: number): Promise<ArchivePage> {
    const keys: string[] = [];
    const afterDay = after === null ? null : dayOfKey(after);
    for (const day of utcDaysBetween(from, to)) {
      if (afterDay !== null && day < afterDay) continue;
      let names: string[];
      try {
        names = (await readdir(join(this.root, day))).filter((n) => n.endsWith('.json')).sort();
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') continue;
        throw error;
      }
      for (const name of names) {
        const key = `${day}/${name}`;
        const at = receivedAtOfKey(key);
        if (at !== null && at > to) return { keys, next: null }; // sorted: nothing later is in range
        if ((after !== null && key <= after) || at === null || at < from) continue;
        keys.push(key);
        if (keys.length === limit) return { keys, next: key };
      }
    }
    return { keys, next: null };
  }
}
