// The intake pipeline — raw first, then everything else:
//   1. keep the raw bytes with their dedupe keys (a duplicate stops here);
//   2. parse (GB18030 repairs, HTML → text; broken → quarantined with the reason);
//   3. not a complaint (auto-reply, bounce, our own mail, bulk, empty, advertising) → ignored, no acknowledgement;
//   4. a reply to a case (In-Reply-To/References of our ack, or the tracking number in the subject) → reply/reopen;
//   5. otherwise extract the complainant's facts, classify, register — case, audit, outbox in ONE transaction.
// Step 1 commits on its own; steps 2–5 end in one transaction that also records the raw mail's outcome, guarded
// by `outcome IS NULL`, so a crash anywhere resumes from raw_mail and no mail is ever handled twice.
import type { CaseDeps } from '../cases/deps.ts';
import { AlreadyProcessed, applyComplainantMail, recordDuplicateMail, registerMail } from '../cases/mail.ts';
import { capped, FIELD_LIMITS } from '../workflow/complaint.ts';
import type { Actor, ClassificationSummary, Case, Source } from '../domain.ts';
import { MESSAGE_ID_DOMAIN } from '../messages/letters.ts';
import * as caseStore from '../store/cases.ts';
import * as mailStore from '../store/mail.ts';
import { isStoreFull } from '../store/db.ts';
import { glimpseHeaders, type ParsedComplaintMail, type ParseOptions, type ParseResult } from './parse.ts';
import { ParsePool } from './parse-pool.ts';
import { asksForStatus, detectNotComplaint, findTrackingNumber, isDissatisfied, isSatisfied, stripQuoted } from './signals.ts';
import { extractFacts } from './extract.ts';

export type Outcome = 'registered' | 'reply' | 'duplicate' | 'quarantined' | 'ignored';

export interface IngestResult {
  outcome: Outcome;
  tracking: string | null;
  reason: string | null;
  rawMailId: number | null;
  complaintId: number | null;
}

export interface RawMeta {
  source: 'imap' | 'smtp' | 'dropdir' | 'file';
  /** The published mailbox it was delivered to, when the source knows it (IMAP account, SMTP RCPT); '' otherwise. */
  mailbox: string;
  uidvalidity?: number | null;
  uid?: number | null;
}

export interface IntakeDeps extends CaseDeps {
  /** The database is full: told once per failure (main.ts alerts the admins, outside the full database). */
  onStoreFull?: (e: Error) => void;
  classify: (input: { subject: string; text: string; propertyKnown?: boolean }) => ClassificationSummary;
  /** The parser; by default a worker thread (ParsePool) so that the per-mail time limit can stop a runaway parse. */
  parse?: (raw: Buffer, opts: ParseOptions) => Promise<ParseResult>;
}

/** Texts longer than this are cut for the case body (the raw mail keeps everything). */
const MAX_BODY = 20_000;

export class Intake {
  readonly ownAddresses: string[];
  readonly #pool: ParsePool | null;
  readonly #parse: (raw: Buffer, opts: ParseOptions) => Promise<ParseResult>;
  constructor(private readonly deps: IntakeDeps) {
    this.#pool = deps.parse ? null : new ParsePool();
    this.#parse = deps.parse ?? ((raw, opts) => this.#pool!.parse(raw, opts));
    const fromAddr = /<([^>]+)>/.exec(deps.cfg.mail.from)?.[1] ?? deps.cfg.mail.from;
    this.ownAddresses = [...deps.cfg.mailboxes.map((m) => m.address.toLowerCase()), fromAddr.toLowerCase()];
  }

  /** Steps 1–5 for one mail. Never throws for bad mail; database errors do throw (the caller retries). */
  async ingest(raw: Buffer, meta: RawMeta): Promise<IngestResult> {
    try {
      return await this.#ingest(raw, meta);
    } catch (e) {
      throw this.#storeError(e);
    }
  }

  /** A full database, said plainly (the caller answers "try later"; the admins are told). */
  #storeError(e: unknown): unknown {
    if (!isStoreFull(e)) return e;
    this.deps.onStoreFull?.(e as Error);
    return Object.assign(new Error(`数据库或磁盘已满，邮件暂不能保存 database or disk is full (${(e as { code?: string }).code}): ${(e as Error).message}`), {
      code: (e as { code?: string }).code,
      cause: e,
    });
  }

  async #ingest(raw: Buffer, meta: RawMeta): Promise<IngestResult> {
    const { db, clock } = this.deps;
    const receivedAt = clock.now().toISOString();
    const stored = await mailStore.storeRaw(db, {
      source: meta.source,
      mailbox: meta.mailbox,
      uidvalidity: meta.uidvalidity ?? null,
      uid: meta.uid ?? null,
      raw,
      receivedAt,
    });
    if (!stored.stored) {
      const prev = await mailStore.getOutcome(db, stored.duplicateOf);
      if (prev && prev.outcome === null) {
        // Stored earlier but never processed (a crash in between): process it now rather than call it a duplicate.
        return this.process(stored.duplicateOf);
      }
      return {
        outcome: 'duplicate',
        tracking: prev?.tracking ?? null,
        reason: `重复邮件 duplicate of raw mail #${stored.duplicateOf}${prev?.outcome ? ` (${prev.outcome})` : ''}`,
        rawMailId: stored.duplicateOf,
        complaintId: null,
      };
    }
    // Just stored, so no outcome yet: process with the bytes in hand instead of reading them back.
    return this.process(stored.id, { raw, mailbox: meta.mailbox.toLowerCase(), receivedAt });
  }

  /**
   * Many mails (a backlog: `wuye ingest`, a drop folder full of files) with up to `concurrency` in flight, so the
   * parser thread works on one mail while this thread stores another. Results come back in input order.
   */
  async *ingestMany(items: Iterable<{ raw: () => Buffer; meta: RawMeta }>, concurrency = 4): AsyncGenerator<IngestResult | { error: Error }> {
    const inFlight: Promise<IngestResult | { error: Error }>[] = [];
    for (const item of items) {
      inFlight.push(
        (async () => {
          try {
            return await this.ingest(item.raw(), item.meta);
          } catch (e) {
            return { error: e as Error };
          }
        })(),
      );
      if (inFlight.length >= concurrency) yield await inFlight.shift()!;
    }
    while (inFlight.length) yield await inFlight.shift()!;
  }

  /** Stops the parser thread. */
  async close(): Promise<void> {
    await this.#pool?.close();
  }

  /**
   * Processes every stored mail that has no outcome yet: after a crash, and — run now and then by the service —
   * after a failure such as a full disk, once there is room again.
   */
  async resume(opts: { olderThanMs?: number } = {}): Promise<number> {
    // Mail stored moments ago is still being processed by whoever stored it: the periodic run leaves it alone.
    const before = opts.olderThanMs ? new Date(this.deps.clock.now().getTime() - opts.olderThanMs).toISOString() : undefined;
    let n = 0;
    let after = 0;
    for (;;) {
      const ids = await mailStore.pendingRaw(this.deps.db, 50, before, after);
      if (!ids.length) return n;
      for (const id of ids) {
        try {
          await this.process(id);
        } catch (e) {
          throw this.#storeError(e);
        }
        after = id;
        n++;
      }
    }
  }

  async process(rawMailId: number, known?: { raw: Buffer; mailbox: string; receivedAt: string }): Promise<IngestResult> {
    const { db, cfg, log } = this.deps;
    let row: { raw: Buffer; mailbox: string; received_at: string };
    if (known) row = { raw: known.raw, mailbox: known.mailbox, received_at: known.receivedAt };
    else {
      const stored = await mailStore.getRaw(db, rawMailId);
      if (!stored) throw new Error(`raw mail ${rawMailId} not found`);
      if (stored.outcome) {
        const prev = await mailStore.getOutcome(db, rawMailId);
        return { outcome: stored.outcome as Outcome, tracking: prev?.tracking ?? null, reason: stored.reason, rawMailId, complaintId: stored.complaint_id };
      }
      row = stored;
    }
    try {
      const parsed = await this.#parse(Buffer.from(row.raw), { maxBytes: cfg.intake.maxMessageBytes, timeoutMs: cfg.intake.perMailTimeoutMs });
      if (!parsed.ok) return await this.finish(rawMailId, 'quarantined', parsed.reason, this.glimpseOfRaw(row.raw, row.mailbox));
      const mail = parsed.mail;

      const not = detectNotComplaint(mail, this.ownAddresses);
      if (not) return await this.finish(rawMailId, 'ignored', `${not.kind}: ${not.reason}`, this.glimpseOf(mail, row.mailbox));

      // The same mail again under other bytes: same Message-ID, sender and subject as one that made a case.
      const again = await this.sameMailAgain(rawMailId, mail);
      if (again) {
        const reason = `重复邮件 same mail again (Message-ID) as raw mail #${again.rawMailId}: ${again.tracking}`;
        await recordDuplicateMail(this.deps, again, { rawMailId, messageId: mail.messageId!, mailbox: row.mailbox }, reason);
        return { outcome: 'duplicate', tracking: again.tracking, reason, rawMailId, complaintId: again.caseId };
      }

      // Only the complainant's own address speaks as the complainant (补充, 不满意 → 重新办理). Anyone else who quotes
      // a case's tracking number (they are sequential) or our acknowledgement writes a new mail, linked to it.
      const target = await this.findThread(mail);
      if (target && isComplainantOf(mail, target)) return await this.reply(rawMailId, target, mail, row.mailbox);
      const related = target ?? null;

      const county = this.countyOf(row.mailbox, mail);
      if (!county) return await this.finish(rawMailId, 'quarantined', `无法确定县区 no county for mailbox ${row.mailbox}`, this.glimpseOf(mail, row.mailbox));
      const text = mail.text.slice(0, MAX_BODY);
      const classified = this.deps.classify({ subject: mail.subject, text });
      // A mail about one of our cases is about housing whatever its words: the desk reads what the keywords miss.
      const cls = related ? triageUnlessRouted(classified) : classified;
      // Not a complaint only when there is no unit, no doubt to resolve and no danger: a doubtful mail goes to
      // the housing office's triage queue, never silently away (000 附件 二).
      if (!cls.unit && !cls.triage && !cls.urgent) {
        return await this.finish(rawMailId, 'ignored', `非物业投诉 not a property complaint (advertising/spam/other)${cls.matched.length ? `: ${cls.matched.join(',')}` : ''}`, this.glimpseOf(mail, row.mailbox));
      }
      return await this.register(rawMailId, row.received_at, county, mail, text, cls, related);
    } catch (e) {
      if (e instanceof AlreadyProcessed) return this.process(rawMailId);
      if (isDatabaseError(e)) throw e;
      // A bug or a pathological mail must not stop the intake: quarantine with the reason, log with context.
      log.error({ err: e, rawMailId }, 'intake: unexpected error, mail quarantined');
      return this.finish(rawMailId, 'quarantined', `处理出错 processing error: ${(e as Error).message ?? String(e)}`, this.glimpseOfRaw(row.raw, row.mailbox));
    }
  }

  /**
   * The county a mail belongs to: the published mailbox it was delivered to when the source knows it; else (a file
   * in the drop folder, `wuye ingest` without --mailbox, a forwarded copy) the first published address among its
   * Delivered-To, X-Original-To, To and Cc; else the first mailbox's (the city's), so that the mail is still seen.
   */
  private countyOf(mailbox: string, mail: Pick<ParsedComplaintMail, 'headers' | 'to' | 'cc'>): string | null {
    const { cfg } = this.deps;
    const known = (address: string) => cfg.mailboxes.find((m) => m.address.toLowerCase() === address.trim().toLowerCase());
    const byMailbox = mailbox ? known(mailbox) : undefined;
    if (byMailbox) return byMailbox.county;
    const headerAddresses = ['delivered-to', 'x-original-to'].flatMap((h) => addressesIn(mail.headers[h]));
    for (const to of [...headerAddresses, ...mail.to, ...mail.cc]) {
      const m = known(to);
      if (m) return m.county;
    }
    return cfg.mailboxes[0]?.county ?? cfg.counties[0]?.code ?? null;
  }

  private async sameMailAgain(rawMailId: number, mail: ParsedComplaintMail) {
    if (!mail.messageId) return undefined;
    const first = await mailStore.registeredByMessageId(this.deps.db, mail.messageId, rawMailId);
    if (!first) return undefined;
    const sameSender = (first.complainant_email ?? '') === (mail.from.address?.toLowerCase() ?? '');
    const sameSubject = first.subject === capped(mail.subject, FIELD_LIMITS.subject);
    return sameSender && sameSubject ? first : undefined;
  }

  private async findThread(mail: ParsedComplaintMail): Promise<Case | undefined> {
    const ids = [mail.inReplyTo, ...mail.references].filter((x): x is string => !!x && x.includes(`@${MESSAGE_ID_DOMAIN}`));
    const byHeader = await caseStore.findByAckMessageId(this.deps.db, ids);
    if (byHeader) return byHeader;
    const tracking = findTrackingNumber(mail.subject);
    return tracking ? caseStore.findByTracking(this.deps.db, tracking) : undefined;
  }

  /** What the desk sees of a mail that did not become a case. */
  private glimpseOf(mail: ParsedComplaintMail, mailbox: string): Glimpse {
    return {
      county: this.countyOf(mailbox, mail),
      subject: capped(mail.subject, FIELD_LIMITS.subject),
      sender: mail.from.address?.toLowerCase() ?? null,
      preview: capped(mail.text.trim(), 1000),
    };
  }

  /**
   * The same of a mail that could not be read (unparseable, too large, timed out): its header block alone gives the
   * subject and sender, and the mailbox or its recipients the county — so a county's desk sees its own unreadable
   * mail in its inbox instead of it being listed nowhere but the city's.
   */
  private glimpseOfRaw(raw: Buffer | Uint8Array, mailbox: string): Glimpse {
    const headers = glimpseHeaders(Buffer.isBuffer(raw) ? raw : Buffer.from(raw));
    const subject = headers.subject?.trim();
    return {
      county: this.countyOf(mailbox, { headers, to: addressesIn(headers.to), cc: addressesIn(headers.cc) }),
      subject: subject ? capped(subject, FIELD_LIMITS.subject) : null,
      sender: addressesIn(headers.from)[0]?.toLowerCase() ?? null,
      preview: null,
    };
  }

  /** Not registered (ignored, quarantined): the outcome with its reason, exactly once. */
  private async finish(rawMailId: number, outcome: Outcome, reason: string, seen?: Glimpse): Promise<IngestResult> {
    const now = this.deps.clock.now().toISOString();
    const claimed = await mailStore.claimOutcome(this.deps.db, { id: rawMailId, outcome, reason, complaintId: null, now });
    if (!claimed) return this.process(rawMailId);
    // What a person needs to see of it later (the desk's daily note, the bot, wuye mail list).
    await mailStore.recordUnregistered(this.deps.db, { rawMailId, county: null, subject: null, sender: null, preview: null, ...seen, now });
    this.deps.log.info({ rawMailId, outcome, reason }, 'intake: mail not registered');
    return { outcome, tracking: null, reason, rawMailId, complaintId: null };
  }

  private async register(
    rawMailId: number,
    receivedAt: string,
    county: string,
    mail: ParsedComplaintMail,
    text: string,
    cls: ClassificationSummary,
    related: Case | null,
    promotion?: Parameters<typeof registerMail>[4],
  ): Promise<IngestResult> {
    const facts = extractFacts({ subject: mail.subject, text, from: mail.from });
    const source: Source = /12345/.test(mail.subject) && /转办|工单/.test(mail.subject + text.slice(0, 200)) ? '12345' : 'email';
    const result = await registerMail(
      this.deps,
      {
        source,
        county,
        complainant: { name: facts.name, phone: facts.phone, email: mail.from.address?.toLowerCase() ?? facts.email },
        compound: facts.compound,
        address: facts.address,
        company: facts.company,
        subject: mail.subject,
        body: text,
        receivedAt,
        classification: cls,
      },
      { rawMailId, messageId: mail.messageId, files: mail.attachments },
      related,
      promotion,
    );
    this.deps.log.info({ rawMailId, tracking: result.tracking, unit: result.unit, urgent: result.urgent, status: result.status }, 'intake: registered');
    return { outcome: 'registered', tracking: result.tracking, reason: null, rawMailId, complaintId: result.id };
  }

  /**
   * The desk registers a mail the intake did not (ignored or quarantined) through the normal path — classified, its
   * county from its recipients, the acknowledgement sent — and to the triage queue when the keywords name no unit.
   */
  async promote(rawMailId: number, by: Actor): Promise<PromoteResult> {
    const { db, cfg } = this.deps;
    const stored = await mailStore.getRaw(db, rawMailId);
    if (!stored) return { ok: false, message: `未找到该邮件 no such mail: #${rawMailId}` };
    if (stored.outcome !== 'ignored' && stored.outcome !== 'quarantined') {
      return { ok: false, message: `该邮件已处理（${stored.outcome ?? '处理中'}），不能再登记 / mail #${rawMailId} is ${stored.outcome ?? 'in process'}` };
    }
    const parsed = await this.#parse(Buffer.from(stored.raw), { maxBytes: cfg.intake.maxMessageBytes, timeoutMs: cfg.intake.perMailTimeoutMs });
    if (!parsed.ok) return { ok: false, message: `邮件无法读取，请在机器人或受理台手工登记 / the mail cannot be read: ${parsed.reason}` };
    const mail = parsed.mail;
    const county = this.countyOf(stored.mailbox, mail)!;
    const text = mail.text.slice(0, MAX_BODY);
    const classified = this.deps.classify({ subject: mail.subject, text, propertyKnown: true });
    const cls = triageUnlessRouted(classified);
    const r = await this.register(rawMailId, stored.received_at, county, mail, text, cls, null, { from: stored.outcome, by, previousReason: stored.reason });
    return { ok: true, tracking: r.tracking! };
  }

  private async reply(rawMailId: number, target: Case, mail: ParsedComplaintMail, mailbox: string): Promise<IngestResult> {
    const fresh = stripQuoted(mail.text).slice(0, MAX_BODY);
    const words = fresh || mail.subject.trim();
    // A reply that says nothing and brings nothing is no news for the officer; files alone are.
    if (!words && !mail.attachments.length) return this.finish(rawMailId, 'ignored', `空回复 empty reply to ${target.tracking}`, this.glimpseOf(mail, mailbox));
    const r = await applyComplainantMail(this.deps, target.id, {
      rawMailId,
      messageId: mail.messageId,
      files: mail.attachments,
      from: mail.from.address ?? mail.from.name ?? null,
      text: words || '（来信无正文，见附件）',
      dissatisfied: isDissatisfied(fresh),
      satisfied: isSatisfied(fresh),
      asksForStatus: asksForStatus(`${mail.subject}\n${fresh}`),
    });
    // The workflow refused it (the case cannot take a reply now): kept, with the reason, for the desk to read.
    if (!r.ok) return this.finish(rawMailId, 'quarantined', `回复未能记入案件 ${target.tracking} reply refused: ${r.message}`, this.glimpseOf(mail, mailbox));
    return { outcome: 'reply', tracking: r.case.tracking, reason: r.case.status === 'reopened' ? '投诉人不满意，已重新办理 reopened' : null, rawMailId, complaintId: r.case.id };
  }
}

/** What the desk is shown of a mail that is not a case (unregistered_mail). */
interface Glimpse {
  county: string | null;
  subject: string | null;
  sender: string | null;
  preview: string | null;
}

/** A registered mail's tracking number, or why the desk's mail cannot be registered (unknown, already a case, unreadable). */
export type PromoteResult = { ok: true; tracking: string } | { ok: false; message: string };

/** A mail known to concern housing (it names one of our cases, or the desk says so): unrouted, it goes to triage. */
function triageUnlessRouted(c: ClassificationSummary): ClassificationSummary {
  return !c.unit && !c.urgent ? { ...c, triage: true } : c;
}

/** The e-mail addresses in a header value ("Name <a@b.cn>, c@d.cn"). */
function addressesIn(value: string | undefined): string[] {
  return value ? (value.match(/[^\s<>,;"]+@[^\s<>,;"]+/g) ?? []) : [];
}

/** The mail comes from the address the case's complainant wrote from. */
function isComplainantOf(mail: ParsedComplaintMail, c: Case): boolean {
  const from = mail.from.address?.trim().toLowerCase();
  return !!from && from === c.complainant.email?.trim().toLowerCase();
}

function isDatabaseError(e: unknown): boolean {
  const err = e as { code?: string; name?: string };
  return (
    typeof err?.code === 'string' &&
    (/^SQLITE_/.test(err.code) || /^[0-9A-Z]{5}$/.test(err.code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(err.code))
  );
}
