import { json } from '../http/http';
import { makeAdminRoute } from '../http/admin-routes';
import { apiHandler } from './api-gateway';

/** /admin/* (operators). Thin: API Gateway event → the shared admin route → result. */
export const handler = apiHandler('admin', (deps) => {
  // A key too short to be a secret counts as unset (503): checked here, so a bad value cannot break other functions.
  const key = deps.secrets.adminApiKey;
  const route = makeAdminRoute({ loop: deps.loop, apiKey: key && key.length >= 16 ? key : null, who: 'admin api', parked: deps.store, reports: deps.store });
  return async (req) => (await route(req)) ?? json(404, { error: `no route ${req.method} ${req.path}` });
});
