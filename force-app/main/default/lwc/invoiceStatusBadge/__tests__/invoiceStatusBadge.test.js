import { createElement } from 'lwc';
import InvoiceStatusBadge from 'c/invoiceStatusBadge';
import { STATUSES, displayStatus } from '../invoiceDisplayStatus';

// Worked cases from Xero's state to the stored Status__c (the domain's invoiceDisplayStatus) and on to the badge.
const CASES = require('../../../../../../bridge-service/src/domain/receivables.cases.json');

const TODAY = '2026-11-27';

function render(invoice, today = TODAY) {
  const element = createElement('c-invoice-status-badge', { is: InvoiceStatusBadge });
  element.invoice = invoice;
  element.today = today;
  document.body.appendChild(element);
  return element.shadowRoot.querySelector('span');
}

describe('c-invoice-status-badge', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
  });

  it.each([
    ['a draft', { status: 'Draft' }, 'draft', 'c.Invoice_Status_Draft'],
    [
      'a draft pending approval',
      { status: 'Draft', approvalStatus: 'Pending' },
      'awaitingApproval',
      'c.Invoice_Status_Awaiting_Approval',
    ],
    ['an approved draft', { status: 'Approved', approvalStatus: 'Approved' }, 'approved', 'c.Invoice_Status_Approved'],
    [
      'an authorised invoice',
      { status: 'Authorised', amountDue: 100, dueDate: '2026-12-31' },
      'authorised',
      'c.Invoice_Status_Authorised',
    ],
    [
      'a part-paid invoice',
      { status: 'Partially Paid', amountPaid: 40, amountDue: 60, dueDate: '2026-12-31' },
      'partiallyPaid',
      'c.Invoice_Status_Partially_Paid',
    ],
    [
      'a paid invoice',
      { status: 'Paid', amountPaid: 100, amountDue: 0, dueDate: '2026-01-01' },
      'paid',
      'c.Invoice_Status_Paid',
    ],
    [
      'an overdue invoice',
      { status: 'Partially Paid', amountPaid: 40, amountDue: 60, dueDate: '2026-11-26' },
      'overdue',
      'c.Invoice_Status_Overdue',
    ],
    ['a voided invoice', { status: 'Voided', amountDue: 0 }, 'voided', 'c.Invoice_Status_Voided'],
    [
      'a fully credited invoice',
      { status: 'Paid', amountCredited: 100, amountDue: 0 },
      'credited',
      'c.Invoice_Status_Credited',
    ],
  ])('shows %s as its status', async (_name, invoice, key, label) => {
    const badge = render(invoice);
    expect(badge.dataset.status).toBe(key);
    expect(badge.textContent).toBe(label);
  });

  it.each(CASES.displayStatus)('shows $name as $badge, from the status the bridge stores', (worked) => {
    const { status, approvalStatus, dueDate, today, badge } = worked;
    const { amountPaid, amountCredited, amountDue } = worked.xero;
    expect(displayStatus({ status, approvalStatus, amountPaid, amountCredited, amountDue, dueDate }, today).key).toBe(
      badge,
    );
  });

  it('gives every status its own theme and icon, and its words', () => {
    const looks = Object.values(STATUSES).map((status) => `${status.themeClass}|${status.iconName}`);
    expect(new Set(looks).size).toBe(Object.keys(STATUSES).length);
    expect(new Set(Object.values(STATUSES).map((status) => status.iconName)).size).toBe(Object.keys(STATUSES).length);
    expect(new Set(Object.values(STATUSES).map((status) => status.label)).size).toBe(Object.keys(STATUSES).length);
    for (const status of Object.values(STATUSES)) expect(status.iconName).toMatch(/^utility:[a-z_]+$/);
  });

  it.each([
    ['approved', 'authorised'],
    ['awaitingApproval', 'partiallyPaid'],
    ['voided', 'credited'],
  ])('tells %s from %s by colour and by icon', (one, other) => {
    expect(STATUSES[one].themeClass).not.toBe(STATUSES[other].themeClass);
    expect(STATUSES[one].iconName).not.toBe(STATUSES[other].iconName);
  });

  it.each(Object.values(STATUSES).map((status) => [status.key, status]))(
    'renders %s with its theme and icon',
    (_key, look) => {
      const worked = CASES.displayStatus.find((candidate) => candidate.badge === look.key);
      const { status, approvalStatus, dueDate, today } = worked;
      const badge = render({ ...worked.xero, status, approvalStatus, dueDate }, today);
      expect(badge.dataset.status).toBe(look.key);
      expect([...badge.classList]).toEqual(['slds-badge', ...(look.themeClass ? [look.themeClass] : [])]);
      expect(badge.querySelector('lightning-icon').iconName).toBe(look.iconName);
      expect(badge.textContent).toBe(look.label);
    },
  );

  it('is not overdue on its due date', () => {
    const badge = render({ status: 'Authorised', amountDue: 10, dueDate: TODAY });
    expect(badge.dataset.status).toBe('authorised');
  });

  it("uses the user's today when none is given", () => {
    // 27 Nov 2026 05:00 UTC is still 26 Nov for the test user (America/Los_Angeles): due on the 26th is not overdue yet
    jest.useFakeTimers({ now: new Date('2026-11-27T05:00:00Z') });
    try {
      const element = createElement('c-invoice-status-badge', { is: InvoiceStatusBadge });
      element.invoice = { status: 'Authorised', amountDue: 10, dueDate: '2026-11-26' };
      document.body.appendChild(element);
      expect(element.shadowRoot.querySelector('span').dataset.status).toBe('authorised');
    } finally {
      jest.useRealTimers();
    }
  });

  it('is accessible', async () => {
    render({ status: 'Paid', amountPaid: 1, amountDue: 0 });
    await expect(document.body).toBeAccessible();
  });
});
