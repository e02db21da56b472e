// 登记: the desk, unit officers and admins register a phone call, visit, letter, 12345 ticket or a 信访/省厅 transfer,
// as the bot's /new does; the new case's page follows (or, when it went to another unit, where it went).
// GET /cases/new is a static route, so it wins over /cases/:tracking.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { countiesOf, type WebUser } from '../cases/web-accounts.ts';
import { mayRegisterOnWeb, registerFromConsole } from '../cases/web-register.ts';
import { loadClassifier, type ClassifyFn } from '../runtime.ts';
import { formValues, parseRegisterForm, SOURCE_OPTIONS, TRANSFERRED, type FormValues } from './register-form.ts';
import { forbidden, page, type WebDeps } from './server.ts';
import { mayRead } from './scope.ts';
import { UNIT_CODES, UNIT_NAMES, type UnitCode } from '../domain.ts';

export function registerRegisterRoutes(app: FastifyInstance, deps: WebDeps): void {
  // The keyword rules are read once, on the first registration (most consoles never register).
  let classify: ClassifyFn | undefined = deps.classify;
  const classifier = () => (classify ??= loadClassifier(deps.cfg));
  const reach = (u: WebUser) => {
    const counties = countiesOf(deps.cfg, u);
    return deps.cfg.counties.filter((c) => !counties || counties.includes(c.code));
  };
  const render = (req: FastifyRequest, values: Partial<FormValues>, errors: Record<string, string>) =>
    page(req, {
      title: '登记案件',
      nav: 'register',
      values,
      errors,
      sources: SOURCE_OPTIONS,
      transferred: [...TRANSFERRED],
      counties: reach(req.user!).map((c) => [c.code, c.name]),
    });

  app.get('/cases/new', async (req, reply) => {
    if (!mayRegisterOnWeb(req.user!)) return forbidden(reply, '无权登记案件');
    const q = req.query as Record<string, string | undefined>;
    const done = q.done && /^[A-Z]{2,4}-\d{4}-\d{1,9}$/.test(q.done) ? q.done : null;
    const to = q.to && (UNIT_CODES as readonly string[]).includes(q.to) ? UNIT_NAMES[q.to as UnitCode] : '住建部门（分办）';
    const notice = done ? `已登记，受理编号 ${done}。按内容由${to}办理，不在本单位的案件列表中。` : null;
    return reply.view('case-new', { ...render(req, { source: 'phone', county: reach(req.user!)[0]?.code ?? '' }, {}), notice });
  });

  app.post('/cases/new', async (req, reply) => {
    const u = req.user!;
    if (!mayRegisterOnWeb(u)) return forbidden(reply, '无权登记案件');
    const values = formValues((req.body ?? {}) as Record<string, unknown>);
    const parsed = parseRegisterForm(values, reach(u).map((c) => c.code));
    if (!parsed.ok) return reply.code(400).view('case-new', render(req, values, parsed.errors));
    const r = await registerFromConsole(deps, classifier(), u, parsed.value);
    if (!r.ok) return reply.code(409).view('case-new', render(req, values, { form: r.error.message }));
    deps.log.info({ tracking: r.complaint.tracking, login: u.login, source: parsed.value.source }, 'web: case registered');
    // A unit officer's entry may go to another unit (the keywords decide, as in the bot): then this page says where.
    if (!mayRead(deps.cfg, u, r.complaint)) {
      const to = r.complaint.unit ?? 'triage';
      return reply.redirect(`/cases/new?done=${encodeURIComponent(r.complaint.tracking)}&to=${to}`, 303);
    }
    return reply.redirect(`/cases/${encodeURIComponent(r.complaint.tracking)}`, 303);
  });
}
