/**
 * A Xero organisation as a company brings it to go-live (issue 18): years of contacts, invoices, payments, credit
 * notes, overpayments and prepayments, made in milliseconds and the same every time for the same seed.
 *
 * `goLiveScenario` describes both sides: the Salesforce Accounts the company has and the Xero contacts, with how each
 * pair relates (the same name; the same name written differently: case, punctuation, Ltd/Limited; the same name only
 * without the company form; one name two contacts share in all but spelling: the true ambiguity; contacts no Account
 * has). `seedGoLiveHistory` writes the contacts and their history into one tenant through the emulator's own
 * business rules (documents.ts, payments.ts, credits.ts: totals, statuses and remaining credit are Xero's), quietly
 * (no webhooks: this happened before the app was connected) and dated in the past (UpdatedDateUTC of each record is
 * its last change, before now).
 */
import Big from 'big.js';
import { writeContact } from './contacts';
import { allocateCredit, writeCreditTransaction, type StoredCredit } from './credits';
import { writeDocument, type ElementResult } from './documents';
import { writeAllocation, writePayment } from './payments';
import type { StoredDocument, Tenant, XeroStore } from './store';
import { dayToMs, msToDay } from './wire';
import { pushTo } from '../../src/lib/collections';

/** How a Salesforce Account relates to the tenant's contacts. */
export type AccountRelation =
  /** a contact has exactly its name */
  | 'exact'
  /** a contact has its name written differently (case, punctuation, Ltd = Limited): links */
  | 'respelt'
  /** a contact has its name only without the company form (Zenith / Zenith GmbH): review */
  | 'form-only'
  /** two contacts have its name, spelt two ways (Initech Ltd / INITECH LIMITED): review */
  | 'ambiguous'
  /** no contact: a new customer (the draft flow creates its contact) */
  | 'new';

export interface GoLiveAccount {
  /** Stable key of the Account in the scenario (the test maps it to the Salesforce id). */
  key: string;
  name: string;
  relation: AccountRelation;
  accountNumber?: string;
  taxNumber?: string;
  billingEmail?: string;
  /** The bridge made this Account's contact in wave 1: ContactNumber = the Account Id. */
  bridgeMade?: boolean;
}

export interface GoLiveContact {
  /** Deterministic ContactID. */
  contactId: string;
  name: string;
  /** The Account it stands for, if any (`ambiguous`: both contacts name the same Account). */
  accountKey?: string;
  status: 'ACTIVE' | 'ARCHIVED';
  accountNumber?: string;
  taxNumber?: string;
  emailAddress?: string;
}

export interface GoLiveScenario {
  accounts: GoLiveAccount[];
  contacts: GoLiveContact[];
}

export interface ScenarioOptions {
  seed?: number;
  /** Contacts in the tenant (default 200). */
  contacts?: number;
}

/** mulberry32: a small seeded PRNG, so a scenario is the same on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version-4-shaped GUID from the PRNG. */
function guid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const FIRST = [
  'Northwind', 'Blue Harbour', 'Copperfield', 'Evergreen', 'Falcon', 'Granite', 'Harbourside', 'Ironbridge',
  'Juniper', 'Kestrel', 'Lakeside', 'Meridian', 'Nimbus', 'Oakridge', 'Pinnacle', 'Quarry', 'Redwood', 'Silverline',
  'Thornbury', 'Upland', 'Vantage', 'Westfield', 'Yarrow', 'Zephyr', 'Ashdown', 'Birchwood', 'Cobalt', 'Driftwood',
  'Elmstead', 'Foxglove',
]; // prettier-ignore
const SECOND = [
  'Analytics', 'Bakery', 'Consulting', 'Dental', 'Engineering', 'Foods', 'Graphics', 'Holdings', 'Imports', 'Joinery',
  'Kitchens', 'Logistics', 'Media', 'Networks', 'Optics', 'Partners', 'Robotics', 'Studios', 'Textiles', 'Ventures',
]; // prettier-ignore
const FORMS = ['Ltd', 'Limited', 'LLP', 'PLC', 'Ltd'];

/** Writes a name the way another person might: the same name for the matcher. */
function respell(name: string, variant: number): string {
  switch (variant % 4) {
    case 0:
      return name.toUpperCase();
    case 1:
      return name.replace(/ Ltd$/, ' Limited').replace(/ Limited$/, ' Ltd.');
    case 2:
      return name.toLowerCase().replace(/ ltd$/, ' limited');
    default:
      return `${name.replace(/ /g, '  ')}.`.replace(/\.\.$/, '.');
  }
}

/**
 * Accounts and contacts: 40 exact names (some with the same account number or billing email on both sides), 8
 * respelt, 1 differing by the company form only, 1 true ambiguity (two contacts), 3 Accounts with no contact, and the
 * rest of the contacts (149 by default, one of them archived) customers Salesforce does not have.
 */
export function goLiveScenario(options: ScenarioOptions = {}): GoLiveScenario {
  const random = seededRandom(options.seed ?? 18);
  const total = options.contacts ?? 200;
  const names: string[] = [];
  for (const first of FIRST) for (const second of SECOND) names.push(`${first} ${second}`);
  // a fixed shuffle of every base name, so each scenario name is unique
  for (let i = names.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  let next = 0;
  const base = () => names[next++]!;
  const accounts: GoLiveAccount[] = [];
  const contacts: GoLiveContact[] = [];
  const contact = (name: string, extra: Partial<GoLiveContact> = {}): GoLiveContact => {
    const c: GoLiveContact = { contactId: guid(random), name, status: 'ACTIVE', ...extra };
    contacts.push(c);
    return c;
  };

  for (let i = 0; i < 40; i += 1) {
    const name = `${base()} ${FORMS[i % FORMS.length]}`;
    const key = `exact-${i + 1}`;
    const account: GoLiveAccount = { key, name, relation: 'exact' };
    const extra: Partial<GoLiveContact> = { accountKey: key };
    if (i % 5 === 0) account.accountNumber = extra.accountNumber = `CUST-${String(1000 + i)}`;
    if (i % 7 === 0)
      account.billingEmail = extra.emailAddress = `accounts+${i}@${name.split(' ')[0]!.toLowerCase()}.example`;
    if (i < 3) account.bridgeMade = true;
    accounts.push(account);
    contact(name, extra);
  }
  for (let i = 0; i < 8; i += 1) {
    const name = `${base()} Ltd`;
    const key = `respelt-${i + 1}`;
    accounts.push({ key, name, relation: 'respelt' });
    contact(respell(name, i), { accountKey: key });
  }
  {
    const core = base();
    accounts.push({ key: 'form-only', name: core, relation: 'form-only' });
    contact(`${core} GmbH`, { accountKey: 'form-only' });
  }
  {
    const name = `${base()} Ltd`;
    accounts.push({ key: 'ambiguous', name, relation: 'ambiguous' });
    contact(name, { accountKey: 'ambiguous' });
    contact(
      respell(name, 1)
        .replace(/ Ltd\.$/, ' LIMITED')
        .toUpperCase(),
      { accountKey: 'ambiguous' },
    );
  }
  for (let i = 0; i < 3; i += 1) accounts.push({ key: `new-${i + 1}`, name: `${base()} Ltd`, relation: 'new' });
  let archived = false;
  while (contacts.length < total) {
    const c = contact(`${base()} ${FORMS[contacts.length % FORMS.length]}`);
    if (!archived) {
      c.status = 'ARCHIVED';
      archived = true;
    }
  }
  return { accounts, contacts };
}

export interface HistoryOptions {
  /** First day of the history (YYYY-MM-DD). */
  from: string;
  /** Last day of the history (YYYY-MM-DD), at or before the emulator's today. */
  to: string;
  /** Invoices to raise (default 1,000). */
  invoices?: number;
  seed?: number;
  /** Salesforce Account ids by scenario key: contacts the bridge made carry them as ContactNumber. */
  accountIds?: ReadonlyMap<string, string>;
  /** Opportunity page URLs by scenario key: that Account's first invoices carry them (made by the bridge). */
  opportunityUrls?: ReadonlyMap<string, readonly string[]>;
  /** Invoice currency (default: the organisation's base currency). */
  currencyCode?: string;
}

export interface SeededHistory {
  contacts: number;
  invoices: number;
  payments: number;
  creditNotes: number;
  allocations: number;
  overpayments: number;
  prepayments: number;
  /** Invoice ids by scenario Account key (the ambiguous Account's hold both contacts'). */
  invoicesByAccount: Map<string, string[]>;
}

function required(result: ElementResult, what: string): string {
  if (!result.ok) throw new Error(`go-live seed: ${what} refused: ${result.errors.join(' ')}`);
  return result.id;
}

/**
 * Writes a scenario's contacts and their history into one tenant. Invoices go mostly to the contacts of Accounts
 * (about 85 %), the rest to customers Salesforce does not have; about 70 % are paid (some in two instalments), 12 %
 * part paid, 10 % awaiting payment, 5 % voided, 3 % drafts. Six per cent get a credit note, allocated in full or in
 * part or refunded; a few contacts overpaid or paid in advance, and part of that credit was applied later.
 */
export function seedGoLiveHistory(
  store: XeroStore,
  tenantId: string,
  scenario: GoLiveScenario,
  options: HistoryOptions,
): SeededHistory {
  const tenant = store.tenant(tenantId);
  if (!tenant) throw new Error(`go-live seed: unknown tenant ${tenantId}`);
  const random = seededRandom(options.seed ?? 2026);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const fromMs = dayToMs(options.from);
  const toMs = dayToMs(options.to);
  if (!(toMs >= fromMs) || toMs > store.clock.now()) throw new Error('go-live seed: need from <= to <= today');
  const day = (ms: number) => msToDay(Math.min(ms, toMs));
  const days = Math.max(1, Math.round((toMs - fromMs) / 86_400_000));
  const currency = options.currencyCode ?? tenant.org.baseCurrency;
  const bank = tenant.org.accounts.find((a) => a.Type === 'BANK' && (a.CurrencyCode ?? currency) === currency);
  const sales = tenant.org.accounts.find((a) => a.Type === 'REVENUE' && a.Status === 'ACTIVE');
  const tax = sales?.TaxType ?? 'NONE';
  if (!bank || !sales) throw new Error('go-live seed: the organisation needs a bank and a revenue account');
  const result: SeededHistory = {
    contacts: 0,
    invoices: 0,
    payments: 0,
    creditNotes: 0,
    allocations: 0,
    overpayments: 0,
    prepayments: 0,
    invoicesByAccount: new Map(),
  };
  const lastChange = new Map<{ updatedAt: number }, number>();
  const stamp = (record: { updatedAt: number }, ms: number) =>
    lastChange.set(record, Math.max(lastChange.get(record) ?? 0, Math.min(ms, toMs + 12 * 3_600_000)));

  store.quietly(() => {
    const bridgeMade = new Set(scenario.accounts.filter((a) => a.bridgeMade).map((a) => a.key));
    for (const c of scenario.contacts) {
      const accountId =
        c.accountKey && bridgeMade.has(c.accountKey) ? options.accountIds?.get(c.accountKey) : undefined;
      const id = required(
        writeContact(
          store,
          tenantId,
          {
            Name: c.name,
            ContactStatus: c.status,
            ...(c.accountNumber ? { AccountNumber: c.accountNumber } : {}),
            ...(c.taxNumber ? { TaxNumber: c.taxNumber } : {}),
            ...(c.emailAddress ? { EmailAddress: c.emailAddress } : {}),
            ...(accountId ? { ContactNumber: accountId } : {}),
          },
          'create',
        ),
        `contact ${c.name}`,
      );
      const stored = tenant.contacts.get(id)!;
      tenant.contacts.delete(id);
      stored.id = c.contactId;
      tenant.contacts.set(c.contactId, stored);
      stamp(stored, fromMs);
      result.contacts += 1;
    }

    const active = scenario.contacts.filter((c) => c.status === 'ACTIVE');
    const linked = active.filter((c) => c.accountKey);
    const others = active.filter((c) => !c.accountKey);
    const urls = new Map(
      [...(options.opportunityUrls ?? new Map<string, readonly string[]>())].map(([k, v]) => [k, [...v]]),
    );
    const total = options.invoices ?? 1000;
    const invoices: { doc: StoredDocument; contact: GoLiveContact; dateMs: number }[] = [];
    for (let n = 0; n < total; n += 1) {
      const contact = random() < 0.85 ? linked[n % linked.length]! : pick(others);
      const dateMs = fromMs + Math.floor(random() * days) * 86_400_000;
      const lines = 1 + Math.floor(random() * 3);
      const url = contact.accountKey ? urls.get(contact.accountKey)?.shift() : undefined;
      const roll = random();
      const status = roll < 0.03 ? 'DRAFT' : 'AUTHORISED';
      const id = required(
        writeDocument(
          store,
          tenantId,
          'invoice',
          {
            Type: 'ACCREC',
            Contact: { ContactID: contact.contactId },
            Date: day(dateMs),
            DueDate: day(dateMs + 30 * 86_400_000),
            Status: status,
            CurrencyCode: currency,
            Reference: `Order ${1000 + n}`,
            ...(url ? { Url: url } : {}),
            LineItems: Array.from({ length: lines }, (_, i) => ({
              Description: `${pick(['Subscription', 'Licences', 'Support', 'Implementation', 'Training'])} ${i + 1}`,
              Quantity: new Big(1 + Math.floor(random() * 5)),
              UnitAmount: new Big(Math.floor(50 + random() * 2000)).plus(Math.floor(random() * 100) / 100),
              AccountCode: sales.Code,
              TaxType: tax,
            })),
          },
          { mode: 'create', unitdp: 2 },
        ),
        `invoice ${n}`,
      );
      const doc = tenant.invoices.get(id)!;
      stamp(doc, dateMs);
      invoices.push({ doc, contact, dateMs });
      result.invoices += 1;
      const key = contact.accountKey;
      if (key) pushTo(result.invoicesByAccount, key, id);
      if (status === 'DRAFT') continue;
      const settleRoll = random();
      if (settleRoll < 0.05) {
        required(
          writeDocument(store, tenantId, 'invoice', { Status: 'VOIDED' }, { mode: 'upsert', unitdp: 2, pathId: id }),
          'void',
        );
        stamp(doc, dateMs + 5 * 86_400_000);
        continue;
      }
      const pay = (amount: Big, atMs: number) => {
        if (atMs > toMs || amount.lte(0)) return;
        const paymentId = required(
          writePayment(store, tenantId, {
            Invoice: { InvoiceID: id },
            Account: { Code: bank.Code },
            Amount: amount,
            Date: day(atMs),
            Reference: `Receipt ${doc.number}`,
          }),
          `payment on ${doc.number}`,
        );
        stamp(tenant.payments.get(paymentId)!, atMs);
        stamp(doc, atMs);
        result.payments += 1;
      };
      const paidAt = dateMs + (10 + Math.floor(random() * 40)) * 86_400_000;
      if (settleRoll < 0.6) pay(doc.total, paidAt);
      else if (settleRoll < 0.75) {
        const half = doc.total.div(2).round(2, Big.roundDown);
        pay(half, paidAt);
        pay(doc.total.minus(half), paidAt + 20 * 86_400_000);
      } else if (settleRoll < 0.87) pay(doc.total.times(0.4).round(2, Big.roundDown), paidAt);
    }

    // Credit notes: six per cent of the invoices still awaiting payment get one, allocated in full or in part.
    const open = invoices.filter(({ doc }) => doc.status === 'AUTHORISED');
    for (const { doc, contact, dateMs } of open.filter((_, i) => i % 4 === 0).slice(0, Math.round(total * 0.06))) {
      const creditMs = dateMs + 15 * 86_400_000;
      const full = random() < 0.5;
      const noteId = required(
        writeDocument(
          store,
          tenantId,
          'creditnote',
          {
            Type: 'ACCRECCREDIT',
            Contact: { ContactID: contact.contactId },
            Date: day(creditMs),
            Status: 'AUTHORISED',
            CurrencyCode: currency,
            Reference: `Credit for ${doc.number}`,
            LineItems: [
              {
                Description: full ? 'Cancelled order' : 'Service credit',
                Quantity: new Big(1),
                UnitAmount: full ? doc.subTotal : doc.subTotal.div(5).round(2, Big.roundDown),
                AccountCode: sales.Code,
                TaxType: tax,
              },
            ],
          },
          { mode: 'create', unitdp: 2 },
        ),
        `credit note for ${doc.number}`,
      );
      const note = tenant.creditNotes.get(noteId)!;
      result.creditNotes += 1;
      const applied = note.total.lte(doc.total.minus(doc.amountPaid).minus(doc.amountCredited))
        ? note.total
        : note.total.div(2).round(2, Big.roundDown);
      required(
        writeAllocation(store, tenantId, note, {
          Invoice: { InvoiceID: doc.id },
          Amount: full ? applied : applied.div(2).round(2, Big.roundDown),
          Date: day(creditMs),
        }),
        `allocation of ${note.number}`,
      );
      stamp(note, creditMs);
      stamp(doc, creditMs);
      result.allocations += 1;
    }

    // A few customers paid more than was due, or in advance; some of that credit was applied to a later invoice.
    const credited = linked.filter((_, i) => i % 6 === 0).slice(0, 8);
    credited.forEach((contact, i) => {
      const kind = i % 3 === 2 ? 'prepayment' : 'overpayment';
      const atMs = fromMs + Math.floor(((i + 1) * days) / 10) * 86_400_000;
      const bankTransactionId = required(
        writeCreditTransaction(
          store,
          tenant,
          {
            Type: kind === 'overpayment' ? 'RECEIVE-OVERPAYMENT' : 'RECEIVE-PREPAYMENT',
            Contact: { ContactID: contact.contactId },
            BankAccount: { Code: bank.Code },
            Date: day(atMs),
            CurrencyCode: currency,
            Reference: `${kind === 'overpayment' ? 'Overpaid' : 'Paid in advance'} ${i + 1}`,
            ...(kind === 'overpayment' ? { LineAmountTypes: 'NoTax' } : {}),
            LineItems: [
              {
                Description: kind === 'overpayment' ? 'Overpayment' : 'Deposit',
                LineAmount: new Big(100 + i * 75),
                ...(kind === 'prepayment' ? { AccountCode: sales.Code, TaxType: tax } : {}),
              },
            ],
          },
          2,
        ),
        `${kind} ${i}`,
      );
      const map = kind === 'overpayment' ? tenant.overpayments : tenant.prepayments;
      const credit = [...map.values()].find((c) => c.bankTransactionId === bankTransactionId) as StoredCredit;
      stamp(credit, atMs);
      if (kind === 'overpayment') result.overpayments += 1;
      else result.prepayments += 1;
      const target = open.find(
        ({ doc }) => doc.contactId === contact.contactId && doc.status === 'AUTHORISED' && doc.total.gt(credit.total),
      );
      if (target && i % 2 === 0) {
        const allocMs = Math.max(atMs, target.dateMs) + 86_400_000;
        required(
          allocateCredit(store, tenant, credit, {
            Invoice: { InvoiceID: target.doc.id },
            Amount: credit.total.div(2).round(2, Big.roundDown),
            Date: day(allocMs),
          }),
          `allocation of ${kind} ${i}`,
        );
        stamp(credit, allocMs);
        stamp(target.doc, allocMs);
        result.allocations += 1;
      }
    });
  });
  // Each record's UpdatedDateUTC is its last change in the history, not the moment of seeding.
  for (const [record, ms] of lastChange) record.updatedAt = ms;
  return result;
}

/** The tenant's documents, for tests: invoices by status. */
export function statusCounts(tenant: Tenant): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const doc of tenant.invoices.values()) counts[doc.status] = (counts[doc.status] ?? 0) + 1;
  return counts;
}
