// The admins' pages (issue 18: "users, settings view"): 账号 — the console's accounts in the admin's reach, with
// 开设 / 重置密码 / 停用 / 启用 / 关闭动态口令 (src/cases/account-admin.ts); 设置 — what this deployment runs with,
// read-only (the configuration file is the one place to change it), secrets never shown, only whether they are set.
// And every user's own 修改密码.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  changeOwnPassword,
  createAccountAs,
  disableAccountAs,
  enableAccountAs,
  manageableAccounts,
  resetAccountAs,
  totpOffAs,
  type AdminResult,
} from '../cases/account-admin.ts';
import { actorOfWebUser, countiesOf, isCityLevel, WEB_ROLES, type WebUser } from '../cases/web-accounts.ts';
import { secret } from '../config.ts';
import { UNIT_CODES, UNIT_NAMES } from '../domain.ts';
import { missingHolidayYears } from '../runtime.ts';
import { redactUrl } from '../store/db.ts';
import { formatMinute } from '../time.ts';
import { forbidden, page, type WebDeps } from './server.ts';

export const WEB_ROLE_NAMES: Record<(typeof WEB_ROLES)[number], string> = {
  desk: '受理台（住建）',
  admin: '管理员',
  supervisor: '纪检监察（只读）',
  leader: '领导（只读）',
  officer: '成员单位承办人',
};

const SCHEDULE_NAMES: Record<string, string> = {
  weekly: '周报（附件2、附件3、简报）',
  province: '省厅周报',
  provinceData: '省厅数据准备',
  discipline: '纪检监察周报',
  monthly: '月度公开报告、红黑榜',
  reminders: '到期提醒与超期督办',
  companies: '物业企业处置链',
  housekeeping: '清理',
  unregistered: '未登记邮件汇总',
};

const RECIPIENT_NAMES: Record<string, string> = {
  weekly: '周报（附件2、附件3、简报）',
  province: '省厅周报',
  discipline: '纪检监察周报',
  monthly: '月度公开报告',
  admin: '系统告警（管理员）',
};

type Body = Record<string, string | undefined>;

export function registerAdminRoutes(app: FastifyInstance, deps: WebDeps): void {
  const isAdmin = (u: WebUser) => u.role === 'admin';
  const countyName = (code: string) => (code === deps.cfg.city.code ? deps.cfg.city.name : deps.cfg.counties.find((c) => c.code === code)?.name ?? code);
  /** The counties an admin may open accounts in: its own, or (the city's) every county and the city itself. */
  const accountCounties = (u: WebUser): [string, string][] => {
    const counties = countiesOf(deps.cfg, u);
    const list = deps.cfg.counties.filter((c) => !counties || counties.includes(c.code)).map((c) => [c.code, c.name] as [string, string]);
    return isCityLevel(deps.cfg, u) ? [[deps.cfg.city.code, `${deps.cfg.city.name}（市级）`], ...list] : list;
  };

  async function renderUsers(req: FastifyRequest, reply: FastifyReply, outcome: { message?: string; error?: string; password?: { login: string; value: string } } = {}) {
    const u = req.user!;
    const now = deps.clock.now().toISOString();
    const accounts = (await manageableAccounts(deps, u)).map((a) => ({
      ...a,
      roleName: WEB_ROLE_NAMES[a.role],
      countyName: countyName(a.county),
      unitName: a.unit ? UNIT_NAMES[a.unit] : '—',
      state: !a.active ? '已停用' : a.lockedUntil && a.lockedUntil > now ? `已锁定至 ${formatMinute(a.lockedUntil)}` : '在用',
      self: a.login === u.login,
    }));
    return reply.code(outcome.error ? 400 : 200).view('users', page(req, {
      title: '账号',
      nav: 'users',
      accounts,
      roles: WEB_ROLES.map((r) => [r, WEB_ROLE_NAMES[r]]),
      counties: accountCounties(u),
      units: UNIT_CODES.map((c) => [c, UNIT_NAMES[c]]),
      ...outcome,
    }));
  }

  const guard = (req: FastifyRequest, reply: FastifyReply) => (isAdmin(req.user!) ? null : forbidden(reply, '仅管理员可管理账号'));

  app.get('/users', async (req, reply) => guard(req, reply) ?? renderUsers(req, reply));

  app.post('/users', async (req, reply) => {
    const denied = guard(req, reply);
    if (denied) return denied;
    const u = req.user!;
    const b = (req.body ?? {}) as Body;
    const login = (b.login ?? '').trim();
    const r = await createAccountAs(deps, u, actorOfWebUser(deps.cfg, u), {
      login,
      role: b.role ?? '',
      county: b.county ?? '',
      unit: b.unit || undefined,
      name: (b.name ?? '').trim().slice(0, 50) || undefined,
    });
    return answer(req, reply, r, `已开设账号 ${login}`, login);
  });

  const actions: Record<string, (deps: WebDeps, admin: WebUser, actor: ReturnType<typeof actorOfWebUser>, login: string) => Promise<AdminResult>> = {
    reset: resetAccountAs,
    disable: disableAccountAs,
    enable: enableAccountAs,
    'totp-off': totpOffAs,
  };
  const done: Record<string, string> = { reset: '已重置密码', disable: '已停用', enable: '已启用', 'totp-off': '已关闭动态口令' };

  app.post('/users/:login/:action', async (req, reply) => {
    const denied = guard(req, reply);
    if (denied) return denied;
    const u = req.user!;
    const { login, action } = req.params as { login: string; action: string };
    const run = actions[action];
    if (!run) return reply.code(404).send('未知操作');
    const r = await run(deps, u, actorOfWebUser(deps.cfg, u), login);
    return answer(req, reply, r, `${done[action]}：${login}`, login);
  });

  function answer(req: FastifyRequest, reply: FastifyReply, r: AdminResult, message: string, login: string) {
    if (!r.ok) return renderUsers(req, reply, { error: r.message });
    // A new password is shown on this one answer only (never stored, never in a URL); a plain result redirects.
    if (r.password) return renderUsers(req, reply, { message, password: { login, value: r.password } });
    return reply.redirect(`/users?msg=${encodeURIComponent(message)}`, 303);
  }

  app.get('/settings', async (req, reply) => {
    const u = req.user!;
    if (!isAdmin(u)) return forbidden(reply, '仅管理员可查看设置');
    const cfg = deps.cfg;
    const counties = countiesOf(cfg, u);
    const inReach = (code: string) => !counties || counties.includes(code);
    const isSet = (name: string | undefined) => (name ? `${name}（${secret(process.env, name) ? '已设置' : '未设置'}）` : '—');
    return reply.view('settings', page(req, {
      title: '设置',
      nav: 'settings',
      general: [
        ['部署级别', cfg.deployment.level === 'city' ? `市级（${cfg.city.name}）` : `县级（${cfg.counties[0]?.name ?? ''}）`],
        ['数据库', redactUrl(cfg.db)],
        ['数据目录', cfg.dataDir],
        ['时区', cfg.schedule.timezone],
        ['专项整治起始日', cfg.reports.campaignStart],
        ['填报单位', cfg.reports.reportingUnit],
        ['填报人', cfg.reports.filler ?? cfg.reports.reportingUnit],
      ],
      counties: cfg.counties.filter((c) => inReach(c.code)).map((c) => ({
        ...c,
        mailboxes: cfg.mailboxes.filter((m) => m.county === c.code).map((m) => ({
          address: m.address,
          intake: m.imap ? `IMAP ${m.imap.user}@${m.imap.host}:${m.imap.port}/${m.imap.mailbox}，密码 ${isSet(m.imap.passwordEnv)}` : '本机 SMTP 收件 / 投递目录',
        })),
      })),
      intake: [
        ['本机 SMTP 收件', cfg.intake.smtpListen ?? '关闭'],
        ['投递目录', cfg.intake.dropDir ? '开启' : '关闭'],
        ['单封邮件上限', `${Math.round(cfg.intake.maxMessageBytes / 1024 / 1024)} MB`],
        ['同一发件人每小时回执上限', String(cfg.intake.ackPerSenderPerHour)],
      ],
      outgoing: [
        ['发件人', cfg.mail.from],
        ['发信服务器', cfg.mail.smtp ? `${cfg.mail.smtp.host}:${cfg.mail.smtp.port}${cfg.mail.smtp.secure ? '（TLS）' : ''}，密码 ${isSet(cfg.mail.smtp.passwordEnv)}` : '未配置：邮件写入数据目录的发件文件夹'],
        ['机器人令牌', isSet(cfg.bot.tokenEnv)],
        ['机器人用户名', cfg.bot.username ?? '未填写（邀请二维码需要）'],
        ['机器人接收方式', cfg.bot.webhook ? `Webhook ${cfg.bot.webhook.url}` : '长轮询'],
        ['邀请有效期', `${cfg.bot.inviteTtlHours} 小时`],
        ['网页受理台地址', cfg.web.publicUrl ?? (cfg.web.listen ? `http://${cfg.web.listen}` : '关闭')],
      ],
      schedule: Object.entries(SCHEDULE_NAMES).map(([k, name]) => [name, String((cfg.schedule as Record<string, unknown>)[k] ?? '')]),
      quiet: `${cfg.schedule.quietHours.start}–${cfg.schedule.quietHours.end}`,
      letters: cfg.schedule.residentLetters,
      recipients: Object.entries(cfg.reports.recipients).map(([k, list]) => [RECIPIENT_NAMES[k] ?? k, list.length ? list.join('、') : '（无）']),
      missingYears: missingHolidayYears(deps.cal, deps.clock.now()),
    }));
  });

  app.get('/account', async (req, reply) => reply.view('account', page(req, { title: '修改密码', nav: 'account', error: null })));

  app.post('/account/password', async (req, reply) => {
    const u = req.user!;
    const b = (req.body ?? {}) as Body;
    const r = await changeOwnPassword(deps, u, actorOfWebUser(deps.cfg, u), b.current ?? '', b.next ?? '', b.repeat ?? '');
    if (!r.ok) return reply.code(400).view('account', page(req, { title: '修改密码', nav: 'account', error: r.message }));
    // Every session ended with the old password: log in again.
    return reply.redirect('/login?changed=1', 303);
  });
}
