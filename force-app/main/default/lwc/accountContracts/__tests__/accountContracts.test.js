import { createElement } from 'lwc';
import AccountContracts from 'c/accountContracts';

// What the card asks the platform to open.
const mockNavigate = jest.fn();
jest.mock('lightning/navigation', () => {
  const Navigate = Symbol('Navigate');
  const NavigationMixin = (Base) =>
    class extends Base {
      [Navigate](pageReference) {
        mockNavigate(pageReference);
      }
    };
  NavigationMixin.Navigate = Navigate;
  return { NavigationMixin };
});

// The plans and instalments as the Account card's query returns them (the card passes the nodes down).
const WITH_CONTRACTS = require('../../accountReceivables/__tests__/data/graphql.accountReceivables.contracts.json');
const WITHOUT = require('../../accountReceivables/__tests__/data/graphql.accountReceivables.json');
// The worked cases the bridge's domain (contracted.ts) and c/billingCalc are both tested against.
const CASES = require('../../../../../../bridge-service/src/domain/contracted.cases.json');

jest.mock('@salesforce/label/c.Contracts_Plans', () => ({ default: '{0} open billing plans' }), { virtual: true });
jest.mock('@salesforce/label/c.Contracts_Plan', () => ({ default: '1 open billing plan' }), { virtual: true });

const nodes = (data, object) => data.uiapi.query[object].edges.map((edge) => edge.node);

function render(data) {
  const element = createElement('c-account-contracts', { is: AccountContracts });
  element.planNodes = nodes(data, 'Billing_Plan__c');
  element.nextBillingNodes = nodes(data, 'Billing_Instalment__c');
  document.body.appendChild(element);
  return element;
}

const root = (element) => element.shadowRoot;

describe('c-account-contracts', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
  });

  it('shows contracted, invoiced and still to invoice per currency, never added across currencies', async () => {
    const element = render(WITH_CONTRACTS);
    await Promise.resolve();
    const blocks = [...root(element).querySelectorAll('.contracted')];
    expect(
      blocks.map((block) => [
        block.dataset.currency,
        block.querySelector('p').textContent.trim(),
        block.querySelector('.contracted-value lightning-formatted-number').value,
        block.querySelector('.invoiced-value lightning-formatted-number').value,
        block.querySelector('.remaining-value lightning-formatted-number').value,
        block.querySelector('.remaining-value lightning-formatted-number').currencyCode,
      ]),
    ).toEqual([
      ['GBP', 'GBP2 open billing plans', 122679.29, 79719.29, 42960, 'GBP'],
      ['USD', 'USD1 open billing plan', 2399.88, 599.97, 1799.91, 'USD'],
    ]);
  });

  it.each(CASES.contractedByCurrency.map((c) => [c.name, c]))(
    'adds plans up as the domain does: %s',
    async (_name, c) => {
      const element = createElement('c-account-contracts', { is: AccountContracts });
      element.planNodes = c.plans.map((p, i) => ({
        Id: `a0P${i}`,
        Status__c: { value: p.status },
        Currency_Code__c: { value: p.currencyCode },
        Contract_Value__c: { value: p.contractValue },
        Invoiced_Amount__c: { value: p.invoiced },
      }));
      document.body.appendChild(element);
      await Promise.resolve();
      const shown = [...root(element).querySelectorAll('.contracted')].map((block) => ({
        currencyCode: block.dataset.currency,
        contracted: block.querySelector('.contracted-value lightning-formatted-number').value.toFixed(2),
        invoiced: block.querySelector('.invoiced-value lightning-formatted-number').value.toFixed(2),
        remaining: block.querySelector('.remaining-value lightning-formatted-number').value.toFixed(2),
      }));
      expect(shown).toEqual(
        c.expected.map((e) => ({
          currencyCode: e.currencyCode,
          contracted: e.contracted,
          invoiced: e.invoiced,
          remaining: e.remaining,
        })),
      );
    },
  );

  it('lists the next billings with their deal, and opens the deal', async () => {
    const element = render(WITH_CONTRACTS);
    await Promise.resolve();
    const rows = [...root(element).querySelectorAll('li.next-billing')];
    expect(
      rows.map((row) => [
        row.querySelector('.issue-date').value,
        row.querySelector('a.deal').textContent,
        row.querySelector('.amount lightning-formatted-number').value,
        row.querySelector('.amount lightning-formatted-number').currencyCode,
      ]),
    ).toEqual([
      ['2026-12-01', 'Acme US - Support 2026', 599.97, 'USD'],
      ['2027-01-01', 'Acme - Analytics 2027', 3000, 'GBP'],
      ['2027-01-01', 'Acme Analytics 2025-2027', 30960, 'GBP'],
      ['2027-03-01', 'Acme US - Support 2026', 250, 'USD'],
      ['2027-04-01', 'Acme - Analytics 2027', 3000, 'GBP'],
    ]);
    // A credit note says so to screen readers and shows a minus sign.
    expect(rows[3].querySelector('.amount .slds-assistive-text').textContent).toBe('Credit Note');
    rows[1].querySelector('a.deal').click();
    expect(mockNavigate).toHaveBeenCalledWith({
      type: 'standard__recordPage',
      attributes: { recordId: '0065g00000OpAn01AA', actionName: 'view' },
    });
    await expect(element).toBeAccessible();
  });

  it('says when the account has no open billing plan', async () => {
    const element = render(WITHOUT);
    await Promise.resolve();
    expect(root(element).querySelector('.contracts-empty').textContent).toBe('c.Contracts_Empty');
    expect(root(element).querySelector('.next-billings')).toBeNull();
  });
});
