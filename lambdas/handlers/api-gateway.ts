import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { json, type HttpRequest, type HttpResponse } from '../http/http';
import { awsDeps, logger, metrics, type AwsDeps } from './aws-deps';

/** API Gateway HTTP API (payload 2.0) ⇄ the shared HttpRequest/HttpResponse. */
export function toHttpRequest(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) headers[k.toLowerCase()] = v;
  const body = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  // API Gateway joins a repeated parameter with commas: keep the last value, as the local runtime does.
  const query = Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => [k, v?.split(',').at(-1)]));
  return { method: event.requestContext.http.method, path: routePath(event), headers, body, query };
}

/**
 * The path the routes see, whatever the stage: under a named stage API Gateway puts it in `rawPath`
 * (`/prod/webhooks/bland-sms`), and a route matched on the raw path would send an SMS "STOP" to the call webhook.
 */
export function routePath(event: Pick<APIGatewayProxyEventV2, 'rawPath' | 'requestContext'>): string {
  const stage = event.requestContext.stage;
  if (!stage || stage === '$default') return event.rawPath;
  const prefix = `/${stage}`;
  if (event.rawPath === prefix) return '/';
  return event.rawPath.startsWith(`${prefix}/`) ? event.rawPath.slice(prefix.length) : event.rawPath;
}

export function toResult(response: HttpResponse): APIGatewayProxyStructuredResultV2 {
  return { statusCode: response.statusCode, headers: response.headers, body: response.body };
}

/**
 * A thin API handler: event → the shared route (built once per cold start) → result. An unexpected error is logged
 * and answered 500 (Bland retries webhooks on 5xx); metrics are published after every invocation.
 */
export function apiHandler(name: string, buildRoute: (deps: AwsDeps) => (req: HttpRequest) => Promise<HttpResponse>) {
  let route: ((req: HttpRequest) => Promise<HttpResponse>) | null = null;
  return async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
    try {
      route ??= buildRoute(await awsDeps());
      return toResult(await route(toHttpRequest(event)));
    } catch (error) {
      logger.error(`${name} failed`, { error: (error as Error).message });
      return toResult(json(500, { error: 'internal error' }));
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
