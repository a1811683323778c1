import { createElement } from 'lwc';
import AccountCredit from 'c/accountCredit';

// The card's query reads 50 credits of each kind (first: 50, CREDIT_PAGE_SIZE in the component).
const CREDIT_PAGE_SIZE = 50;

// The credit as the Account card's query returns it (the card passes the nodes down), in the org's shape.
const WITH_CREDIT = require('../../accountReceivables/__tests__/data/graphql.accountReceivables.credit.json');
const WITHOUT = require('../../accountReceivables/__tests__/data/graphql.accountReceivables.json');

// Labels with placeholders get their real text, so the values they carry can be checked.
jest.mock('@salesforce/label/c.Credit_Held_Count', () => ({ default: '{0} credits' }), { virtual: true });
jest.mock('@salesforce/label/c.Credit_Held_Truncated', () => ({ default: 'More than the oldest {0} of a kind.' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Credit_Held_Count_One', () => ({ default: '1 credit' }), { virtual: true });
jest.mock(
  '@salesforce/label/c.Credit_Held_With_Due',
  () => ({
    default: 'Not taken off the {0} outstanding. Finance can apply it to an open invoice in Xero, or refund it.',
  }),
  { virtual: true },
);
jest.mock(
  '@salesforce/label/c.Credit_Held_Nothing_Due',
  () => ({ default: 'Nothing is due in {0}: the credit waits for the next invoice, or finance refunds it.' }),
  { virtual: true },
);

const nodes = (data, object) => data.uiapi.query[object].edges.map((edge) => edge.node);

function render(data, outstanding = [{ currencyCode: 'GBP', cents: 395000 }]) {
  const element = createElement('c-account-credit', { is: AccountCredit });
  element.customerCreditNodes = nodes(data, 'Customer_Credit__c');
  element.creditNoteNodes = nodes(data, 'Credit_Note__c');
  element.outstanding = outstanding;
  document.body.appendChild(element);
  return element;
}

const root = (element) => element.shadowRoot;
const figure = (row, selector) => row.querySelector(`${selector} lightning-formatted-number`);

describe('c-account-credit', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
  });

  describe('with credit in two currencies', () => {
    let element;
    beforeEach(async () => {
      element = render(WITH_CREDIT);
      await Promise.resolve();
    });

    it('holds credit per currency, never added across currencies, in exact cents', () => {
      const blocks = [...root(element).querySelectorAll('section.credit-currency')];
      expect(
        blocks.map((block) => [
          block.dataset.currency,
          block.querySelector('p').textContent,
          figure(block, '.held').value,
          figure(block, '.held').currencyCode,
        ]),
      ).toEqual([
        ['AUD', 'AUD1 credit', 1650, 'AUD'],
        ['GBP', 'GBP3 credits', 590.5, 'GBP'], // 100.00 + 240.50 + 250.00
      ]);
    });

    it('says where the credit can go: beside what is due, never taken off it', () => {
      const wording = (code) =>
        root(element).querySelector(`section.credit-currency[data-currency="${code}"] .wording`).textContent;
      expect(wording('GBP')).toBe(
        'Not taken off the £3,950.00 outstanding. Finance can apply it to an open invoice in Xero, or refund it.',
      );
      expect(wording('AUD')).toBe(
        'Nothing is due in AUD: the credit waits for the next invoice, or finance refunds it.',
      );
    });

    it('lists each credit, oldest first, with its type, date, original, allocated, refunded and remaining', () => {
      const gbp = root(element).querySelector('section.credit-currency[data-currency="GBP"]');
      const rows = [...gbp.querySelectorAll('li.credit-row')].map((row) => [
        row.querySelector('.kind').textContent,
        row.querySelector('.reference').textContent,
        row.querySelector('.credit-date').value,
        figure(row, '.original').value,
        figure(row, '.allocated').value,
        figure(row, '.refunded').value,
        figure(row, '.remaining').value,
        figure(row, '.remaining').currencyCode,
      ]);
      expect(rows).toEqual([
        ['c.Credit_Kind_Overpayment', 'Paid INV-0078 twice', '2026-09-14', 600, 500, 0, 100, 'GBP'],
        // A credit note: 1,200.00 − 700.00 allocated − 240.50 remaining = 259.50 refunded.
        ['c.Credit_Kind_Credit_Note', 'CN-0031', '2026-10-02', 1200, 700, 259.5, 240.5, 'GBP'],
        // No reference: the record's name.
        ['c.Credit_Kind_Prepayment', 'CC-000021', '2026-11-20', 300, 0, 50, 250, 'GBP'],
      ]);
    });

    it('is accessible', async () => {
      await expect(element).toBeAccessible();
    });
  });

  it('leaves out credit with nothing remaining and adds cents without float noise', async () => {
    const credit = (id, remaining) => ({
      Id: id,
      Name: { value: id },
      Credit_Type__c: { value: 'Overpayment' },
      Credit_Date__c: { value: '2026-11-01' },
      Reference__c: { value: null },
      Currency_Code__c: { value: 'EUR' },
      Total__c: { value: remaining },
      Allocated__c: { value: 0 },
      Refunded__c: { value: 0 },
      Remaining_Credit__c: { value: remaining },
    });
    const element = createElement('c-account-credit', { is: AccountCredit });
    element.customerCreditNodes = [credit('a', 0.1), credit('b', 0.2), credit('c', 0)];
    document.body.appendChild(element);
    await Promise.resolve();
    const eur = root(element).querySelector('section.credit-currency[data-currency="EUR"]');
    expect(figure(eur, '.held').value).toBe(0.3);
    expect(eur.querySelectorAll('li.credit-row')).toHaveLength(2);
    expect(eur.querySelector('.wording').textContent).toContain('Nothing is due in EUR');
  });

  it('says the credit may be more than shown when the query returned a full page of either kind', async () => {
    const [note] = nodes(WITH_CREDIT, 'Credit_Note__c');
    const element = createElement('c-account-credit', { is: AccountCredit });
    element.creditNoteNodes = Array.from({ length: CREDIT_PAGE_SIZE }, (_, i) => ({ ...note, Id: `a0C${i}` }));
    document.body.appendChild(element);
    await Promise.resolve();
    expect(root(element).querySelector('.credit-truncated').textContent.trim()).toBe(
      'More than the oldest 50 of a kind.',
    );
    const complete = render(WITH_CREDIT);
    await Promise.resolve();
    expect(root(complete).querySelector('.credit-truncated')).toBeNull();
  });

  describe('without credit', () => {
    let element;
    beforeEach(async () => {
      element = render(WITHOUT);
      await Promise.resolve();
    });

    it('says there is none', () => {
      expect(root(element).querySelector('.credit-empty').textContent).toBe('c.Credit_Held_Empty');
      expect(root(element).querySelectorAll('section.credit-currency')).toHaveLength(0);
    });

    it('is accessible', async () => {
      await expect(element).toBeAccessible();
    });
  });
});
