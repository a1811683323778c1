/**
 * Mirrors InvoiceActions.cls (the invocable behind the Invoice__c quick actions): VOID, CREDIT, RESYNC, UPDATE_DRAFT
 * (a corrected draft sent again) and ONLINE_LINK (the customer link, read from Xero on request) requests, validated
 * with the same rules and label messages, all valid ones published together. A correction sent marks its invoice
 * Sync_Status__c Pending (with the label's message) in the same transaction, which the approval process's entry
 * criteria then keep out of approval until the bridge has written the outcome.
 */
import Big from 'big.js';
import type { SalesforceOrg } from '../salesforce-org';
import type { SRecord } from '../store';
import type { ApexMirror } from './apex-mirror';
import { versionOf } from './apex-mirror';
import type { Labels } from './custom-labels';
import { build, publish, requestKey, type Action, type InvoiceRequest } from './invoice-request-publisher';
import { ledgerlineSettings } from './ledgerline-settings';

export const VOID_CREDIT_PERMISSION = 'Ledgerline_Request_Void_Credit';
export const RESYNC_PERMISSION = 'Ledgerline_Request_Resync';

const CREDIT_LINE_KEYS = ['description', 'quantity', 'unitAmount', 'accountCode', 'taxType'];
const invoiceIds = { Opportunity_Id__c: 'Opportunity__c', Invoice_Id__c: 'Id' } as const;

export const mirror: ApexMirror = {
  apexClass: 'InvoiceActions',
  sites: [
    {
      action: 'VOID',
      object: 'Invoice__c',
      keyRecord: 'Id',
      version: { literal: '1' },
      ids: invoiceIds,
      payloadKeys: null,
    },
    {
      action: 'CREDIT',
      object: 'Invoice__c',
      keyRecord: 'Id',
      version: { rule: 'creditNoteCount+1' },
      ids: invoiceIds,
      payloadKeys: ['amount', 'reason', 'lines'],
      lineKeys: CREDIT_LINE_KEYS,
    },
    {
      action: 'RESYNC',
      object: 'Invoice__c',
      keyRecord: 'Id',
      version: { rule: 'epochMillis' },
      ids: invoiceIds,
      payloadKeys: null,
    },
    {
      action: 'UPDATE_DRAFT',
      object: 'Invoice__c',
      keyRecord: 'Id',
      version: { rule: 'epochMillis' },
      ids: invoiceIds,
      payloadKeys: null,
    },
    {
      action: 'ONLINE_LINK',
      object: 'Invoice__c',
      keyRecord: 'Id',
      version: { literal: '1' },
      ids: invoiceIds,
      payloadKeys: null,
    },
  ],
};

const CORRECTABLE_APPROVAL = new Set(['Rejected', 'Not Submitted']);

export interface CreditLine {
  description: string;
  quantity: number | string;
  unitAmount: number | string;
  accountCode?: string;
  taxType?: string;
}

export interface ActionRequest {
  invoiceId: string;
  action: string;
  amount?: number | string;
  reason?: string;
  lines?: CreditLine[];
}

export interface ActionResult {
  isSuccess: boolean;
  message: string | null;
  requestKey: string | null;
}

/** Approved in Xero: what can be credited, and what Xero has an online invoice (a customer link) for. */
const APPROVED_IN_XERO = new Set(['Authorised', 'Partially Paid', 'Paid']);
const GONE = new Set(['Voided', 'Deleted']);

class Failure extends Error {}

const orZero = (v: unknown): Big => (v === null || v === undefined || v === '' ? new Big(0) : new Big(v as number));

/** Apex Decimal.format() in en_US: grouping commas, scale kept. */
function formatMoney(amount: Big, currency: unknown): string {
  const [int, frac] = amount.round(2, Big.roundHalfUp).toFixed(2).split('.');
  return `${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac} ${String(currency ?? '')}`;
}

/** Up to 4 dp, no trailing zeros, no exponent (the Apex plain()). */
function plain(v: number | string): string {
  const s = new Big(v).round(4, Big.roundHalfUp).toFixed(4);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** The CREDIT payload, key order and omissions as the Apex JSONGenerator writes them. */
export function creditPayload(request: ActionRequest): string {
  const out: Record<string, unknown> = {};
  if (request.amount !== undefined && request.amount !== null)
    out.amount = new Big(request.amount).round(2, Big.roundHalfUp).toFixed(2);
  if (request.reason && request.reason.trim()) out.reason = request.reason.trim();
  if (request.lines?.length) {
    out.lines = request.lines.map((l) => {
      const line: Record<string, string> = {
        description: l.description.trim(),
        quantity: plain(l.quantity),
        unitAmount: plain(l.unitAmount),
      };
      if (l.accountCode?.trim()) line.accountCode = l.accountCode.trim();
      if (l.taxType?.trim()) line.taxType = l.taxType.trim();
      return line;
    });
  }
  return JSON.stringify(out);
}

export function invoiceActions(org: SalesforceOrg, labels: Labels) {
  const f = (name: string): string => org.n(name);

  function checkCanVoid(userId: string, invoice: SRecord): void {
    if (!org.hasCustomPermission(userId, VOID_CREDIT_PERMISSION))
      throw new Failure(labels('Ledgerline_Error_Void_Credit_Permission'));
    if (!String(invoice[f('Xero_Invoice_Id__c')] ?? '').trim())
      throw new Failure(labels('Ledgerline_Error_Not_In_Xero'));
    if (GONE.has(String(invoice[f('Status__c')])))
      throw new Failure(labels('Ledgerline_Error_Already_Void', invoice[f('Status__c')]));
    if (orZero(invoice[f('Amount_Paid__c')]).gt(0) || orZero(invoice[f('Amount_Credited__c')]).gt(0)) {
      throw new Failure(labels('Ledgerline_Error_Void_Has_Payments'));
    }
  }

  function checkCanCredit(userId: string, request: ActionRequest, invoice: SRecord): void {
    if (!org.hasCustomPermission(userId, VOID_CREDIT_PERMISSION))
      throw new Failure(labels('Ledgerline_Error_Void_Credit_Permission'));
    if (!String(invoice[f('Xero_Invoice_Id__c')] ?? '').trim())
      throw new Failure(labels('Ledgerline_Error_Not_In_Xero'));
    if (!APPROVED_IN_XERO.has(String(invoice[f('Status__c')])))
      throw new Failure(labels('Ledgerline_Error_Credit_Status', invoice[f('Status__c')]));
    const hasLines = !!request.lines?.length;
    if ((request.amount === undefined || request.amount === null) && !hasLines)
      throw new Failure(labels('Ledgerline_Error_Credit_Needs_Amount'));
    if (request.amount !== undefined && request.amount !== null && hasLines)
      throw new Failure(labels('Ledgerline_Error_Credit_Amount_And_Lines'));
    if (request.amount !== undefined && request.amount !== null) {
      const amount = new Big(request.amount);
      if (amount.lte(0)) throw new Failure(labels('Ledgerline_Error_Credit_Amount_Positive'));
      const creditable = orZero(invoice[f('Total__c')]).minus(orZero(invoice[f('Amount_Credited__c')]));
      if (amount.gt(creditable)) {
        const currency = invoice[f('Currency_Code__c')];
        throw new Failure(
          labels(
            'Ledgerline_Error_Credit_Amount_Too_High',
            formatMoney(amount, currency),
            formatMoney(creditable, currency),
          ),
        );
      }
    }
    for (const line of request.lines ?? []) {
      const valid =
        !!line && !!line.description?.trim() && orZero(line.quantity).gt(0) && orZero(line.unitAmount).gt(0);
      if (!valid) throw new Failure(labels('Ledgerline_Error_Credit_Line_Invalid'));
    }
  }

  function checkCanRequestLink(userId: string, invoice: SRecord): void {
    if (!org.hasCustomPermission(userId, RESYNC_PERMISSION))
      throw new Failure(labels('Ledgerline_Error_Online_Link_Permission'));
    if (!String(invoice[f('Xero_Invoice_Id__c')] ?? '').trim())
      throw new Failure(labels('Ledgerline_Error_Not_In_Xero'));
    if (!APPROVED_IN_XERO.has(String(invoice[f('Status__c')])))
      throw new Failure(labels('Ledgerline_Error_Online_Link_Status', invoice[f('Status__c')]));
  }

  /**
   * InvoiceActions.request: one result per request, in order; valid requests are published in one transaction.
   * `user` is the running user, as an id or a username.
   */
  function request(requests: ActionRequest[], user: string): ActionResult[] {
    const userId = org.resolveUser(user).Id;
    const results: ActionResult[] = requests.map(() => ({ isSuccess: false, message: null, requestKey: null }));
    // read-only mode: sent all the same (the bridge holds it), and the user is told it waits
    const sent = ledgerlineSettings(org, userId).readOnly
      ? 'Ledgerline_Request_Queued_Read_Only'
      : 'Ledgerline_Request_Sent';
    const invoiceDef = org.object(f('Invoice__c'));
    const noteDef = org.object(f('Credit_Note__c'));
    const counts = new Map<string, number>();
    for (const note of org.records(noteDef)) {
      const inv = note[f('Invoice__c')] as string | null;
      if (inv) counts.set(inv, (counts.get(inv) ?? 0) + 1);
    }
    const events: InvoiceRequest[] = [];
    const pending: ActionResult[] = [];
    const corrections = new Set<string>();
    requests.forEach((req, i) => {
      const result = results[i]!;
      try {
        const invoice = req?.invoiceId ? org.get(invoiceDef, req.invoiceId) : undefined;
        if (!invoice) throw new Failure(labels('Ledgerline_Error_Invoice_Not_Found', req?.invoiceId));
        const action = (req.action ?? '').trim().toUpperCase();
        const site = mirror.sites.find((s) => s.action === action);
        if (!site) throw new Failure(labels('Ledgerline_Error_Unknown_Action', req.action));
        let payload: string | null = null;
        let facts: { creditNoteCount?: number; now?: number } = {};
        if (action === 'VOID') checkCanVoid(userId, invoice);
        if (action === 'CREDIT') {
          checkCanCredit(userId, req, invoice);
          // two credits in one call on the same invoice get consecutive numbers
          facts = { creditNoteCount: counts.get(invoice.Id) ?? 0 };
          counts.set(invoice.Id, (counts.get(invoice.Id) ?? 0) + 1);
          payload = creditPayload(req);
        }
        if (action === 'RESYNC') {
          if (!org.hasCustomPermission(userId, RESYNC_PERMISSION))
            throw new Failure(labels('Ledgerline_Error_Resync_Permission'));
          facts = { now: org.clock.now() };
        }
        if (action === 'UPDATE_DRAFT') {
          if (!org.hasCustomPermission(userId, RESYNC_PERMISSION))
            throw new Failure(labels('Ledgerline_Error_Resync_Permission'));
          if (!String(invoice[f('Xero_Invoice_Id__c')] ?? '').trim())
            throw new Failure(labels('Ledgerline_Error_Not_In_Xero'));
          const approval = String(invoice[f('Approval_Status__c')] ?? 'Not Submitted');
          if (invoice[f('Status__c')] !== 'Draft' || !CORRECTABLE_APPROVAL.has(approval))
            throw new Failure(labels('Ledgerline_Error_Not_Correctable', invoice[f('Status__c')], approval));
          facts = { now: org.clock.now() };
        }
        if (action === 'ONLINE_LINK') checkCanRequestLink(userId, invoice);
        const key = requestKey(action as Action, invoice.Id, versionOf(site.version, facts));
        events.push(
          build(action as Action, (invoice[f('Opportunity__c')] as string | null) ?? null, invoice.Id, key, payload),
        );
        result.requestKey = key;
        // a link is only read from Xero, so read-only mode does not hold it: the user is told when to look
        result.message = labels(action === 'ONLINE_LINK' ? 'Ledgerline_Online_Link_Requested' : sent, invoice.Name);
        pending.push(result);
        if (action === 'UPDATE_DRAFT') corrections.add(invoice.Id);
      } catch (err) {
        if (!(err instanceof Failure)) throw err;
        result.message = err.message;
      }
    });
    try {
      org.transaction(() => {
        publish(org, events, { userId }, labels);
        // the sync fields are the bridge's: system mode, as Database.update(..., AccessLevel.SYSTEM_MODE)
        for (const id of corrections) {
          org.update(
            invoiceDef.name,
            id,
            { [f('Sync_Status__c')]: 'Pending', [f('Sync_Message__c')]: labels('Ledgerline_Correction_On_Its_Way') },
            { userId },
          );
        }
      });
      for (const r of pending) r.isSuccess = true;
    } catch (err) {
      for (const r of pending) {
        r.isSuccess = false;
        r.requestKey = null;
        r.message = err instanceof Error ? err.message : String(err);
      }
    }
    return results;
  }

  return {
    request,
    voidInvoice: (invoiceId: string, user: string) => request([{ invoiceId, action: 'VOID' }], user)[0]!,
    credit: (invoiceId: string, user: string, credit: Omit<ActionRequest, 'invoiceId' | 'action'>) =>
      request([{ invoiceId, action: 'CREDIT', ...credit }], user)[0]!,
    resync: (invoiceId: string, user: string) => request([{ invoiceId, action: 'RESYNC' }], user)[0]!,
    /** UPDATE_DRAFT: a draft finance rejected, corrected, sent to update the same Xero draft. */
    updateDraft: (invoiceId: string, user: string) => request([{ invoiceId, action: 'UPDATE_DRAFT' }], user)[0]!,
    /** InvoiceActions.requestResync (the components' Retry button): the message, or an error carrying it */
    requestResync: (invoiceId: string, user: string): string =>
      sentOrThrow(request([{ invoiceId, action: 'RESYNC' }], user)[0]!),
    /** InvoiceActions.requestOnlineLink (the components' Get customer link button): the message, or an error carrying it */
    requestOnlineLink: (invoiceId: string, user: string): string =>
      sentOrThrow(request([{ invoiceId, action: 'ONLINE_LINK' }], user)[0]!),
  };
}

/** InvoiceActions.sentOrThrow: what an @AuraEnabled method returns, or the AuraHandledException it throws. */
function sentOrThrow(result: ActionResult): string {
  if (!result.isSuccess) throw new Error(result.message ?? 'Script-thrown exception');
  return result.message ?? '';
}

export type InvoiceActions = ReturnType<typeof invoiceActions>;
