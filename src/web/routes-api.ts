// The JSON API the pages' data also comes from (scripts rely on it): the case list with the same filters and
// scope as the list page, and one case in the shape of `wuye case show --json` ({ case, events }).
import type { FastifyInstance } from 'fastify';
import { searchCases } from '../store/case-search.ts';
import { eventsOf } from '../store/cases.ts';
import { auditRead, listQueryFor, readableCase } from './routes-cases.ts';
import { notFound, type WebDeps } from './server.ts';

export function registerApiRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get('/api/cases', async (req) => {
    const u = req.user!;
    const r = await searchCases(deps.db, listQueryFor(deps, u, req.query as Record<string, string>));
    await auditRead(deps, u, null, 'api-cases', { query: req.url.slice(0, 500), ids: r.items.map((i) => i.id) });
    return { total: r.total, totalExact: r.totalExact, items: r.items };
  });

  app.get('/api/cases/:tracking', async (req, reply) => {
    const u = req.user!;
    const c = await readableCase(deps, u, (req.params as { tracking: string }).tracking);
    if (!c) return notFound(req, reply);
    await auditRead(deps, u, c.id, 'api-case');
    return { case: c, events: await eventsOf(deps.db, c.id) };
  });
}
