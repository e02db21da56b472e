// Who is there to receive a case: a unit with no linked officer in a county hears nothing of its cases — not the
// notice, not the reminders — until the city escalation days later. Pure: counties and officers in, the gaps out.
import { UNIT_CODES, type UnitCode } from '../domain.ts';

export interface StaffedOfficer {
  unit: UnitCode;
  county: string;
  role: string;
  active: boolean;
  chatId: number | null;
}

/** An officer who receives a unit's cases: active, linked in the bot, in the unit's working role. */
export function receivesCases(o: StaffedOfficer, unit: UnitCode, county: string): boolean {
  return o.active && o.chatId !== null && o.role === 'officer' && o.unit === unit && o.county === county;
}

/** Per county, the units with nobody to receive their cases (every unit when the county has nobody at all). */
export function unstaffedUnits(counties: readonly string[], officers: readonly StaffedOfficer[]): { county: string; units: UnitCode[] }[] {
  return counties
    .map((county) => ({ county, units: UNIT_CODES.filter((u) => !officers.some((o) => receivesCases(o, u, county))) }))
    .filter((g) => g.units.length > 0);
}
