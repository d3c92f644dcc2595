/**
 * dynalite in its own process (startLocalDynamoProcess): the database engine's work on another core than the client's
 * (bench/ops.ts counts the client's CPU alone, as a Lambda would spend it; the fault suite runs faster on 2 cores).
 * Prints one JSON line `{ endpoint, tableName }` once the table exists; stops when its stdin closes.
 */
import { startLocalDynamo } from './dynalite';

async function main(): Promise<void> {
  const dynamo = await startLocalDynamo({ tableName: process.env['TABLE'] ?? 'bench-ops' });
  process.stdout.write(`${JSON.stringify({ endpoint: dynamo.endpoint, tableName: dynamo.tableName })}\n`);
  // Once stdin ends and the server is closed, nothing holds the event loop: the process ends by itself.
  process.stdin.on('end', () => void dynamo.stop().then(() => process.stdin.pause()));
  process.stdin.resume();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
