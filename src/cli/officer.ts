// `wuye officer invite|list|revoke|deactivate`.
import type { Config } from '../config.ts';
import { countyByCode, unitByCodeOrName } from '../config.ts';
import { botUsername } from './doctor.ts';
import { ROLES, UNIT_CODES, UNIT_NAMES, type Role } from '../domain.ts';
import { formatMinute } from '../time.ts';
import * as officers from '../store/officers.ts';
import { withStore } from './common.ts';

export async function officerInvite(cfg: Config, o: { unit: string; county: string; role: string; name?: string; head?: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const problems: string[] = [];
  const unit = unitByCodeOrName(cfg, o.unit);
  if (!unit) problems.push(`--unit: 未知单位 unknown unit "${o.unit}" (${UNIT_CODES.map((u) => `${u}/${UNIT_NAMES[u]}`).join('|')})`);
  if (!(ROLES as readonly string[]).includes(o.role)) problems.push(`--role: 未知角色 unknown role "${o.role}" (${ROLES.join('|')})`);
  const county = countyByCode(cfg, o.county);
  if (!county) problems.push(`--county: 未知县区 unknown county "${o.county}" (${cfg.counties.map((c) => c.code).join('|')})`);
  if (o.head && o.role !== 'officer') problems.push('--head: 单位负责人须为承办人员 (--role officer) / a unit head is an officer');
  if (problems.length) {
    process.stderr.write(`${problems.join('\n')}\n`);
    return 2;
  }
  return withStore(cfg, async ({ db }) => {
    const inv = await officers.createInvite(db, { unit: unit!, county: county!.code, role: o.role as Role, name: o.name ?? null, unitHead: o.head === true }, new Date(), cfg.bot.inviteTtlHours);
    const bot = await botUsername(cfg, env);
    process.stdout.write(`https://t.me/${bot ?? '<机器人用户名>'}?start=${inv.code}\n`);
    if (!bot) process.stderr.write(`未能取得机器人用户名：请在配置 bot.username 中填写，或设置 ${cfg.bot.tokenEnv} / bot name unknown\n`);
    process.stderr.write(`${county!.name}·${UNIT_NAMES[unit!]}${o.head ? '·单位负责人' : ''}，有效期至 ${formatMinute(inv.expiresAt)}（北京时间），仅可使用一次 / one use\n`);
    return 0;
  });
}

export async function officerList(cfg: Config): Promise<number> {
  return withStore(cfg, async ({ db }) => {
    const list = await officers.listOfficers(db);
    process.stdout.write('ID\t单位\t县区\t角色\t姓名\t状态\n');
    for (const o of list) {
      process.stdout.write(`${o.id}\t${o.unit}\t${o.county}\t${o.role}${o.unitHead ? '(负责人)' : ''}\t${o.name ?? ''}\t${o.active ? (o.reachable ? '在用' : '无法送达') : '已停用'}\n`);
    }
    const invites = await officers.listInvites(db);
    process.stdout.write('\n邀请码\t单位\t县区\t角色\t状态\t有效期至\n');
    const now = new Date().toISOString();
    for (const i of invites) {
      const state = i.revoked_at ? '已作废' : i.used_at ? '已使用' : i.expires_at <= now ? '已过期' : '有效';
      process.stdout.write(`${i.code}\t${i.unit}\t${i.county}\t${i.role}\t${state}\t${formatMinute(i.expires_at)}\n`);
    }
    return 0;
  });
}

export async function officerRevoke(cfg: Config, code: string): Promise<number> {
  return withStore(cfg, async ({ db }) => {
    const ok = await officers.revokeInvite(db, code, new Date());
    process.stdout.write(ok ? '✓ 已作废 revoked\n' : '✗ 邀请不存在或已使用 no such unused invite\n');
    return ok ? 0 : 1;
  });
}

export async function officerDeactivate(cfg: Config, id: number): Promise<number> {
  return withStore(cfg, async ({ db }) => {
    const ok = await officers.deactivateOfficer(db, id);
    process.stdout.write(ok ? '✓ 已停用 deactivated\n' : '✗ 无此人员 no such officer\n');
    return ok ? 0 : 1;
  });
}
