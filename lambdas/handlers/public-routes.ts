import { makeAcceptLead } from '../app/accept-lead';
import { makeRecordLeadData } from '../app/lead-data';
import { makeRecordCallOutcome } from '../app/record-call-outcome';
import { makeRecordInboundSms } from '../app/sms-follow-up';
import { makeBlandSmsWebhookRoute, makeBlandWebhookRoute, makeIntakeRoute, makeLeadDataToolRoute, type PublicRoute } from '../http/routes';
import type { AwsDeps } from './aws-deps';

/** A key under 16 characters counts as unset (the route answers 503), so a bad value cannot break other functions. */
export const keyOrNull = (key: string | null) => (key && key.length >= 16 ? key : null);

/**
 * The public routes on AWS, built one way for the functions that serve them (intake, Bland webhooks, tools) and for
 * the admin function's replay, which re-feeds archived bodies through the very same processing.
 */
export function publicRoutes(deps: AwsDeps): { intake: PublicRoute; calls: PublicRoute; texts: PublicRoute; tools: PublicRoute } {
  const common = { archive: deps.archive, clock: deps.loop.clock, metrics: deps.loop.metrics };
  return {
    intake: makeIntakeRoute({ ...common, apiKey: deps.secrets.intakeApiKey, acceptLead: makeAcceptLead(deps.loop) }),
    calls: makeBlandWebhookRoute({ ...common, secret: deps.secrets.webhookSecret, recordCallOutcome: makeRecordCallOutcome(deps.loop) }),
    texts: makeBlandSmsWebhookRoute({ ...common, secret: deps.secrets.webhookSecret, recordInboundSms: makeRecordInboundSms(deps.loop) }),
    tools: makeLeadDataToolRoute({ ...common, apiKey: keyOrNull(deps.secrets.toolsApiKey), recordLeadData: makeRecordLeadData(deps.loop) }),
  };
}
