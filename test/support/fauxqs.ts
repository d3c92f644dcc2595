import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** fauxqs in a child process (it is ESM-only; jest runs CommonJS). */
export interface FauxqsHandle {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startFauxqs(): Promise<FauxqsHandle> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'fauxqs-server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('fauxqs did not start within 20 s')), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.on('exit', (code) => reject(new Error(`fauxqs exited with ${code}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
