import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { makeAcceptLead } from '../app/accept-lead';
import { json } from '../http/http';
import { makeIntakeRoute } from '../http/routes';
import { toHttpRequest, toResult } from './api-gateway';
import { awsDeps, logger, metrics } from './aws-deps';

/** POST /leads (Zapier). Thin: API Gateway event → the shared intake route → result. */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    const deps = await awsDeps();
    const route = makeIntakeRoute({ archive: deps.archive, clock: deps.loop.clock, apiKey: deps.secrets.intakeApiKey, acceptLead: makeAcceptLead(deps.loop) });
    return toResult(await route(toHttpRequest(event)));
  } catch (error) {
    logger.error('intake failed', { error: (error as Error).message });
    return toResult(json(500, { error: 'internal error' }));
  } finally {
    metrics.publishStoredMetrics();
  }
}
