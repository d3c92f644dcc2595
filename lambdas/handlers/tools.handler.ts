import { apiHandler } from './api-gateway';
import { publicRoutes } from './public-routes';

/** POST /tools/lead-data: the Bland pathway's mid-call tool. Thin: event → the shared route → result. */
export const handler = apiHandler('tools', (deps) => publicRoutes(deps).tools);
