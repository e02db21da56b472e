// /stats — the officer's unit: open, overdue, closed this week (Monday 00:00 Asia/Shanghai onwards).
import { Composer, type Context } from 'telegraf';
import { countyByCode } from '../../config.ts';
import { UNIT_NAMES } from '../../domain.ts';
import { unitStats } from '../../store/cases.ts';
import { addDays, shanghaiDay, startOfDayShanghai, weekday } from '../../time.ts';
import { readIsAudited, statsScope } from '../auth.ts';
import { officerOf, type BotDeps } from '../context.ts';
import { statsText } from '../../messages/index.ts';
import { auditRead } from '../ui.ts';

export function weekStart(now: Date): Date {
  const today = shanghaiDay(now);
  return startOfDayShanghai(addDays(today, -((weekday(today) + 6) % 7)));
}

export function statsComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.command('stats', async (ctx) => {
    const o = officerOf(ctx);
    const now = deps.clock.now();
    const { unit, county } = statsScope(o);
    const s = await unitStats(deps.db, unit, county, now.toISOString(), weekStart(now).toISOString());
    if (readIsAudited(o)) await auditRead(deps, o, null, 'stats');
    const where = county ? (countyByCode(deps.cfg, county)?.name ?? county) : '全市';
    const label = unit ? `${where} ${UNIT_NAMES[unit]}` : '全部单位';
    await ctx.reply(statsText(label, s));
  });
  return composer;
}
