// Officers: who is linked in the bot for each county and unit (a unit with nobody linked gets its cases but nobody
// is told: in red), the officers with deactivate, and an invite — the one-time bot link and its QR code.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { deactivateOfficerById, inviteOfficer } from '../cases/officer-invites.ts';
import { actorOfWebUser, countiesOf, isReadOnly, type WebUser } from '../cases/web-accounts.ts';
import { ROLE_NAMES, ROLES, UNIT_CODES, UNIT_NAMES, type Role, type UnitCode } from '../domain.ts';
import { listOfficers, officerById } from '../store/officers.ts';
import { formatMinute } from '../time.ts';
import { auditRead } from './routes-cases.ts';
import { forbidden, page, type WebDeps } from './server.ts';

/** The desk invites its county's unit officers and co-signers; admins any role in their reach. */
function rolesFor(u: WebUser): readonly Role[] {
  if (u.role === 'admin') return ROLES;
  if (u.role === 'desk' || (u.role === 'officer' && u.unit === 'housing')) return ['officer', 'cosigner'];
  return [];
}

export function registerOfficerRoutes(app: FastifyInstance, deps: WebDeps): void {
  const reach = (u: WebUser) => {
    const counties = countiesOf(deps.cfg, u);
    return deps.cfg.counties.filter((c) => !counties || counties.includes(c.code));
  };

  async function render(req: FastifyRequest, invite: Record<string, unknown> | null, message: string | null) {
    const u = req.user!;
    const counties = reach(u);
    const codes = new Set(counties.map((c) => c.code));
    const all = (await listOfficers(deps.db)).filter((o) => codes.has(o.county));
    const linked = all.filter((o) => o.active && o.chatId !== null && o.role === 'officer');
    return page(req, {
      title: '人员',
      nav: 'officers',
      units: UNIT_CODES.map((x) => [x, UNIT_NAMES[x]]),
      grid: counties.map((c) => ({
        name: c.name,
        cells: UNIT_CODES.map((x) => linked.filter((o) => o.county === c.code && o.unit === x).length),
      })),
      officers: all.map((o) => ({
        ...o,
        unitName: UNIT_NAMES[o.unit],
        countyName: deps.cfg.counties.find((c) => c.code === o.county)?.name ?? o.county,
        roleName: ROLE_NAMES[o.role] + (o.unitHead ? '·负责人' : ''),
        state: !o.active ? '已停用' : o.chatId === null ? '未绑定' : o.reachable ? '在用' : '无法送达',
      })),
      counties: counties.map((c) => [c.code, c.name]),
      roles: rolesFor(u).map((r) => [r, ROLE_NAMES[r]]),
      mayManage: !isReadOnly(u) && rolesFor(u).length > 0,
      invite,
      message,
    });
  }

  app.get('/officers', async (req, reply) => {
    await auditRead(deps, req.user!, null, 'officers');
    return reply.view('officers', await render(req, null, null));
  });

  app.post('/officers/invite', async (req, reply) => {
    const u = req.user!;
    const b = (req.body ?? {}) as Record<string, string | undefined>;
    const roles = rolesFor(u);
    if (!roles.length) return forbidden(reply, '无权邀请');
    const unit = (UNIT_CODES as readonly string[]).includes(b.unit ?? '') ? (b.unit as UnitCode) : null;
    const county = reach(u).find((c) => c.code === b.county);
    const role = roles.find((r) => r === b.role);
    if (!unit || !county || !role) return reply.code(400).view('officers', await render(req, null, '请选择单位、县区和角色'));
    const name = (b.name ?? '').trim().slice(0, 50) || null;
    const unitHead = b.head === 'yes' && role === 'officer';
    const inv = await inviteOfficer(deps, { unit, county: county.code, role, name, unitHead }, actorOfWebUser(deps.cfg, u));
    const bot = deps.cfg.bot.username;
    const link = `https://t.me/${bot ?? '<机器人用户名>'}?start=${inv.code}`;
    const qr = bot ? await QRCode.toDataURL(link, { margin: 1, width: 240 }) : null;
    const who = `${county.name}·${UNIT_NAMES[unit]}·${ROLE_NAMES[role]}${unitHead ? '·负责人' : ''}${name ? `·${name}` : ''}`;
    return reply.view('officers', await render(req, { link, qr, who, expires: formatMinute(inv.expiresAt), botMissing: !bot }, null));
  });

  app.post('/officers/:id/deactivate', async (req, reply) => {
    const u = req.user!;
    const id = Number((req.params as { id: string }).id);
    const o = Number.isInteger(id) ? await officerById(deps.db, id) : undefined;
    if (!o || !rolesFor(u).length || !reach(u).some((c) => c.code === o.county)) return forbidden(reply, '无权停用该人员');
    await deactivateOfficerById(deps, id, actorOfWebUser(deps.cfg, u));
    return reply.redirect('/officers', 303);
  });
}
