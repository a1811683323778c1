import { createElement } from 'lwc';
import BillingPlan from 'c/billingPlan';
import { invoicedPercent } from 'c/billingCalc';

// The plan as the Opportunity card's query returns it (the card passes the node down).
const WITH_PLAN = require('../../opportunityInvoices/__tests__/data/graphql.opportunityInvoices.plan.json');
const PLANNED = require('../../opportunityInvoices/__tests__/data/graphql.opportunityInvoices.planned.json');
const PLAN_ERROR = require('../../opportunityInvoices/__tests__/data/graphql.opportunityInvoices.planError.json');
const nodeOf = (data) => data.uiapi.query.Billing_Plan__c.edges[0].node;

jest.mock('@salesforce/label/c.Billing_Plan_Progress', () => ({ default: '{0}% of the contract invoiced' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Billing_Plan_Replaced', () => ({ default: '{0} replaced by a change to the deal' }), {
  virtual: true,
});

function render(data) {
  const element = createElement('c-billing-plan', { is: BillingPlan });
  element.planNode = nodeOf(data);
  document.body.appendChild(element);
  return element;
}

const root = (element) => element.shadowRoot;
const figure = (element, name) => root(element).querySelector(`dd.${name} lightning-formatted-number`);
const rows = (element) => [...root(element).querySelectorAll('li.instalment')];

describe('c-billing-plan', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
  });

  it('shows what is invoiced, what is next and when, in the plan’s currency, as the bridge wrote them', async () => {
    const element = render(WITH_PLAN);
    await Promise.resolve();
    expect(root(element).querySelector('h3').textContent).toBe('c.Billing_Plan_Title');
    expect(root(element).querySelector('.plan-status').textContent).toBe('Active');
    expect(root(element).querySelector('.terms').textContent).toContain('Annual, In Advance');
    expect([figure(element, 'invoiced').value, figure(element, 'invoiced').currencyCode]).toEqual([79719.29, 'GBP']);
    expect(figure(element, 'contract-value').value).toBe(110679.29);
    expect(figure(element, 'remaining').value).toBe(30960);
    expect(figure(element, 'next').value).toBe(30960);
    expect(root(element).querySelector('.next-date').value).toBe('2027-01-01');
    // 79,719.29 of 110,679.29 is 72.03 %: the bar says 72, as the domain's invoicedPercent does.
    const bar = root(element).querySelector('lightning-progress-bar');
    expect(bar.value).toBe(72);
    expect(bar.value).toBe(invoicedPercent(79719.29, 110679.29));
    expect(root(element).querySelector('.progress-text').textContent).toBe('72% of the contract invoiced');
  });

  it('lists every instalment with its status: raised ones with their document, the next one with its date', async () => {
    const element = render(WITH_PLAN);
    await Promise.resolve();
    expect(
      rows(element).map((row) => [
        row.dataset.status,
        row.querySelector('.issue-date').value,
        row.querySelector('.kind').textContent,
        row.querySelector('.amount lightning-formatted-number').value,
        row.querySelector('.instalment-status').textContent.replace(/\s+/g, ' ').trim(),
      ]),
    ).toEqual([
      ['Raised', '2025-01-01', 'c.Billing_Plan_Invoice', 40500, 'c.Billing_Plan_Raised_As INV-0101 · Paid'],
      ['Raised', '2025-07-01', 'c.Billing_Plan_Invoice', 2903.67, 'c.Billing_Plan_Raised_As INV-0142 · Paid'],
      ['Raised', '2026-01-01', 'c.Billing_Plan_Invoice', 41760, 'c.Billing_Plan_Raised_As INV-0188 · Partially Paid'],
      ['Raised', '2026-07-01', 'c.Billing_Plan_Credit_Note', 5444.38, 'c.Billing_Plan_Raised_As CN-0031 · Paid'],
      ['Planned', '2027-01-01', 'c.Billing_Plan_Invoice', 30960, 'To be raised on 1 Jan 2027 at 06:00 Europe/London'],
    ]);
    // The credit note is marked as one in words and with a minus sign (hidden from screen readers, which read the kind).
    expect(rows(element)[3].querySelector('.amount').textContent).toContain('−');
  });

  it('keeps instalments a change to the deal replaced out of the way, one click away', async () => {
    const element = render(WITH_PLAN);
    await Promise.resolve();
    const toggle = root(element).querySelector('button.toggle-replaced');
    expect(root(element).querySelector('p.replaced').textContent).toContain('3 replaced by a change to the deal');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    await Promise.resolve();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(rows(element).filter((row) => row.dataset.status === 'Cancelled')).toHaveLength(3);
    expect(rows(element)).toHaveLength(8);
  });

  it('shows revenue recognised, deferred and unbilled as of the day the bridge worked them out, and notes for finance', async () => {
    const element = render(WITH_PLAN);
    await Promise.resolve();
    expect([
      figure(element, 'recognised').value,
      figure(element, 'deferred').value,
      figure(element, 'unbilled').value,
    ]).toEqual([76835.34, 2883.95, 0]);
    expect(root(element).querySelector('.as-of lightning-formatted-date-time').value).toBe('2026-11-27');
    expect([...root(element).querySelectorAll('.flags li')].map((li) => li.textContent)).toEqual([
      'RELATIVE_SSP: Allocated by relative SSP: Analytics add-on priced outside the SSP range',
    ]);
  });

  it('before the first invoice: everything planned, nothing invoiced', async () => {
    const element = render(PLANNED);
    await Promise.resolve();
    expect(root(element).querySelector('.plan-status').textContent).toBe('Planned');
    expect(figure(element, 'invoiced').value).toBe(0);
    expect(root(element).querySelector('lightning-progress-bar').value).toBe(0);
    expect(rows(element).map((row) => row.dataset.status)).toEqual(['Planned', 'Planned', 'Planned']);
    expect(root(element).querySelector('p.replaced')).toBeNull();
  });

  it('says in words why the bridge could not update the plan, and shows the plan as it last stood', async () => {
    const element = render(PLAN_ERROR);
    await Promise.resolve();
    const alert = root(element).querySelector('.plan-sync-error');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toContain('changes lines of 2 contracts; amend one contract at a time');
    expect(figure(element, 'next').value).toBe(36000);
    expect(rows(element).map((row) => row.dataset.status)).toEqual(['Raised', 'Planned', 'Planned']);
  });

  it('is accessible', async () => {
    const element = render(WITH_PLAN);
    await Promise.resolve();
    root(element).querySelector('button.toggle-replaced').click();
    await Promise.resolve();
    await expect(element).toBeAccessible();
  });
});
