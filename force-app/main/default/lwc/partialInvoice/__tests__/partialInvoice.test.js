import { createElement } from 'lwc';
import PartialInvoice from 'c/partialInvoice';
import { refreshApex } from '@salesforce/apex';
import getRemainder from '@salesforce/apex/PartialInvoiceController.getRemainder';
import raise from '@salesforce/apex/PartialInvoiceController.raise';
import isLiveRefreshEnabled from '@salesforce/apex/LiveRefreshController.isEnabled';
import { jestMockPublish, subscribe, unsubscribe } from 'lightning/empApi';
import { MODES, partialAmountCents, toCents } from '../partialCalc';

const REMAINDER = require('./data/PartialInvoiceController.getRemainder.json');
const BLOCKED = require('./data/PartialInvoiceController.getRemainder.blocked.json');
const LOAD_ERROR = require('./data/PartialInvoiceController.getRemainder.error.json');
const RAISED = require('./data/PartialInvoiceController.raise.json');
const RAISE_ERROR = require('./data/PartialInvoiceController.raise.error.json');
const SYNC_UPDATES = require('./data/empApi.Sync_Update__e.json');
const CHANNEL = '/event/Sync_Update__e';
// The worked cases the bridge's domain is tested against (partial-invoice.ts).
const CASES = require('../../../../../../bridge-service/src/domain/partial-invoice.cases.json').cases;

jest.mock(
  '@salesforce/apex/PartialInvoiceController.getRemainder',
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
jest.mock('@salesforce/apex/PartialInvoiceController.raise', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), { virtual: true });
jest.mock('@salesforce/i18n/locale', () => ({ default: 'en-GB' }), { virtual: true });
jest.mock(
  '@salesforce/label/c.Partial_Invoice_Preview',
  () => ({ default: '{0} will be invoiced; {1} will remain.' }),
  {
    virtual: true,
  },
);
jest.mock('@salesforce/label/c.Partial_Invoice_Error_Too_Much', () => ({ default: '{0} is more than the {1} left.' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Partial_Invoice_Amount', () => ({ default: 'Amount ({0})' }), { virtual: true });

const OPPORTUNITY_ID = '0065g00000OpPtY1AA';
// eslint-disable-next-line @lwc/lwc/no-async-operation
const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

async function render(remainder = REMAINDER) {
  const element = createElement('c-partial-invoice', { is: PartialInvoice });
  element.recordId = OPPORTUNITY_ID;
  document.body.appendChild(element);
  if (remainder) getRemainder.emit(remainder);
  await flushPromises();
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
async function type(element, selector, value) {
  const input = $(element, selector);
  input.value = value;
  input.dispatchEvent(new CustomEvent('change', { detail: { value } }));
  await flushPromises();
}

describe('partial invoice rules, shared with the domain', () => {
  const check = (c) =>
    partialAmountCents({
      dealValueCents: toCents(c.dealValue),
      remainingCents: toCents(c.remaining),
      mode:
        c.request.kind === 'amount'
          ? MODES.amount
          : c.request.of === 'deal'
            ? MODES.percentOfDeal
            : MODES.percentOfRemaining,
      value: c.request.amount ?? c.request.percent,
    });

  it.each(CASES.filter((c) => !c.error).map((c) => [c.name, c]))('%s', (_name, c) => {
    expect(check(c)).toEqual({ cents: toCents(c.amount) });
  });

  it.each(CASES.filter((c) => c.error).map((c) => [c.name, c]))('%s is refused', (_name, c) => {
    expect(check(c).error).toBe(c.kind);
  });
});

describe('c-partial-invoice', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
  });

  it('shows the deal value, what was invoiced and what remains, in the deal currency', async () => {
    const element = await render();
    expect(getRemainder.getLastConfig()).toEqual({ opportunityId: OPPORTUNITY_ID });
    const value = (selector) => $(element, `${selector} lightning-formatted-number`);
    expect([value('.deal-value').value, value('.invoiced').value, value('.remaining').value]).toEqual([
      12000, 3600, 8400,
    ]);
    expect(value('.remaining').currencyCode).toBe('GBP');
    expect($(element, 'lightning-button.raise').disabled).toBe(true);
    await expect(element).toBeAccessible();
  });

  it('previews 30 % of what remains and sends the request; toast, then a fresh remainder', async () => {
    const element = await render();
    const toasts = [];
    element.addEventListener('lightning__showtoast', (event) => toasts.push(event.detail));
    raise.mockResolvedValue(RAISED);
    await type(element, 'lightning-radio-group.mode', MODES.percentOfRemaining);
    await type(element, 'lightning-input.value', '30');
    await type(element, 'lightning-input.purpose', 'Milestone 2: design sign-off');
    expect($(element, '.preview').textContent).toBe('£2,520.00 will be invoiced; £5,880.00 will remain.');
    expect($(element, 'lightning-button.raise').disabled).toBe(false);

    $(element, 'lightning-button.raise').click();
    await flushPromises();
    expect(raise).toHaveBeenCalledWith({
      opportunityId: OPPORTUNITY_ID,
      mode: 'PERCENT_OF_REMAINING',
      value: 30,
      purpose: 'Milestone 2: design sign-off',
    });
    expect(toasts).toEqual([{ title: 'c.Partial_Invoice_Requested_Title', message: RAISED, variant: 'success' }]);
    expect(refreshApex).toHaveBeenCalledTimes(1);
  });

  it('never sends more than remains: the button stays off and says why', async () => {
    const element = await render();
    await type(element, 'lightning-input.value', '8400.01');
    expect($(element, '.check-error').textContent).toBe('£8,400.01 is more than the £8,400.00 left.');
    expect($(element, 'lightning-button.raise').disabled).toBe(true);
    $(element, 'lightning-button.raise').click();
    await flushPromises();
    expect(raise).not.toHaveBeenCalled();
  });

  it('shows the refusal when the request is refused', async () => {
    const element = await render();
    raise.mockRejectedValue(RAISE_ERROR);
    await type(element, 'lightning-input.value', '100');
    $(element, 'lightning-button.raise').click();
    await flushPromises();
    expect($(element, '.send-error').textContent).toBe(RAISE_ERROR.body.message);
    expect(refreshApex).not.toHaveBeenCalled();
  });

  it('says why nothing can be raised (nothing remains) and offers no form', async () => {
    const element = await render(BLOCKED);
    expect($(element, '.blocked').textContent).toBe(BLOCKED.blockedReason);
    expect($(element, '.request')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('a deal whose first invoice has no currency (a failed closing draft) shows no code rather than crash', async () => {
    const element = await render({
      currencyCode: null,
      dealValue: 12000,
      invoiced: 0,
      remaining: 12000,
      invoiceCount: 1,
    });
    await type(element, 'lightning-input.value', '1000');
    expect($(element, 'lightning-input.value').label).toBe('c.Receivables_Amount');
    expect($(element, '.preview').textContent).toBe('1,000.00 will be invoiced; 11,000.00 will remain.');
    expect($(element, 'lightning-button.raise').disabled).toBe(false);
    // Not in the user's currency either: the figures are plain numbers.
    expect($(element, '.remaining lightning-formatted-number').formatStyle).toBe('decimal');
  });

  describe('live refresh', () => {
    async function renderLive(liveRefresh = true) {
      const element = await render();
      isLiveRefreshEnabled.emit(liveRefresh);
      await flushPromises();
      return element;
    }

    it('reads what remains again when the bridge names this deal (its draft was written, a payment came in)', async () => {
      await renderLive();
      expect(subscribe).toHaveBeenCalledWith(CHANNEL, -1, expect.any(Function));
      await jestMockPublish(CHANNEL, SYNC_UPDATES.thisOpportunity);
      await flushPromises();
      expect(refreshApex).toHaveBeenCalledTimes(1);
    });

    it('ignores updates for other records', async () => {
      await renderLive();
      await jestMockPublish(CHANNEL, SYNC_UPDATES.otherRecord);
      await flushPromises();
      expect(refreshApex).not.toHaveBeenCalled();
    });

    it('unsubscribes when disconnected', async () => {
      const element = await renderLive();
      document.body.removeChild(element);
      await flushPromises();
      expect(unsubscribe).toHaveBeenCalledWith(expect.objectContaining({ channel: CHANNEL }), expect.any(Function));
    });

    it('with live refresh off, never subscribes and reads again on focus', async () => {
      await renderLive(false);
      expect(subscribe).not.toHaveBeenCalled();
      window.dispatchEvent(new CustomEvent('focus'));
      await flushPromises();
      expect(refreshApex).toHaveBeenCalledTimes(1);
    });
  });

  it('shows a load error in words', async () => {
    const element = await render(null);
    getRemainder.error(LOAD_ERROR.body, LOAD_ERROR.status);
    await flushPromises();
    expect($(element, '.load-error').textContent).toContain(LOAD_ERROR.body.message);
  });
});
