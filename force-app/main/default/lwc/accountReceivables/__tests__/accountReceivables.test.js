import { createElement } from 'lwc';
import AccountReceivables from 'c/accountReceivables';
import { graphql } from 'lightning/graphql';
import { refreshApex } from '@salesforce/apex';
import { jestMockPublish, subscribe, unsubscribe } from 'lightning/empApi';
import getSummary from '@salesforce/apex/ReceivablesController.getSummary';
import isLiveRefreshEnabled from '@salesforce/apex/LiveRefreshController.isEnabled';

const SUMMARY = require('./data/ReceivablesController.getSummary.json');
const SUMMARY_NO_RATES = require('./data/ReceivablesController.getSummary.noRates.json');
const SUMMARY_EMPTY = require('./data/ReceivablesController.getSummary.empty.json');
const SUMMARY_ERROR = require('./data/ReceivablesController.getSummary.error.json');
const ACCOUNT = require('./data/graphql.accountReceivables.json');
const ACCOUNT_EMPTY = require('./data/graphql.accountReceivables.empty.json');
const ACCOUNT_CONTRACTS = require('./data/graphql.accountReceivables.contracts.json');
const ACCOUNT_CREDIT = require('./data/graphql.accountReceivables.credit.json');
const ACCOUNT_CREDIT_ONLY = require('./data/graphql.accountReceivables.creditOnly.json');
const ACCOUNT_ERRORS = require('./data/graphql.accountReceivables.errors.json');
const SYNC_UPDATES = require('./data/empApi.Sync_Update__e.json');

jest.mock(
  '@salesforce/apex/ReceivablesController.getSummary',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
jest.mock(
  '@salesforce/apex/LiveRefreshController.isEnabled',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), { virtual: true });
// Labels with placeholders get their real text, so the values they carry can be checked.
jest.mock('@salesforce/label/c.Receivables_DSO_Days', () => ({ default: '{0} days' }), { virtual: true });
jest.mock('@salesforce/label/c.Receivables_Showing', () => ({ default: 'Showing {0} of {1}' }), { virtual: true });
jest.mock('@salesforce/label/c.Receivables_Corporate_Missing', () => ({ default: 'No rate for {0}.' }), {
  virtual: true,
});

const ACCOUNT_ID = '0015g00000AcCt01AA';
const CHANNEL = '/event/Sync_Update__e';
const NOW = new Date('2026-11-27T18:00:00Z'); // 27 Nov 2026 in the test user's zone (America/Los_Angeles)

// A macrotask lets every pending promise chain (empApi, navigation URLs, refresh) settle.
// eslint-disable-next-line @lwc/lwc/no-async-operation
const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

// The Page Visibility API as the browser reports it; tests hide and show the page.
let visibility = 'visible';
Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
async function setVisibility(state) {
  visibility = state;
  document.dispatchEvent(new CustomEvent('visibilitychange'));
  await flushPromises();
}

function render() {
  const element = createElement('c-account-receivables', { is: AccountReceivables });
  element.recordId = ACCOUNT_ID;
  document.body.appendChild(element);
  return element;
}

async function renderWith(summary, account = ACCOUNT) {
  const element = render();
  getSummary.emit(summary);
  graphql.emit(account, undefined, account.refresh);
  await flushPromises();
  return element;
}

const root = (element) => element.shadowRoot;
const section = (element, code) => root(element).querySelector(`section.currency[data-currency="${code}"]`);
const amount = (container, selector) => container.querySelector(`${selector} lightning-formatted-number`);
const bucket = (container, key) => amount(container, `tr.bucket-${key}`).value;

describe('c-account-receivables', () => {
  beforeEach(() => {
    jest.useFakeTimers({
      now: NOW,
      doNotFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'queueMicrotask', 'nextTick'],
    });
  });

  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
    jest.useRealTimers();
    visibility = 'visible';
  });

  it('asks for the summary of this account as of the user’s today', async () => {
    render();
    await flushPromises();
    expect(getSummary.getLastConfig()).toEqual({ accountId: ACCOUNT_ID, asOf: '2026-11-27' });
    expect(graphql.getLastConfig().variables).toEqual({ recordId: ACCOUNT_ID });
  });

  it('shows a spinner until the summary arrives', () => {
    const element = render();
    expect(root(element).querySelector('lightning-spinner')).not.toBeNull();
  });

  describe('with receivables in several currencies', () => {
    let element;
    beforeEach(async () => {
      element = await renderWith(SUMMARY);
    });

    it('keeps every currency apart', () => {
      const codes = [...root(element).querySelectorAll('section.currency')].map((s) => s.dataset.currency);
      expect(codes).toEqual(['EUR', 'GBP', 'USD']);
      const gbp = section(element, 'GBP');
      expect(amount(gbp, '.outstanding').value).toBe(3950);
      expect(amount(gbp, '.outstanding').currencyCode).toBe('GBP');
      expect(amount(gbp, '.overdue').value).toBe(2449.9);
      expect(gbp.querySelector('.overdue').classList).toContain('slds-text-color_error');
      expect(gbp.querySelector('.open-count').textContent).toBe('6');
    });

    it('ages by due date with day 30 in 1–30 and day 90 in 61–90', () => {
      const gbp = section(element, 'GBP');
      expect(bucket(gbp, 'current')).toBe(1500.1); // due today counts as current
      expect(bucket(gbp, 'days1to30')).toBe(450.2); // 30 days past due
      expect(bucket(gbp, 'days31to60')).toBe(1000); // 60 days
      expect(bucket(gbp, 'days61to90')).toBe(800); // 90 days
      expect(bucket(gbp, 'days90plus')).toBe(199.7); // 91 days
    });

    it('adds cents without float noise', () => {
      const eur = section(element, 'EUR');
      expect(bucket(eur, 'days1to30')).toBe(0.3);
      expect(amount(eur, '.outstanding').value).toBe(5000.3);
    });

    it('shows DSO over 90 days per currency, or a dash without sales', () => {
      expect(section(element, 'GBP').querySelector('.dso').textContent).toBe('39.5 days');
      expect(section(element, 'EUR').querySelector('.dso').textContent).toBe('45 days');
      expect(section(element, 'USD').querySelector('.dso').textContent).toBe('—');
    });

    it('totals in the corporate currency when every currency has a rate', () => {
      const corporate = root(element).querySelector('.corporate');
      expect(amount(corporate, '.corporate-outstanding').value).toBe(12935.11);
      expect(amount(corporate, '.corporate-outstanding').currencyCode).toBe('USD');
      expect(amount(corporate, '.corporate-overdue').value).toBe(3101.47);
      expect(corporate.querySelector('.corporate-missing')).toBeNull();
    });

    it('shows the last payment and the oldest open invoices with links', () => {
      expect(root(element).querySelector('.last-payment lightning-formatted-date-time').value).toBe('2026-11-10');
      const rows = root(element).querySelectorAll('li.open-invoice');
      expect(rows).toHaveLength(10);
      const first = rows[0];
      expect(first.querySelector('a').textContent).toBe('INV-0081');
      expect(first.querySelector('a').href).toBe('https://www.example.com/');
      const badge = first.querySelector('c-invoice-status-badge').shadowRoot.querySelector('span');
      expect(badge.dataset.status).toBe('overdue');
      expect(root(element).querySelector('.showing')).toBeNull();
    });

    it('opens an invoice record from its link', () => {
      const link = root(element).querySelector('li.open-invoice a');
      const event = new CustomEvent('click', { cancelable: true });
      link.dispatchEvent(event);
      expect(event.defaultPrevented).toBe(true);
    });

    it('is accessible', async () => {
      await expect(element).toBeAccessible();
    });
  });

  describe('when a currency has no conversion rate', () => {
    it('omits the corporate total and names the currency', async () => {
      const element = await renderWith(SUMMARY_NO_RATES);
      const corporate = root(element).querySelector('.corporate');
      expect(corporate.querySelector('.corporate-missing').textContent).toBe('No rate for NZD.');
      expect(corporate.querySelector('.corporate-outstanding')).toBeNull();
      expect(root(element).querySelector('.showing').textContent).toBe('Showing 10 of 12');
    });
  });

  describe('with nothing outstanding', () => {
    let element;
    beforeEach(async () => {
      element = await renderWith(SUMMARY_EMPTY, ACCOUNT_EMPTY);
    });

    it('says so', () => {
      expect(root(element).querySelector('.empty-state').textContent).toBe('c.Receivables_Empty');
      expect(root(element).querySelectorAll('section.currency')).toHaveLength(0);
      expect(root(element).querySelector('.corporate')).toBeNull();
      expect(root(element).querySelector('.last-payment').textContent).toBe('c.Receivables_No_Payment');
    });

    it('is accessible', async () => {
      await expect(element).toBeAccessible();
    });
  });

  it('warns when the summary hit its row cap', async () => {
    const element = await renderWith({ ...SUMMARY, complete: false });
    expect(root(element).querySelector('.incomplete').textContent).toBe('c.Receivables_Incomplete');
  });

  describe('when the summary fails', () => {
    let element;
    beforeEach(async () => {
      element = render();
      getSummary.error(SUMMARY_ERROR.body, SUMMARY_ERROR.status, SUMMARY_ERROR.statusText);
      await flushPromises();
    });

    it('shows the error', () => {
      const error = root(element).querySelector('.load-error');
      expect(error.textContent).toContain('c.Receivables_Load_Error');
      expect(error.textContent).toContain("No such column 'Amount_Due__c'");
    });

    it('is accessible', async () => {
      await expect(element).toBeAccessible();
    });
  });

  it('shows a query error without hiding the totals, in place of what the query reads (no false empty states)', async () => {
    const element = render();
    getSummary.emit(SUMMARY);
    graphql.emitErrors(ACCOUNT_ERRORS);
    await flushPromises();
    const error = root(element).querySelector('.details-error');
    expect(error.textContent).toContain('c.Receivables_Details_Load_Error');
    expect(error.textContent).toContain('Last_Payment_Date__c');
    expect(root(element).querySelectorAll('section.currency')).toHaveLength(3);
    // Not "None yet", "No unused credit", "No open billing plans": the query did not say so.
    expect(root(element).querySelector('.last-payment')).toBeNull();
    expect(root(element).querySelector('c-account-credit')).toBeNull();
    expect(root(element).querySelector('c-account-contracts')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('shows the same error when a refresh of the query fails after it answered', async () => {
    const element = await renderWith(SUMMARY, ACCOUNT_CONTRACTS);
    expect(root(element).querySelector('c-account-contracts')).not.toBeNull();
    graphql.emitErrors(ACCOUNT_ERRORS);
    await flushPromises();
    expect(root(element).querySelector('.details-error').textContent).toContain('Last_Payment_Date__c');
    expect(root(element).querySelector('.open-invoices')).toBeNull();
    expect(root(element).querySelector('c-account-contracts')).toBeNull();
  });

  it('states no empty state until the query has answered', async () => {
    const element = render();
    getSummary.emit(SUMMARY);
    await flushPromises();
    expect(root(element).querySelectorAll('section.currency')).toHaveLength(3);
    expect(root(element).querySelector('.last-payment')).toBeNull();
    expect(root(element).querySelector('c-account-credit')).toBeNull();
    expect(root(element).querySelector('c-account-contracts')).toBeNull();
    expect(root(element).querySelector('.details-loading')).not.toBeNull();
  });

  describe('live refresh', () => {
    async function renderSubscribed({ liveRefresh = true } = {}) {
      const element = render();
      const refresh = jest.fn(() => Promise.resolve());
      getSummary.emit(SUMMARY);
      graphql.emit(ACCOUNT, undefined, refresh);
      isLiveRefreshEnabled.emit(liveRefresh);
      await flushPromises();
      return { element, refresh };
    }

    it('subscribes to Sync_Update__e when connected', async () => {
      await renderSubscribed();
      expect(subscribe).toHaveBeenCalledWith(CHANNEL, -1, expect.any(Function));
    });

    it('refreshes both wires when an update names this account', async () => {
      const { refresh } = await renderSubscribed();
      await jestMockPublish(CHANNEL, SYNC_UPDATES.thisAccount);
      await flushPromises();
      expect(refreshApex).toHaveBeenCalledTimes(1);
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('refreshes when the bridge writes a customer credit for this account (an overpayment polled from Xero)', async () => {
      const { refresh } = await renderSubscribed();
      await jestMockPublish(CHANNEL, SYNC_UPDATES.customerCreditThisAccount);
      await flushPromises();
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('ignores updates for other accounts', async () => {
      const { refresh } = await renderSubscribed();
      await jestMockPublish(CHANNEL, SYNC_UPDATES.otherAccount);
      await flushPromises();
      expect(refreshApex).not.toHaveBeenCalled();
      expect(refresh).not.toHaveBeenCalled();
    });

    it('asks again with the new date after midnight instead of refreshing the old one', async () => {
      const { element, refresh } = await renderSubscribed();
      jest.setSystemTime(new Date('2026-11-28T18:00:00Z'));
      root(element).querySelector('lightning-button-icon.refresh').click();
      await flushPromises();
      expect(getSummary.getLastConfig().asOf).toBe('2026-11-28');
      expect(refreshApex).not.toHaveBeenCalled();
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('unsubscribes when disconnected', async () => {
      const { element } = await renderSubscribed();
      document.body.removeChild(element);
      await flushPromises();
      expect(unsubscribe).toHaveBeenCalledWith(expect.objectContaining({ channel: CHANNEL }), expect.any(Function));
    });

    it('unsubscribes while the page is hidden and reads both wires again once when it is shown', async () => {
      const { refresh } = await renderSubscribed();
      await setVisibility('hidden');
      expect(unsubscribe).toHaveBeenCalledTimes(1);
      await setVisibility('visible');
      window.dispatchEvent(new CustomEvent('focus'));
      await flushPromises();
      expect(subscribe).toHaveBeenCalledTimes(2);
      expect(refreshApex).toHaveBeenCalledTimes(1);
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('with live refresh off, never subscribes and reads again on focus', async () => {
      const { refresh } = await renderSubscribed({ liveRefresh: false });
      window.dispatchEvent(new CustomEvent('focus'));
      await flushPromises();
      expect(subscribe).not.toHaveBeenCalled();
      expect(refreshApex).toHaveBeenCalledTimes(1);
      expect(refresh).toHaveBeenCalledTimes(1);
    });
  });

  describe('with customer credit', () => {
    let element;
    beforeEach(async () => {
      element = await renderWith(SUMMARY, ACCOUNT_CREDIT);
    });

    it('shows the credit the same query read, apart from what is due, which it never reduces', () => {
      const credit = root(element).querySelector('c-account-credit');
      expect(credit.customerCreditNodes).toHaveLength(3);
      expect(credit.creditNoteNodes).toHaveLength(1);
      expect(credit.outstanding).toEqual([
        { currencyCode: 'EUR', cents: 500030 },
        { currencyCode: 'GBP', cents: 395000 },
        { currencyCode: 'USD', cents: 250000 },
      ]);
      const held = [...credit.shadowRoot.querySelectorAll('section.credit-currency')].map((block) => [
        block.dataset.currency,
        block.querySelector('.held lightning-formatted-number').value,
      ]);
      expect(held).toEqual([
        ['AUD', 1650],
        ['GBP', 590.5],
      ]);
      // The same receivables as without credit: 3,950.00 GBP outstanding, the corporate total unchanged.
      expect(amount(section(element, 'GBP'), '.outstanding').value).toBe(3950);
      expect(amount(root(element).querySelector('.corporate'), '.corporate-outstanding').value).toBe(12935.11);
      expect(section(element, 'AUD')).toBeNull();
    });

    it('is accessible', async () => {
      await expect(element).toBeAccessible();
    });
  });

  it('shows credit when nothing is outstanding, saying nothing is due in its currencies', async () => {
    const element = await renderWith(SUMMARY_EMPTY, ACCOUNT_CREDIT_ONLY);
    expect(root(element).querySelector('.empty-state').textContent).toBe('c.Receivables_Empty');
    const credit = root(element).querySelector('c-account-credit');
    expect(credit.outstanding).toEqual([]);
    const blocks = [...credit.shadowRoot.querySelectorAll('section.credit-currency')];
    expect(blocks.map((block) => block.dataset.currency)).toEqual(['AUD', 'GBP']);
    expect(blocks.map((block) => block.querySelector('.wording').textContent)).toEqual([
      'c.Credit_Held_Nothing_Due',
      'c.Credit_Held_Nothing_Due',
    ]);
    await expect(element).toBeAccessible();
  });

  it('says there is no credit when the customer holds none', async () => {
    const element = await renderWith(SUMMARY);
    const credit = root(element).querySelector('c-account-credit');
    expect(credit.shadowRoot.querySelector('.credit-empty')).not.toBeNull();
  });

  describe('with billing plans', () => {
    it('shows the contracted revenue and next billings the same query read, below the receivables', async () => {
      const element = await renderWith(SUMMARY, ACCOUNT_CONTRACTS);
      const contracts = root(element).querySelector('c-account-contracts');
      expect(contracts).not.toBeNull();
      expect(contracts.planNodes).toHaveLength(3);
      expect(contracts.nextBillingNodes).toHaveLength(5);
      expect([...contracts.shadowRoot.querySelectorAll('.contracted')].map((block) => block.dataset.currency)).toEqual([
        'GBP',
        'USD',
      ]);
      await expect(element).toBeAccessible();
    });

    it('says there is no open plan when there is none', async () => {
      const element = await renderWith(SUMMARY);
      const contracts = root(element).querySelector('c-account-contracts');
      expect(contracts.shadowRoot.querySelector('.contracts-empty')).not.toBeNull();
    });
  });
});
