import { makeAcceptLead } from '../app/accept-lead';
import { makeIntakeRoute } from '../http/routes';
import { apiHandler } from './api-gateway';

/** POST /leads (Zapier). Thin: API Gateway event → the shared intake route → result. */
export const handler = apiHandler('intake', (deps) =>
  makeIntakeRoute({ archive: deps.archive, clock: deps.loop.clock, metrics: deps.loop.metrics, apiKey: deps.secrets.intakeApiKey, acceptLead: makeAcceptLead(deps.loop) }));
