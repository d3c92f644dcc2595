import { makeRecordCallOutcome } from '../app/record-call-outcome';
import { makeRecordInboundSms } from '../app/sms-follow-up';
import { makeBlandSmsWebhookRoute, makeBlandWebhookRoute } from '../http/routes';
import { apiHandler } from './api-gateway';

/**
 * POST /webhooks/bland (calls, outbound and inbound) and POST /webhooks/bland-sms (inbound texts). Thin: API Gateway
 * event → the shared route → result (5xx makes Bland retry).
 */
export const handler = apiHandler('webhook', (deps) => {
  const common = { archive: deps.archive, clock: deps.loop.clock, metrics: deps.loop.metrics, secret: deps.secrets.webhookSecret };
  const calls = makeBlandWebhookRoute({ ...common, recordCallOutcome: makeRecordCallOutcome(deps.loop) });
  const texts = makeBlandSmsWebhookRoute({ ...common, recordInboundSms: makeRecordInboundSms(deps.loop) });
  return (req) => (req.path === '/webhooks/bland-sms' ? texts(req) : calls(req));
});
