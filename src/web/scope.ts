// Whose cases a web user sees. Scope is the county (every county for a city-level account) and, for a unit's
// officer, the cases of that unit; the workflow's own read rule (workflow/auth.ts canAct 'read') has the last word.
import { actorOfWebUser, countiesOf, type WebUser } from '../cases/web-accounts.ts';
import type { Config } from '../config.ts';
import type { Case } from '../domain.ts';
import type { CaseQuery } from '../store/case-search.ts';
import { canAct } from '../workflow/auth.ts';

/** The part of a case query that is the user's scope, never taken from the request. */
export function scopeOf(cfg: Config, u: WebUser): Pick<CaseQuery, 'counties' | 'ownUnit'> {
  const counties = countiesOf(cfg, u);
  const ownUnit = u.role === 'officer' && u.unit && u.unit !== 'housing' ? u.unit : null;
  return { counties, ownUnit };
}

/** May this user read this case? "No" is answered exactly like "no such case" by the routes. */
export function mayRead(cfg: Config, u: WebUser, c: Pick<Case, 'county' | 'unit' | 'coUnits'>): boolean {
  const counties = countiesOf(cfg, u);
  if (counties && !counties.includes(c.county)) return false;
  return canAct(actorOfWebUser(cfg, u), 'read', c).ok;
}

/** Who reviews a county's unregistered mail on the web: its desk and admins (the city's admins everywhere). */
export function mayReviewMail(cfg: Config, u: WebUser, county: string | null): boolean {
  if (u.role !== 'desk' && u.role !== 'admin' && !(u.role === 'officer' && u.unit === 'housing')) return false;
  const counties = countiesOf(cfg, u);
  return !counties || (county !== null && counties.includes(county));
}
