/**
 * POST_CLOSE closes the posted month for revenue: the entity's Revenue_Month__c rows of that month are set Closed in
 * a Composite call before the close is written Posted, once (a replay writes nothing), and a row Salesforce refuses
 * leaves the close Approved so the retry closes what is left. Each journal's lines are written Posted as soon as it
 * is in Xero, and a close refused after part of it was posted says exactly what is in Xero. Closes post in month
 * order; a refused close is proposed again the next morning.
 */
import pino from 'pino';
import type { LockDates } from '../../domain/close-rules';
import { XeroApiError } from '../../xero/errors';
import type { CloseRecordRow, CloseRevenueMonthRow, JournalLineRow } from '../../salesforce/close-queries';
import { salesforceNames } from '../../salesforce/schema';
import { storedJob } from '../../store/__fixtures__/jobs';
import type { WriteOutcome } from '../../salesforce/writeback';
import type { JobOf } from '../handler';
import { postCloseHandler, type PostCloseDeps } from './post-handler';
import { JOURNAL_ID_FIELD } from './records';

const UK = '11111111-1111-4111-8111-111111111111';

const job = (id: number): JobOf<'POST_CLOSE'> =>
  storedJob(
    {
      key: `POST_CLOSE:a0f1:1#${id}`,
      action: 'POST_CLOSE',
      payload: { requestKey: 'POST_CLOSE:a0f1:1', action: 'POST_CLOSE', payload: { closeId: 'a0f1', version: 1 } },
      tenantId: UK,
    },
    id,
  ) as JobOf<'POST_CLOSE'>;

interface Options {
  /** Ids of records Salesforce refuses. */
  refuse?: ReadonlySet<string>;
  /** The version's lines (default: one recognition journal). */
  lines?: JournalLineRow[];
  /** The entity's other closes. */
  others?: CloseRecordRow[];
  /** Journal keys whose first post fails with a 503. */
  unavailable?: Set<string>;
}

function setup(opts: Options | ReadonlySet<string> = {}) {
  const {
    refuse = new Set<string>(),
    lines,
    others = [],
    unavailable = new Set<string>(),
  } = opts instanceof Set ? { refuse: opts } : (opts as Options);
  const lock: LockDates = {};
  const rechecks: string[] = [];
  const close = {
    Id: 'a0f1',
    Name: 'UK_Ltd 2026-01',
    Close_Key__c: 'UK_Ltd:2026-01',
    Billing_Entity__c: 'UK_Ltd',
    Xero_Tenant_Id__c: UK,
    Period_Start__c: '2026-01-01',
    Period_End__c: '2026-01-31',
    Status__c: 'Approved',
    Version__c: 1,
    Deferred_Account_Codes__c: '835',
    Accrued_Account_Code__c: '630',
    Proposed_At__c: '2026-02-01T07:00:00.000+0000',
  } as unknown as CloseRecordRow & { Sync_Message__c?: string };
  const versionLines = lines ?? [line('l1', '835', 100), line('l2', '200', -100)];
  const months = [
    { Id: 'm1', Month_Key__c: 'c1:2026-01', Status__c: 'Actual' },
    { Id: 'm2', Month_Key__c: 'c2:2026-01', Status__c: 'Actual' },
  ] as CloseRevenueMonthRow[];
  /** What was written, in order: `composite Revenue_Month__c m1,m2`, `update Month_End_Close__c Posted`… */
  const writes: string[] = [];
  const outcome = (id: string): WriteOutcome =>
    refuse.has(id)
      ? { ok: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'locked', fields: [] }] }
      : { ok: true, id };
  const stored = new Map<string, string>();
  let posted = 0;
  const deps: PostCloseDeps = {
    closeQueries: {
      closesById: async () => [close],
      closesOfEntity: async () => [...others, close],
      journalLines: async () => versionLines.map((l) => ({ ...l })),
      openRevenueMonths: async (entity, month) => {
        expect([entity, month]).toEqual(['UK_Ltd', '2026-01']);
        return months.filter((m) => m.Status__c !== 'Closed').map((m) => ({ ...m }));
      },
    },
    journals: {
      getLockDates: async () => ({ ...lock }),
      getAccounts: async () => [
        { code: '835', type: 'CURRLIAB', status: 'ACTIVE', systemAccount: null },
        { code: '630', type: 'CURRENT', status: 'ACTIVE', systemAccount: null },
        { code: '200', type: 'REVENUE', status: 'ACTIVE', systemAccount: null },
      ],
      findManualJournalsByKey: async () => [],
      createManualJournal: async (_tenant, journal) => {
        if (unavailable.delete(journal.key))
          throw new XeroApiError({ status: 503, body: {}, operation: 'createManualJournals', tenantId: UK });
        return { manualJournalId: `mj-${++posted}`, status: 'POSTED', narration: '' };
      },
    },
    xeroResults: {
      findXeroResult: async (key) => {
        const xeroId = stored.get(key);
        return xeroId ? ({ xeroId } as never) : null;
      },
      recordXeroResult: async (r) => {
        stored.set(r.requestKey, r.xeroId);
        return r as never;
      },
    },
    writeback: {
      update: async (object, records) => {
        writes.push(`update ${object.name} ${records.map((r) => String(r.Status__c ?? r.Sync_Status__c)).join(',')}`);
        if (object.name === 'Month_End_Close__c' && records[0]?.Status__c)
          close.Status__c = String(records[0].Status__c);
        if (object.name === 'Month_End_Close__c' && records[0]?.Sync_Message__c !== undefined)
          close.Sync_Message__c = String(records[0].Sync_Message__c);
        if (object.name === 'Month_End_Close__c')
          for (const field of Object.values(JOURNAL_ID_FIELD))
            if (field in records[0]!) Object.assign(close, { [field]: records[0]![field] });
        if (object.name === 'Month_End_Journal_Line__c')
          for (const r of records) {
            const row = versionLines.find((l) => l.Id === r.Id);
            if (row && !refuse.has(String(r.Id))) Object.assign(row, r);
          }
        return records.map((r) => outcome(String(r.Id)));
      },
      requireAll: (object, keys, outcomes) => {
        const failed = outcomes.filter((o) => !o.ok);
        if (failed.length > 0) throw new Error(`${object.name}: ${failed.length} refused`);
        return keys.map(String);
      },
      composite: () => {
        const queued: (() => void)[] = [];
        return {
          update: (object, records) =>
            new Promise<WriteOutcome[]>((resolve) =>
              queued.push(() => {
                writes.push(`composite ${object.name} ${records.map((r) => `${String(r.Id)}=${String(r.Status__c)}`)}`);
                for (const r of records)
                  if (!refuse.has(String(r.Id))) months.find((m) => m.Id === r.Id)!.Status__c = String(r.Status__c);
                resolve(records.map((r) => outcome(String(r.Id))));
              }),
            ),
          upsert: () => Promise.reject(new Error('not used')),
          create: () => Promise.reject(new Error('not used')),
          query: () => Promise.reject(new Error('not used')),
          run: async () => queued.splice(0).forEach((send) => send()),
        };
      },
    },
    jobs: { enqueueJob: async () => ({}) as never },
    reference: {
      settings: async () => ({ readOnly: false }) as never,
      entity: async () => ({ developerName: 'UK_Ltd', timeZone: 'Europe/London' }) as never,
    },
    closeTriggers: {
      recheck: async (entity, month, zone) => {
        rechecks.push(`${entity}:${month}:${zone}`);
      },
      proposeNow: async (entity, month, after) => {
        rechecks.push(`now ${entity}:${month} after ${after}`);
      },
    },
    names: salesforceNames(''),
    instanceUrl: () => 'https://example.my.salesforce.com',
    clock: { now: () => Date.parse('2026-02-01T13:00:00Z') },
    log: pino({ level: 'silent' }),
  };
  return {
    deps,
    writes,
    months,
    close,
    lines: versionLines,
    lock,
    rechecks,
    stored,
    refuse: refuse as Set<string>,
    posted: () => posted,
  };
}

function line(id: string, account: string, amount: number, kind = 'Recognition', date = '2026-01-31') {
  return {
    Id: id,
    Line_Key__c: `${id}-key`,
    Version__c: 1,
    Journal_Kind__c: kind,
    Journal_Date__c: date,
    Account_Code__c: account,
    Description__c: 'Seats',
    Amount__c: amount,
    Status__c: 'Proposed',
    Manual_Journal_Id__c: null,
  } as unknown as JournalLineRow;
}

/** A close with recognition, accrual, reversal and a first close's opening lines. */
const fullClose = () => [
  line('r1', '835', 100),
  line('r2', '200', -100),
  line('a1', '630', 50, 'Accrual'),
  line('a2', '200', -50, 'Accrual'),
  line('v1', '630', -50, 'Accrual Reversal', '2026-02-01'),
  line('v2', '200', 50, 'Accrual Reversal', '2026-02-01'),
  line('o1', '835', 500, 'Opening', '2025-12-31'),
  line('o2', '200', -500, 'Opening', '2025-12-31'),
];
const ACCRUAL_KEY = 'POST_CLOSE:a0f1:1:ACCRUAL';

describe('POST_CLOSE closes the month for revenue', () => {
  it("sets the entity's revenue months of the month Closed in one Composite call, before the close is Posted", async () => {
    const { deps, writes, months } = setup();
    const outcomes = await postCloseHandler(deps).run([job(1)]);
    expect(outcomes.get(1)).toMatchObject({ kind: 'done', result: { monthsClosed: 2 } });
    expect(months.map((m) => m.Status__c)).toEqual(['Closed', 'Closed']);
    // The journal's lines are written Posted as soon as it is in Xero; the months before the close.
    expect(writes).toEqual([
      'update Month_End_Journal_Line__c Posted,Posted',
      'composite Revenue_Month__c m1=Closed,m2=Closed',
      'update Month_End_Close__c Posted',
    ]);
  });

  it('a replay writes nothing: the close is posted and its months are closed', async () => {
    const { deps, writes } = setup();
    const handler = postCloseHandler(deps);
    await handler.run([job(1)]);
    writes.splice(0);
    expect((await handler.run([job(2)])).get(2)).toMatchObject({ kind: 'done', result: { alreadyPosted: true } });
    expect(writes).toEqual([]);
  });

  it('a month Salesforce refuses leaves the close Approved; the retry closes only what is left, posting nothing twice', async () => {
    const { deps, writes, months, close, refuse, posted } = setup(new Set(['m2']));
    const handler = postCloseHandler(deps);
    expect((await handler.run([job(1)])).get(1)).toMatchObject({ kind: 'failed' });
    expect(close.Status__c).toBe('Approved');
    expect(months.map((m) => m.Status__c)).toEqual(['Closed', 'Actual']);
    expect(writes.at(-1)).toBe('update Month_End_Close__c Error');
    refuse.clear();
    writes.splice(0);
    expect((await handler.run([job(2)])).get(2)).toMatchObject({ kind: 'done', result: { monthsClosed: 1 } });
    expect(writes[0]).toBe('composite Revenue_Month__c m2=Closed');
    expect(close.Status__c).toBe('Posted');
    expect(posted()).toBe(1);
  });
});

describe('POST_CLOSE when part of the close is in Xero', () => {
  it("writes each journal's lines Posted as soon as it is in Xero, the opening lines with the first", async () => {
    const { deps, lines, close } = setup({ lines: fullClose(), unavailable: new Set([ACCRUAL_KEY]) });
    const handler = postCloseHandler(deps);
    expect((await handler.run([job(1)])).get(1)).toMatchObject({ kind: 'retry' });
    expect(close.Status__c).toBe('Approved');
    expect(lines.map((l) => `${l.Id} ${String(l.Status__c)} ${String(l.Manual_Journal_Id__c)}`)).toEqual([
      'r1 Posted mj-1',
      'r2 Posted mj-1',
      'a1 Proposed null',
      'a2 Proposed null',
      'v1 Proposed null',
      'v2 Proposed null',
      'o1 Posted null',
      'o2 Posted null',
    ]);
  });

  it('a lock date set before the retry: Refused saying what is in Xero and what is not, proposed again next morning', async () => {
    const { deps, close, lock, rechecks, posted } = setup({
      lines: fullClose(),
      unavailable: new Set([ACCRUAL_KEY]),
    });
    const handler = postCloseHandler(deps);
    await handler.run([job(1)]);
    lock.periodLockDate = '2026-01-31';
    expect((await handler.run([job(2)])).get(2)).toMatchObject({
      kind: 'done',
      result: { refused: expect.any(String) },
    });
    expect(close.Status__c).toBe('Refused');
    expect(close.Sync_Message__c).toBe(
      "January 2026 is locked in UK_Ltd's Xero organisation: its period lock date is 31 Jan 2026, and nothing can be " +
        'posted on or before it. Already in Xero: the Recognition journal (ManualJournalID mj-1). Not posted: the ' +
        "Accrual and Accrual Reversal journals; the close's next version holds only what is not in Xero. To close " +
        'January 2026, ask your Xero adviser to move the lock date back before 31 Jan 2026, and the close is proposed ' +
        'again the next morning for you to approve; or leave January 2026 closed and let the February 2026 close, the ' +
        'first open month, post the difference there.',
    );
    expect(posted()).toBe(1);
    expect(rechecks).toEqual(['UK_Ltd:2026-01:Europe/London']);
  });

  it('a journal found in Xero when the retry is refused has its lines written Posted, the opening lines with it', async () => {
    // Xero took the Recognition journal and the store recorded it, but its lines were never written Posted (the
    // bridge stopped, or Salesforce refused the write); then January was locked.
    const { deps, lines, close, lock, stored, posted, rechecks } = setup({ lines: fullClose() });
    stored.set('POST_CLOSE:a0f1:1:RECOGNITION', 'mj-1');
    lock.periodLockDate = '2026-01-31';
    await postCloseHandler(deps).run([job(2)]);
    expect(close.Status__c).toBe('Refused');
    expect(close.Sync_Message__c).toContain('Already in Xero: the Recognition journal (ManualJournalID mj-1)');
    expect(posted()).toBe(0);
    // The next version's history counts what is in Xero: January is not released twice, nor the opening written again.
    expect(lines.map((l) => `${l.Id} ${String(l.Status__c)} ${String(l.Manual_Journal_Id__c)}`)).toEqual([
      'r1 Posted mj-1',
      'r2 Posted mj-1',
      'a1 Proposed null',
      'a2 Proposed null',
      'v1 Proposed null',
      'v2 Proposed null',
      'o1 Posted null',
      'o2 Posted null',
    ]);
    expect(close.Xero_Recognition_Journal_Id__c).toBe('mj-1');
    expect(rechecks).toEqual(['UK_Ltd:2026-01:Europe/London']);
  });

  it('a refusal with nothing in Xero writes no line Posted', async () => {
    const { deps, lines, close, lock } = setup({ lines: fullClose() });
    lock.periodLockDate = '2026-01-31';
    await postCloseHandler(deps).run([job(1)]);
    expect(close.Status__c).toBe('Refused');
    expect(lines.every((l) => l.Status__c === 'Proposed')).toBe(true);
  });

  it('the next version, posted, keeps on the close the ids of the journals the earlier version put in Xero', async () => {
    const { deps, lines, close, lock, posted } = setup({ lines: fullClose(), unavailable: new Set([ACCRUAL_KEY]) });
    const handler = postCloseHandler(deps);
    await handler.run([job(1)]);
    lock.periodLockDate = '2026-01-31';
    await handler.run([job(2)]);
    expect(close.Status__c).toBe('Refused');
    // Version 2 holds only what is not in Xero (the accruals), approved once the lock date moved back.
    delete lock.periodLockDate;
    lines.splice(
      0,
      lines.length,
      ...fullClose()
        .slice(2, 6)
        .map((l) => ({ ...l, Version__c: 2 })),
    );
    Object.assign(close, { Version__c: 2, Status__c: 'Approved' });
    const v2 = {
      ...job(3),
      payload: { ...job(3).payload, payload: { closeId: 'a0f1', version: 2 } },
    } as JobOf<'POST_CLOSE'>;
    expect((await handler.run([v2])).get(3)).toMatchObject({ kind: 'done' });
    expect(close.Status__c).toBe('Posted');
    expect(posted()).toBe(3);
    expect([
      close.Xero_Recognition_Journal_Id__c,
      close.Xero_Accrual_Journal_Id__c,
      close.Xero_Reversal_Journal_Id__c,
    ]).toEqual(['mj-1', 'mj-2', 'mj-3']);
  });

  it('finishes a close whose journals are all in Xero even if a lock date was set since: only the bookkeeping was left', async () => {
    const { deps, close, lock, stored, posted } = setup();
    stored.set('POST_CLOSE:a0f1:1:RECOGNITION', 'mj-crashed');
    lock.periodLockDate = '2026-01-31';
    expect((await postCloseHandler(deps).run([job(1)])).get(1)).toMatchObject({ kind: 'done' });
    expect(close.Status__c).toBe('Posted');
    expect(posted()).toBe(0);
  });
});

describe('POST_CLOSE in month order', () => {
  const earlier = (status: string, postedAt: string | null = null) =>
    ({
      Id: 'a0f0',
      Name: 'UK_Ltd 2025-12',
      Billing_Entity__c: 'UK_Ltd',
      Period_Start__c: '2025-12-01',
      Status__c: status,
      Posted_At__c: postedAt,
    }) as unknown as CloseRecordRow;

  it('refuses while an earlier close can still post, posting nothing, and proposes again next morning', async () => {
    const { deps, close, posted, rechecks } = setup({ others: [earlier('Approved')] });
    await postCloseHandler(deps).run([job(1)]);
    expect(close.Status__c).toBe('Refused');
    expect(close.Sync_Message__c).toContain('January 2026 waits for December 2025');
    expect(posted()).toBe(0);
    expect(rechecks).toEqual(['UK_Ltd:2026-01:Europe/London']);
  });

  it('refuses a version proposed before an earlier close was posted: its figures do not count that close', async () => {
    const { deps, close, posted } = setup({ others: [earlier('Tied', '2026-02-03T10:00:00.000+0000')] });
    await postCloseHandler(deps).run([job(1)]);
    expect(close.Status__c).toBe('Refused');
    expect(close.Sync_Message__c).toBe(
      "This version of January 2026 was proposed before UK_Ltd's December 2025 close was posted, so it does not " +
        "count December 2025's journals. Nothing was posted. It is proposed again the next morning for you to approve.",
    );
    expect(posted()).toBe(0);
  });

  it('once posted, proposes the next close of the entity at once: a month that waited for it need not wait a night', async () => {
    const waiting = { ...earlier('Refused'), Id: 'a0f2', Period_Start__c: '2026-02-01' } as CloseRecordRow;
    const after = { ...earlier('Refused'), Id: 'a0f3', Period_Start__c: '2026-03-01' } as CloseRecordRow;
    const { deps, close, rechecks } = setup({ others: [waiting, after] });
    await postCloseHandler(deps).run([job(1)]);
    expect(close.Status__c).toBe('Posted');
    expect(rechecks).toEqual(['now UK_Ltd:2026-02 after POST_CLOSE:a0f1:1']);
  });

  it('posts when every earlier close was posted before this version was proposed', async () => {
    const { deps, close } = setup({ others: [earlier('Tied', '2026-01-05T10:00:00.000+0000')] });
    await postCloseHandler(deps).run([job(1)]);
    expect(close.Status__c).toBe('Posted');
  });
});
