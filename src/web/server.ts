// The web console (issue 18): one more adapter over src/cases, server-rendered with escape-by-default templates
// (eta through @fastify/view), no client script. Security: helmet with a strict CSP (everything from 'self', no
// inline script or style), sessions in the database (HttpOnly, SameSite=Lax cookie), a CSRF token on every POST of
// a session, login rate-limited per address and accounts locked after repeated failures (cases/web-accounts.ts).
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { CaseDeps } from '../cases/deps.ts';
import { isReadOnly, sessionOf, type WebUser } from '../cases/web-accounts.ts';
import { mayRegisterOnWeb } from '../cases/web-register.ts';
import { PROJECT_ROOT } from '../config.ts';
import type { Actor } from '../domain.ts';
import { registerAuthRoutes } from './routes-auth.ts';
import { registerCaseRoutes } from './routes-cases.ts';
import { registerInboxRoutes } from './routes-inbox.ts';
import { registerApiRoutes } from './routes-api.ts';
import { registerCompanyRoutes } from './routes-companies.ts';
import { registerDashboardRoutes } from './routes-dashboard.ts';
import { registerAdminRoutes } from './routes-admin.ts';
import { registerOfficerRoutes } from './routes-officers.ts';
import { registerReportRoutes } from './routes-reports.ts';
import { registerRegisterRoutes } from './routes-register.ts';
import type { ClassifyFn } from '../runtime.ts';

export const SESSION_COOKIE = 'wuye_sid';
const VIEWS = path.join(PROJECT_ROOT, 'src', 'web', 'views');
export const STATIC_DIR = path.join(PROJECT_ROOT, 'src', 'web', 'static');

export interface WebDeps extends CaseDeps {
  /** Registers an unregistered mail through the intake (given by main.ts, as to the bot). */
  promoteMail?: (rawMailId: number, by: Actor) => Promise<{ ok: true; tracking: string } | { ok: false; message: string }>;
  /** Set the Secure flag on the session cookie (behind a TLS reverse proxy). */
  secureCookies?: boolean;
  /** Trust X-Forwarded-* from the reverse proxy (the client address for the login rate limit). */
  trustProxy?: boolean;
  /** The classifier for cases registered on the console; defaults to the configured one (runtime.ts). */
  classify?: ClassifyFn;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: WebUser | null;
    csrf: string | null;
    sessionId: string | null;
  }
}

/** Paths anyone may open without a session. */
const PUBLIC = new Set(['/login', '/login/link', '/static/app.css', '/healthz']);

export async function buildWebServer(deps: WebDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, trustProxy: deps.trustProxy ?? false, bodyLimit: 256 * 1024 });
  await app.register(cookie);
  await app.register(formbody);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    // Plain HTTP on the loopback behind the proxy: HSTS is the proxy's to send.
    strictTransportSecurity: false,
    // Not helmet's no-referrer: under it browsers send `Origin: null` on every POST, and the login's Origin check
    // needs the real one; other sites still learn nothing (same-origin).
    referrerPolicy: { policy: 'same-origin' },
  });
  await app.register(rateLimit, { global: false });
  await app.register(view, {
    engine: { eta: new Eta({ views: VIEWS, autoEscape: true, cache: true }) },
    templates: VIEWS,
  });
  app.decorateRequest('user', null);
  app.decorateRequest('csrf', null);
  app.decorateRequest('sessionId', null);

  const OWN_ACCOUNT_POSTS = new Set(['/logout', '/account/password']);
  app.addHook('preHandler', async (req, reply) => {
    const sid = req.cookies[SESSION_COOKIE];
    if (sid) {
      const s = await sessionOf(deps.db, deps.clock, sid);
      if (s) {
        req.user = s.user;
        req.csrf = s.csrf;
        req.sessionId = sid;
      }
    }
    const route = req.routeOptions.url ?? req.url;
    if (PUBLIC.has(route)) return;
    const api = req.url.startsWith('/api/');
    if (!req.user) {
      if (api) return reply.code(401).send({ error: '未登录' });
      if (req.method === 'GET') return reply.redirect('/login', 303);
      return reply.code(401).type('text/plain; charset=utf-8').send('未登录');
    }
    if (req.method === 'POST') {
      // Read-only roles change no case: only logging out and their own password are theirs to post.
      if (isReadOnly(req.user) && !OWN_ACCOUNT_POSTS.has(route)) return forbidden(reply, '只读账号不能执行操作');
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body._csrf !== 'string' || body._csrf !== req.csrf) return forbidden(reply, '请求已失效，请刷新页面后重试');
    }
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/static/app.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=3600').send(await staticFile('app.css')));
  registerAuthRoutes(app, deps);
  registerRegisterRoutes(app, deps);
  registerCaseRoutes(app, deps);
  registerInboxRoutes(app, deps);
  registerApiRoutes(app, deps);
  registerCompanyRoutes(app, deps);
  registerDashboardRoutes(app, deps);
  registerOfficerRoutes(app, deps);
  registerReportRoutes(app, deps);
  registerAdminRoutes(app, deps);
  app.setNotFoundHandler((req, reply) => notFound(req, reply));
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const code = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (code === 500) deps.log.error({ err, url: req.url }, 'web: request failed');
    if (req.url.startsWith('/api/')) return reply.code(code).send({ error: code === 500 ? '服务器错误' : err.message });
    return reply.code(code).type('text/plain; charset=utf-8').send(code === 500 ? '服务器错误' : code === 429 ? '尝试过于频繁，请稍后再试' : '请求无效');
  });
  return app;
}

let cssCache: string | null = null;
async function staticFile(name: 'app.css'): Promise<string> {
  if (cssCache === null) {
    const { readFile } = await import('node:fs/promises');
    cssCache = await readFile(path.join(STATIC_DIR, name), 'utf8');
  }
  return cssCache;
}

export function forbidden(reply: FastifyReply, message: string) {
  return reply.code(403).type('text/plain; charset=utf-8').send(message);
}

/** One answer for "no such case" and "not yours": the same status and the same words. */
export function notFound(req: FastifyRequest, reply: FastifyReply) {
  if (req.url.startsWith('/api/')) return reply.code(404).send({ error: '未找到' });
  return reply.code(404).view('not-found', page(req, { title: '未找到' }));
}

/** What every page's layout needs. */
export function page(req: FastifyRequest, data: Record<string, unknown>): Record<string, unknown> {
  return { user: req.user, csrf: req.csrf, readOnly: req.user ? isReadOnly(req.user) : false, mayRegister: req.user ? mayRegisterOnWeb(req.user) : false, ...data };
}

/** `host:port` → what `listen` takes. */
export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  return { host: listen.slice(0, i), port: Number(listen.slice(i + 1)) };
}

export async function startWebServer(deps: WebDeps, listen: string): Promise<{ app: FastifyInstance; port: number; close: () => Promise<void> }> {
  const app = await buildWebServer(deps);
  const { host, port } = parseListen(listen);
  await app.listen({ host, port });
  const addr = app.server.address();
  return { app, port: typeof addr === 'object' && addr ? addr.port : port, close: () => app.close() };
}
