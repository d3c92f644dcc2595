import { makeRecordCallOutcome } from '../app/record-call-outcome';
import { makeBlandWebhookRoute } from '../http/routes';
import { apiHandler } from './api-gateway';

/** POST /webhooks/bland. Thin: API Gateway event → the shared webhook route → result (5xx makes Bland retry). */
export const handler = apiHandler('webhook', (deps) =>
  makeBlandWebhookRoute({ archive: deps.archive, clock: deps.loop.clock, metrics: deps.loop.metrics, secret: deps.secrets.webhookSecret, recordCallOutcome: makeRecordCallOutcome(deps.loop) }));
