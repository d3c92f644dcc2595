import { apiHandler } from './api-gateway';
import { publicRoutes } from './public-routes';

/** POST /leads (Zapier). Thin: API Gateway event → the shared intake route → result. */
export const handler = apiHandler('intake', (deps) => publicRoutes(deps).intake);
