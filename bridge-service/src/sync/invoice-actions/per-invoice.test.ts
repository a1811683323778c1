/**
 * A per-invoice request that cannot be carried out says so on its invoice, whether the step throws the reason or
 * returns it: a job that is dead while the record says nothing is a request the rep and finance never hear of again.
 */
import type { Connection } from 'jsforce';
import pino from 'pino';
import { Invoice } from '../../salesforce/objects';
import { salesforceNames } from '../../salesforce/schema';
import { createWriteback } from '../../salesforce/writeback';
import type { InvoiceMirror } from '../../salesforce/selections';
import { storedJob } from '../../store/__fixtures__/jobs';
import { XeroApiError } from '../../xero/errors';
import type { XeroInvoice } from '../../xero/types';
import type { JobOf, JobOutcome } from '../handler';
import { perInvoice, type PerInvoiceOptions } from './per-invoice';
import { voidHandler } from './void';

const INVOICE_ID = 'a01000000000001AAA';

const voidJob = (): JobOf<'VOID'> => {
  const requestKey = `VOID:${INVOICE_ID}:1`;
  return storedJob(
    { key: requestKey, action: 'VOID', payload: { action: 'VOID', requestKey, invoiceId: INVOICE_ID } },
    1,
  );
};

/** A per-invoice handler around `step`, with a Salesforce that keeps the failures put on invoices. */
function setup(
  step: () => Promise<JobOutcome>,
  opts: Partial<PerInvoiceOptions> = {},
  onInvoice: (id: string, message: string) => Promise<void> = async () => undefined,
) {
  const recorded: { id: string; message: string }[] = [];
  const logged: string[] = [];
  const handler = perInvoice<'VOID'>(
    {
      reference: { settings: async () => ({ autoDraftOnClose: true, readOnly: false }) },
      syncErrors: {
        onInvoice: async (id, message) => {
          recorded.push({ id, message });
          await onInvoice(id, message);
        },
      },
      log: { error: (_obj: unknown, msg?: string) => void logged.push(String(msg)) } as never,
    },
    step,
    { writesToXero: false, ...opts },
  );
  return { run: async () => (await handler.run([voidJob()])).get(1), recorded, logged };
}

describe('per-invoice: a failure people must act on is on the invoice', () => {
  it('a failure the step returns goes on the invoice, in its words', async () => {
    const t = setup(async () => ({
      kind: 'failed',
      error: 'INV-0001 is paid; raise a credit note instead of voiding it',
    }));
    expect(await t.run()).toEqual({
      kind: 'failed',
      error: 'INV-0001 is paid; raise a credit note instead of voiding it',
    });
    expect(t.recorded).toEqual([
      { id: INVOICE_ID, message: 'INV-0001 is paid; raise a credit note instead of voiding it' },
    ]);
  });

  it('a failure the step throws and no retry can fix goes on the invoice too', async () => {
    const t = setup(async () => {
      throw new XeroApiError({
        status: 400,
        body: { Message: 'Invoice not of valid status' },
        operation: 'x',
        tenantId: 't',
      });
    });
    expect(await t.run()).toMatchObject({ kind: 'failed' });
    expect(t.recorded).toEqual([{ id: INVOICE_ID, message: expect.stringMatching(/Invoice not of valid status/) }]);
  });

  it('a step that records its own failures (an approved credit note, on the credit note) keeps the invoice out of it', async () => {
    const t = setup(async () => ({ kind: 'failed', error: 'Xero rejected the credit note' }), {
      returnedFailures: 'recorded-by-step',
    });
    expect(await t.run()).toEqual({ kind: 'failed', error: 'Xero rejected the credit note' });
    expect(t.recorded).toEqual([]);
    // what it throws is still the invoice's: the step did not say it had shown it
    const thrown = setup(
      async () => {
        throw new XeroApiError({ status: 400, body: {}, operation: 'x', tenantId: 't' });
      },
      { returnedFailures: 'recorded-by-step' },
    );
    expect(await thrown.run()).toMatchObject({ kind: 'failed' });
    expect(thrown.recorded.map((r) => r.id)).toEqual([INVOICE_ID]);
  });

  it.each<[string, JobOutcome]>([
    ['done', { kind: 'done', result: { status: 'VOIDED' } }],
    ['to retry', { kind: 'retry', error: 'Xero is paused for this tenant', delayMs: 60_000 }],
    ['held', { kind: 'hold', reason: 'Read-only mode is on', delayMs: 1_000 }],
  ])('an outcome %s puts nothing on the invoice', async (_name, outcome) => {
    const t = setup(async () => outcome);
    expect(await t.run()).toEqual(outcome);
    expect(t.recorded).toEqual([]);
  });

  it('a failure a retry can fix (Xero down) is retried, not shown: the worker shows it if it gives up', async () => {
    const t = setup(async () => {
      throw new XeroApiError({ status: 503, body: 'down', operation: 'x', tenantId: 't' });
    });
    expect(await t.run()).toMatchObject({ kind: 'retry' });
    expect(t.recorded).toEqual([]);
  });

  it('Salesforce refusing the write of the failure leaves the job failed and logs why', async () => {
    const t = setup(
      async () => ({ kind: 'failed', error: 'INV-0001 is paid' }),
      {},
      async () => {
        throw new Error('UNABLE_TO_LOCK_ROW');
      },
    );
    expect(await t.run()).toEqual({ kind: 'failed', error: 'INV-0001 is paid' });
    expect(t.logged).toEqual(['could not record the failure on the invoice']);
  });
});

describe('per-invoice: a row Salesforce could not lock', () => {
  it('retries the job whose record was locked, nothing on its record; the others are written once', async () => {
    const [a, b, c] = ['a01000000000001AAA', 'a01000000000002AAA', 'a01000000000003AAA'];
    const locked = new Set([b]);
    const written: string[] = [];
    // sObject Collections as Salesforce answers them: 200, one result per record, the locked one refused.
    const collections = {
      update: async (records: { Id: string }[]) =>
        records.map(({ Id }) => {
          if (!locked.has(Id)) {
            written.push(Id);
            return { id: Id, success: true, errors: [] };
          }
          const message = `unable to obtain exclusive access to this record or 1 records: ${Id}`;
          return { id: Id, success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message, fields: [] }] };
        }),
    };
    const writeback = createWriteback({
      conn: { sobject: () => collections } as unknown as Connection,
      names: salesforceNames(''),
      log: pino({ level: 'silent' }),
    });
    const recorded: string[] = [];
    const handler = perInvoice<'VOID'>(
      {
        reference: { settings: async () => ({ autoDraftOnClose: true, readOnly: false }) },
        syncErrors: { onInvoice: async (id) => void recorded.push(id) },
        log: pino({ level: 'silent' }),
      },
      async (job) => {
        const { invoiceId } = job.payload;
        const outcomes = await writeback.update(Invoice, [{ Id: invoiceId, Sync_Status__c: 'Synced' }]);
        writeback.requireAll(Invoice, [invoiceId], outcomes);
        return { kind: 'done', result: { invoiceId } };
      },
      { writesToXero: false },
    );
    const jobOf = (invoiceId: string, id: number): JobOf<'VOID'> => {
      const requestKey = `VOID:${invoiceId}:1`;
      return storedJob({ key: requestKey, action: 'VOID', payload: { action: 'VOID', requestKey, invoiceId } }, id);
    };

    const first = await handler.run([jobOf(a, 1), jobOf(b, 2), jobOf(c, 3)]);
    expect([...first.values()].map((o) => o.kind)).toEqual(['done', 'retry', 'done']);
    expect(first.get(2)).toMatchObject({ error: expect.stringMatching(/UNABLE_TO_LOCK_ROW/) });
    expect(recorded).toEqual([]); // not given up: nothing on the invoice
    locked.clear();
    expect((await handler.run([jobOf(b, 2)])).get(2)).toMatchObject({ kind: 'done' });
    expect(written).toEqual([a, c, b]);
  });
});

describe('VOID refused in words: on the invoice, where finance asked', () => {
  function voidOf(xero: Partial<XeroInvoice>) {
    const recorded: { id: string; message: string }[] = [];
    const mirror = {
      Id: INVOICE_ID,
      Name: 'INV-0001',
      Xero_Invoice_Id__c: '9b2a1c3e-0000-4000-8000-000000000001',
      Xero_Tenant_Id__c: '11111111-1111-4111-8111-111111111111',
    } as InvoiceMirror;
    const handler = voidHandler({
      reference: { settings: async () => ({ autoDraftOnClose: true, readOnly: false }) },
      syncErrors: { onInvoice: async (id, message) => void recorded.push({ id, message }) },
      log: pino({ level: 'silent' }),
      invoices: {
        load: async () => mirror,
        requireXero: () => ({ tenantId: mirror.Xero_Tenant_Id__c!, xeroId: mirror.Xero_Invoice_Id__c! }),
        fetch: async () =>
          ({ invoiceID: mirror.Xero_Invoice_Id__c!, invoiceNumber: 'INV-0001', ...xero }) as XeroInvoice,
        writeInvoice: async () => {
          throw new Error('a refused void writes no invoice');
        },
      },
      xero: {
        updateInvoiceStatus: async () => {
          throw new Error('a refused void calls Xero no more');
        },
      },
    });
    return { run: async () => (await handler.run([voidJob()])).get(1), recorded };
  }

  it('a paid invoice', async () => {
    const t = voidOf({ status: 'PAID' });
    expect(await t.run()).toEqual({
      kind: 'failed',
      error: 'INV-0001 is paid; raise a credit note instead of voiding it',
    });
    expect(t.recorded).toEqual([
      { id: INVOICE_ID, message: 'INV-0001 is paid; raise a credit note instead of voiding it' },
    ]);
  });

  it('an authorised invoice with a payment applied', async () => {
    const t = voidOf({ status: 'AUTHORISED', amountPaid: 50 });
    expect(await t.run()).toMatchObject({ kind: 'failed' });
    expect(t.recorded).toEqual([
      {
        id: INVOICE_ID,
        message:
          'INV-0001 has payments or credit notes applied; remove them in Xero before voiding, or raise a credit note',
      },
    ]);
  });
});
