/** The operator CLI's way to the admin API (the local runtime's, or AWS's behind --url): no AWS SDK here. */

/** A command the CLI cannot carry out as asked (exit 2 with the message). */
export class BackfillCliError extends Error {}

/** Where the admin API is: --url / --api-key, else $REDIAL_URL / $REDIAL_API_KEY, else the local runtime. */
export function adminEndpoint(values: { url?: string | undefined; 'api-key'?: string | undefined }, env: NodeJS.ProcessEnv): { baseUrl: string; apiKey: string } {
  return { baseUrl: values.url ?? env['REDIAL_URL'] ?? 'http://127.0.0.1:3000', apiKey: values['api-key'] ?? env['REDIAL_API_KEY'] ?? 'local-dev-key' };
}

/** One admin API request: the status and JSON body; an unreachable server is a CliError naming the URL. */
export function adminApi(baseUrl: string, apiKey: string, hint = 'or pass --url') {
  const call = async (method: string, path: string, body?: unknown) => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new BackfillCliError(`cannot reach ${baseUrl} (${(error as Error).message}): start the local runtime with \`npm start\`, ${hint}`);
    }
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: response.status, json };
  };
  /** The body of a 2xx answer; else the server's error as a CliError. */
  const expectOk = (answer: { status: number; json: Record<string, unknown> }) => {
    if (answer.status >= 400) throw new BackfillCliError(String(answer.json['error'] ?? `HTTP ${answer.status}`));
    return answer.json;
  };
  return { call, expectOk, request: async (method: string, path: string, body?: unknown) => expectOk(await call(method, path, body)) };
}
