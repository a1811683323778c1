import { parseBillingEntities } from './billing-entity';
import { checkReworkable, draftUpdateKey, planDraftUpdate, type DraftCorrection, type DraftState } from './rework';

const {
  entities: [uk],
} = parseBillingEntities([
  {
    developerName: 'UK_Ltd',
    xeroTenantId: 'tenant-uk',
    baseCurrency: 'GBP',
    countries: 'GB',
    currencies: 'GBP',
    accountCode: '200',
    taxType: 'OUTPUT2',
    lineAmountType: 'Exclusive',
    paymentTermsDays: 30,
    isDefault: true,
    autoEmail: false,
  },
]);
if (!uk) throw new Error('fixture entity missing');
const ctx = { entity: uk, taxRates: [{ taxType: 'OUTPUT2', effectiveRate: '20' }], linkedContactIds: ['c-acme'] };

const current: DraftState = {
  invoiceId: 'x-inv-1',
  status: 'DRAFT',
  contactId: 'c-acme',
  currencyCode: 'GBP',
  date: '2027-01-15',
  dueDate: '2027-02-14',
  reference: 'Acme 2027',
  lineItems: [
    {
      lineItemId: 'li-1',
      description: 'Seats',
      quantity: '10',
      unitAmount: '100.00',
      accountCode: '200',
      taxType: 'OUTPUT2',
      tracking: [],
    },
    {
      lineItemId: 'li-2',
      description: 'Setup',
      quantity: '1',
      unitAmount: '500.00',
      accountCode: '200',
      taxType: 'OUTPUT2',
      tracking: [],
    },
  ],
};
const unchanged: DraftCorrection = {
  contactId: 'c-acme',
  date: '2027-01-15',
  dueDate: '2027-02-14',
  reference: 'Acme 2027',
  lines: [
    { lineItemId: 'li-1', description: 'Seats', quantity: '10', unitPrice: '100' },
    { lineItemId: 'li-2', description: 'Setup', quantity: '1', unitPrice: '500' },
  ],
};

describe('rework of a rejected draft', () => {
  it('finance rejected it: 12 seats not 10, no setup fee, add training, quote the PO: one update of the same draft', () => {
    const update = planDraftUpdate(
      current,
      {
        ...unchanged,
        reference: 'PO 4711 · Acme 2027',
        lines: [
          { lineItemId: 'li-1', description: 'Seats', quantity: '12', unitPrice: '100' },
          { description: 'Training day', quantity: '1', unitPrice: '300', accountCode: '260' },
        ],
      },
      ctx,
    )!;
    expect(update.invoiceId).toBe('x-inv-1');
    expect(update.lineItems.map((l) => [l.lineItemId, l.description, l.quantity, l.lineAmount, l.accountCode])).toEqual(
      [
        ['li-1', 'Seats', '12', '1200.00', '200'],
        [undefined, 'Training day', '1', '300.00', '260'],
      ],
    );
    expect(update.removedLineItemIds).toEqual(['li-2']);
    expect(update.document).toMatchObject({
      status: 'DRAFT',
      contact: { contactId: 'c-acme' },
      subTotal: '1500.00',
      totalTax: '300.00',
      total: '1800.00',
    });
    expect(update.changes).toEqual([
      'reference "Acme 2027" → "PO 4711 · Acme 2027"',
      'line 1 (Seats): quantity 10 → 12',
      'line 2 (Training day) added',
      'line 2 (Setup) removed',
    ]);
    expect(draftUpdateKey('a01000000000001AAA', update)).toMatch(/^UPDATE_DRAFT:a01000000000001AAA:[0-9a-f]{12}$/);
  });

  it('the same correction has the same key (a replay sends nothing twice); another correction a new one', () => {
    const correction = { ...unchanged, date: '2027-01-20' };
    const a = planDraftUpdate(current, correction, ctx)!;
    const b = planDraftUpdate(current, { ...correction }, ctx)!;
    const c = planDraftUpdate(current, { ...correction, date: '2027-01-21' }, ctx)!;
    expect(a.version).toBe(b.version);
    expect(c.version).not.toBe(a.version);
    expect(a.changes).toEqual(['issue date 2027-01-15 → 2027-01-20']);
  });

  it('nothing changed: no update', () => {
    expect(planDraftUpdate(current, unchanged, ctx)).toBeNull();
    expect(planDraftUpdate(current, { ...unchanged, lines: [...unchanged.lines].reverse() }, ctx)!.changes).toEqual([
      'lines reordered',
    ]);
  });

  it('refuses a LineItemID that is not on the draft, a contact not linked to the Account, a due date before the issue date', () => {
    expect(() =>
      planDraftUpdate(
        current,
        {
          ...unchanged,
          contactId: 'c-other',
          dueDate: '2027-01-01',
          lines: [{ lineItemId: 'li-9', description: 'Seats', quantity: '1', unitPrice: '1' }],
        },
        ctx,
      ),
    ).toThrow(
      "Cannot correct the Xero draft: line 1 (Seats) is not on the Xero draft (LineItemID li-9); contact c-other is not linked to the invoice's Account in UK_Ltd; the due date 2027-01-01 is before the issue date 2027-01-15",
    );
  });

  it('changes the contact to the Account’s linked one, e.g. after a match review', () => {
    const update = planDraftUpdate(
      current,
      { ...unchanged, contactId: 'c-acme-new' },
      { ...ctx, linkedContactIds: ['c-acme-new'] },
    )!;
    expect(update.changes).toEqual(['contact c-acme → c-acme-new']);
  });

  it.each([
    [{ displayStatus: 'Draft', approvalStatus: 'Rejected' }, 'DRAFT', undefined],
    [{ displayStatus: 'Draft', approvalStatus: 'Not Submitted' }, 'SUBMITTED', undefined],
    [
      { displayStatus: 'Awaiting Approval', approvalStatus: 'Pending' },
      'DRAFT',
      'it is waiting for approval: recall it first',
    ],
    [
      { displayStatus: 'Approved', approvalStatus: 'Approved' },
      'DRAFT',
      'finance approved it and it is being authorised in Xero',
    ],
    [{ displayStatus: 'Authorised', approvalStatus: 'Rejected' }, 'AUTHORISED', 'it is Authorised, not a draft'],
    [
      { displayStatus: 'Draft', approvalStatus: 'Rejected' },
      'AUTHORISED',
      'Xero holds it as AUTHORISED: only drafts can be changed (void it and raise a new one)',
    ],
  ] as const)('rework of %j in Xero %s', (mirror, xero, reason) => {
    const run = () => checkReworkable(mirror, xero);
    if (reason) expect(run).toThrow(`This invoice cannot be corrected and sent again: ${reason}`);
    else expect(run).not.toThrow();
  });
});
