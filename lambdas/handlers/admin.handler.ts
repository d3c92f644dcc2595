import { json } from '../http/http';
import { makeAdminRoute } from '../http/admin-routes';
import { makeReplayArchive } from '../http/replay';
import { apiHandler } from './api-gateway';
import { keyOrNull, publicRoutes } from './public-routes';
import { logger } from './aws-deps';

/** /admin/* (operators). Thin: API Gateway event → the shared admin route → result. */
export const handler = apiHandler('admin', (deps) => {
  const replayArchive = makeReplayArchive({ archive: deps.archive, routes: Object.values(publicRoutes(deps)), log: (line) => logger.warn(line), elapsedMs: () => performance.now() });
  const route = makeAdminRoute({ loop: deps.loop, apiKey: keyOrNull(deps.secrets.adminApiKey), who: 'admin api', parked: deps.store, reports: deps.store, replayArchive });
  return async (req) => (await route(req)) ?? json(404, { error: `no route ${req.method} ${req.path}` });
});
