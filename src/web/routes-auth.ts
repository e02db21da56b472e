// Login and logout. POST /login takes the form fields `login` and `password` and answers 303 with the session
// cookie (scripts rely on it). It has no session to bind a CSRF token to; a cross-site login is refused by its
// Origin instead, and the rate limit and the account lock slow guessing.
import type { FastifyInstance } from 'fastify';
import { LOCK_MINUTES, logIn, logInWithLink, logOut } from '../cases/web-accounts.ts';
import { page, SESSION_COOKIE, type WebDeps } from './server.ts';

export function registerAuthRoutes(app: FastifyInstance, deps: WebDeps): void {
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: deps.secureCookies ?? false };

  app.get('/login', async (req, reply) => {
    if (req.user) return reply.redirect('/', 303);
    const changed = (req.query as Record<string, unknown>).changed === '1';
    return reply.view('login', page(req, { title: '登录', message: null, notice: changed ? '密码已修改，请用新密码登录。' : null }));
  });

  app.post('/login', { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (req, reply) => {
    if (!sameOrigin(req.headers.origin, req.headers.host)) return reply.code(403).type('text/plain; charset=utf-8').send('跨站登录被拒绝');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const login = typeof body.login === 'string' ? body.login.trim() : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const code = typeof body.totp === 'string' ? body.totp : '';
    const r = login && password ? await logIn(deps.db, deps.clock, login, password, code) : ({ ok: false, reason: 'invalid' } as const);
    if (!r.ok) {
      const message = r.reason === 'locked' ? `连续登录失败次数过多，账号已锁定 ${LOCK_MINUTES} 分钟；可请管理员重设密码` : '登录名、密码或动态口令错误';
      return reply.code(r.reason === 'locked' ? 423 : 401).view('login', page(req, { title: '登录', message, login }));
    }
    // A browser-session cookie: closing the browser ends it; the server ends it at the session's expiry anyway.
    reply.setCookie(SESSION_COOKIE, r.sessionId, cookieOptions);
    return reply.redirect('/', 303);
  });

  // The bot's /web link. Opening it (GET) spends nothing: link previewers and mail scanners fetch URLs, so the
  // page asks for a click, and the POST spends the link and starts the session.
  app.get('/login/link', async (req, reply) => {
    const t = (req.query as Record<string, unknown>).t;
    return reply.view('login-link', page(req, { title: '链接登录', token: typeof t === 'string' ? t : '', message: null }));
  });

  app.post('/login/link', { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, async (req, reply) => {
    if (!sameOrigin(req.headers.origin, req.headers.host)) return reply.code(403).type('text/plain; charset=utf-8').send('跨站登录被拒绝');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const token = typeof body.t === 'string' ? body.t : '';
    const r = await logInWithLink(deps.db, deps.clock, token);
    if (!r.ok) {
      const message = '登录链接无效、已使用或已过期。请在机器人中发送 /web 重新获取。';
      return reply.code(401).view('login-link', page(req, { title: '链接登录', token: '', message }));
    }
    reply.setCookie(SESSION_COOKIE, r.sessionId, cookieOptions);
    return reply.redirect('/', 303);
  });

  app.post('/logout', async (req, reply) => {
    if (req.sessionId) await logOut(deps.db, req.sessionId);
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return reply.redirect('/login', 303);
  });

  app.get('/', async (req, reply) => {
    const u = req.user!;
    const desk = u.role === 'desk' || u.role === 'admin' || (u.role === 'officer' && u.unit === 'housing');
    return reply.redirect(desk ? '/inbox' : '/cases', 303);
  });
}

/** No Origin (a script, an old browser) passes; one that names another site, or is not a URL, does not. */
function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
