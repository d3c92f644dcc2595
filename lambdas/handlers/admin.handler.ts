import { json } from '../http/http';
import { makeAdminRoute } from '../http/admin-routes';
import { apiHandler } from './api-gateway';

/** /admin/* (operators). Thin: API Gateway event → the shared admin route → result. */
export const handler = apiHandler('admin', (deps) => {
  const route = makeAdminRoute({ loop: deps.loop, apiKey: deps.secrets.adminApiKey, who: 'admin api' });
  return async (req) => (await route(req)) ?? json(404, { error: `no route ${req.method} ${req.path}` });
});
