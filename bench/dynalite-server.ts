/**
 * dynalite in its own process for bench/ops.ts, so that the benchmark's process.cpuUsage() counts the client side
 * only (use cases, SDK marshalling, HTTP), as a Lambda would spend it, and not the database engine's work.
 * Prints one JSON line `{ endpoint, tableName }` once the table exists; stops when its stdin closes.
 */
import { startLocalDynamo } from '../lambdas/adapters/local/dynalite';

async function main(): Promise<void> {
  const dynamo = await startLocalDynamo({ tableName: process.env['TABLE'] ?? 'bench-ops' });
  process.stdout.write(`${JSON.stringify({ endpoint: dynamo.endpoint, tableName: dynamo.tableName })}\n`);
  process.stdin.on('end', () => void dynamo.stop().then(() => process.exit(0)));
  process.stdin.resume();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
