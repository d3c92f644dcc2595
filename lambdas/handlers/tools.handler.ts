import { makeRecordLeadData } from '../app/lead-data';
import { makeLeadDataToolRoute } from '../http/routes';
import { apiHandler } from './api-gateway';

/** POST /tools/lead-data: the Bland pathway's mid-call tool. Thin: event → the shared route → result. */
export const handler = apiHandler('tools', (deps) => {
  const key = deps.secrets.toolsApiKey;
  return makeLeadDataToolRoute({
    archive: deps.archive, clock: deps.loop.clock, metrics: deps.loop.metrics,
    apiKey: key && key.length >= 16 ? key : null, recordLeadData: makeRecordLeadData(deps.loop),
  });
});
