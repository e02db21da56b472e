// Registering a phone call, visit, letter, 12345 ticket or a transfer (信访部门转办, 省厅转办) from the web console: the
// same registerCase as the bot's /new, with the person's actor and login on the audit rows.
import type { ClassifyFn } from '../runtime.ts';
import type { Source } from '../domain.ts';
import type { RegisterInput } from '../workflow/complaint.ts';
import { handRegisteredClassification, registerCase, subjectOfContent, type RegisterResult } from './register.ts';
import type { CaseDeps } from './deps.ts';
import { actorOfWebUser, isReadOnly, type WebUser } from './web-accounts.ts';

/** What the console's form gives, already checked (web/register-form.ts). */
export interface ConsoleCase {
  source: Exclude<Source, 'email'>;
  county: string;
  /** The transferring body and its reference number (信访/省厅 only). */
  transfer: string | null;
  name: string | null;
  phone: string | null;
  email: string | null;
  compound: string;
  address: string | null;
  company: string | null;
  content: string;
}

/**
 * Who registers on the web: whoever may in the bot (bot/auth.ts mayRegister) — the desk, every unit's officers
 * (a call or a visit reaches them too) and admins. Supervisors and leaders only read.
 */
export function mayRegisterOnWeb(u: WebUser): boolean {
  if (isReadOnly(u)) return false;
  return u.role === 'desk' || u.role === 'admin' || u.role === 'officer';
}

export async function registerFromConsole(deps: CaseDeps, classify: ClassifyFn, u: WebUser, c: ConsoleCase): Promise<RegisterResult> {
  const subject = subjectOfContent(c.content);
  const input: RegisterInput = {
    source: c.source,
    county: c.county,
    complainant: { name: c.name, phone: c.phone, email: c.email },
    compound: c.compound,
    address: c.address,
    company: c.company,
    subject,
    body: c.content,
    receivedAt: deps.clock.now().toISOString(),
    classification: handRegisteredClassification(classify({ subject, text: `${c.compound}\n${c.content}`, propertyKnown: true })),
    ...(c.transfer ? { transfer: c.transfer } : {}),
  };
  return registerCase(deps, input, { actor: actorOfWebUser(deps.cfg, u) });
}
