import { apiHandler } from './api-gateway';
import { publicRoutes } from './public-routes';

/**
 * POST /webhooks/bland (calls, outbound and inbound) and POST /webhooks/bland-sms (inbound texts). Thin: API Gateway
 * event → the shared route → result (5xx makes Bland retry).
 */
export const handler = apiHandler('webhook', (deps) => {
  const { calls, texts } = publicRoutes(deps);
  return (req) => (req.path === '/webhooks/bland-sms' ? texts(req) : calls(req));
});
