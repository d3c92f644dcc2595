import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { makeRecordCallOutcome } from '../app/record-call-outcome';
import { json } from '../http/http';
import { makeBlandWebhookRoute } from '../http/routes';
import { toHttpRequest, toResult } from './api-gateway';
import { awsDeps, logger, metrics } from './aws-deps';

/** POST /webhooks/bland. Thin: API Gateway event → the shared webhook route → result (5xx makes Bland retry). */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    const deps = await awsDeps();
    const route = makeBlandWebhookRoute({ archive: deps.archive, clock: deps.loop.clock, secret: deps.secrets.webhookSecret, recordCallOutcome: makeRecordCallOutcome(deps.loop) });
    return toResult(await route(toHttpRequest(event)));
  } catch (error) {
    logger.error('webhook failed', { error: (error as Error).message });
    return toResult(json(500, { error: 'internal error' }));
  } finally {
    metrics.publishStoredMetrics();
  }
}
