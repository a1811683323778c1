import { createElement } from 'lwc';
import OpportunityInvoices from 'c/opportunityInvoices';
import { graphql } from 'lightning/graphql';
import { isEmpEnabled, jestMockPublish, subscribe, unsubscribe } from 'lightning/empApi';
import requestResync from '@salesforce/apex/InvoiceActions.requestResync';
import requestOnlineLink from '@salesforce/apex/InvoiceActions.requestOnlineLink';
import isLiveRefreshEnabled from '@salesforce/apex/LiveRefreshController.isEnabled';

const INVOICES = require('./data/graphql.opportunityInvoices.json');
const NO_INVOICES = require('./data/graphql.opportunityInvoices.empty.json');
const WITH_PLAN = require('./data/graphql.opportunityInvoices.plan.json');
const PLANNED = require('./data/graphql.opportunityInvoices.planned.json');
const LINK_PENDING = require('./data/graphql.opportunityInvoices.linkPending.json');
const QUERY_ERRORS = require('./data/graphql.opportunityInvoices.errors.json');
const SYNC_UPDATES = require('./data/empApi.Sync_Update__e.json');
const RESYNC_ERROR = require('./data/InvoiceActions.requestResync.error.json');

jest.mock('@salesforce/apex/InvoiceActions.requestResync', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/InvoiceActions.requestOnlineLink', () => ({ default: jest.fn() }), { virtual: true });
jest.mock(
  '@salesforce/apex/LiveRefreshController.isEnabled',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
// Labels with placeholders get their real text, so the numbers they carry can be checked.
jest.mock('@salesforce/label/c.Invoice_Days_Overdue', () => ({ default: '{0} days overdue' }), { virtual: true });
jest.mock('@salesforce/label/c.Sync_Retry_Requested_Message', () => ({ default: '{0} will be sent to Xero again.' }), {
  virtual: true,
});
jest.mock(
  '@salesforce/label/c.Invoice_Customer_Link_Requested_Message',
  () => ({ default: 'The customer link for {0} appears on the invoice in a few seconds.' }),
  { virtual: true },
);
jest.mock(
  '@salesforce/label/c.Invoices_Newest_Only',
  () => ({ default: 'The list and the totals are of the newest {0} invoices only.' }),
  { virtual: true },
);
jest.mock('@salesforce/label/c.Invoice_Customer_Link_Get_Title', () => ({ default: 'Ask Xero for the link of {0}' }), {
  virtual: true,
});

const OPPORTUNITY_ID = '0065g00000OpPtY1AA';
const CHANNEL = '/event/Sync_Update__e';
const NOW = new Date('2026-11-27T18:00:00Z'); // 27 Nov 2026, 10:00 in the test user's zone (America/Los_Angeles)

// A macrotask lets every pending promise chain (empApi, Apex, refresh) settle.
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
async function focusWindow() {
  window.dispatchEvent(new CustomEvent('focus'));
  await flushPromises();
}

function render() {
  const element = createElement('c-opportunity-invoices', { is: OpportunityInvoices });
  element.recordId = OPPORTUNITY_ID;
  document.body.appendChild(element);
  return element;
}

const root = (element) => element.shadowRoot;
const details = (element) => [...root(element).querySelectorAll('c-invoice-detail')];
const detailFor = (element, number) =>
  details(element).find((detail) => detail.shadowRoot.querySelector('h3').textContent === number);
const badgeOf = (detail) => detail.shadowRoot.querySelector('c-invoice-status-badge').shadowRoot.querySelector('span');
const toggleOf = (detail) => detail.shadowRoot.querySelector('button.toggle');
async function expand(detail) {
  toggleOf(detail).click();
  await Promise.resolve();
}
const amountOf = (detail, key) => detail.shadowRoot.querySelector(`lightning-formatted-number.amount-${key}`);

describe('c-opportunity-invoices', () => {
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

  it('shows a spinner until the query answers', () => {
    const element = render();
    expect(root(element).querySelector('lightning-spinner')).not.toBeNull();
  });

  it('queries the invoices of this opportunity', async () => {
    const element = render();
    await flushPromises();
    expect(graphql.getLastConfig().variables).toEqual({ recordId: OPPORTUNITY_ID });
    expect(element.recordId).toBe(OPPORTUNITY_ID);
  });

  describe('with no invoices', () => {
    it('says what will happen', async () => {
      const element = render();
      graphql.emit(NO_INVOICES);
      await flushPromises();
      const empty = root(element).querySelector('.empty-state');
      expect(empty.textContent).toContain('c.Invoices_Empty_Title');
      expect(empty.textContent).toContain('c.Invoices_Empty_Help');
      expect(details(element)).toHaveLength(0);
    });

    it('is accessible', async () => {
      const element = render();
      graphql.emit(NO_INVOICES);
      await flushPromises();
      await expect(element).toBeAccessible();
    });
  });

  describe('with invoices in several currencies', () => {
    let element;
    beforeEach(async () => {
      element = render();
      graphql.emit(INVOICES);
      await flushPromises();
    });

    it('shows every invoice, newest first as queried', () => {
      const titles = details(element).map((detail) => detail.shadowRoot.querySelector('h3').textContent);
      expect(titles).toEqual(['INV-0101', 'INV-0102', 'INV-0099', 'INV-0097', 'INV-0096', 'INV-000103']);
    });

    it('labels every figure', () => {
      for (const detail of details(element)) {
        const terms = [...detail.shadowRoot.querySelectorAll('dt')].map((dt) => dt.textContent);
        expect(terms.every((term) => term.startsWith('c.'))).toBe(true);
      }
      const terms = [...detailFor(element, 'INV-0101').shadowRoot.querySelectorAll('dt')].map((dt) => dt.textContent);
      expect(terms).toEqual([
        'c.Invoice_Total',
        'c.Invoice_Paid',
        'c.Invoice_Credited',
        'c.Invoice_Amount_Due',
        'c.Invoice_Due_Date',
        'c.Invoice_Approval',
      ]);
    });

    it('formats every amount in its invoice currency', () => {
      const nz = detailFor(element, 'INV-0101');
      const au = detailFor(element, 'INV-0102');
      expect(amountOf(nz, 'total').currencyCode).toBe('NZD');
      expect(amountOf(nz, 'total').value).toBe(11500);
      expect(amountOf(au, 'due').currencyCode).toBe('AUD');
      expect(amountOf(au, 'due').value).toBe(2200);
    });

    it('totals per currency without mixing currencies or showing float noise', () => {
      const sections = [...root(element).querySelectorAll('section.currency-total')];
      expect(sections.map((section) => section.dataset.currency)).toEqual(['AUD', 'GBP', 'NZD']);
      const nzd = sections[2];
      const figure = (key) => nzd.querySelector(`.figure-${key} lightning-formatted-number`);
      expect(figure('invoiced').value).toBe(12500.2); // voided INV-0096 left out, draft counted apart
      expect(figure('paid').value).toBe(6000.2);
      expect(figure('due').value).toBe(6000);
      expect(figure('draft').value).toBe(3450.1);
      expect(figure('invoiced').currencyCode).toBe('NZD');
      const aud = sections[0];
      expect(aud.querySelector('.figure-overdue').classList).toContain('slds-text-color_error');
    });

    it('shows what was credited, so invoiced = paid + credited + due adds up; no Credited figure where none was', () => {
      const sections = [...root(element).querySelectorAll('section.currency-total')];
      const figures = (section) =>
        Object.fromEntries(
          [...section.querySelectorAll('.cell')].map((cell) => [
            cell.querySelector('dt').textContent,
            cell.querySelector('lightning-formatted-number').value,
          ]),
        );
      const [aud, gbp, nzd] = sections.map(figures);
      expect(nzd).toEqual({
        'c.Invoice_Totals_Invoiced': 12500.2,
        'c.Invoice_Paid': 6000.2,
        'c.Invoice_Credited': 500,
        'c.Invoice_Amount_Due': 6000,
        'c.Invoice_Totals_Draft': 3450.1,
      });
      expect(gbp['c.Invoice_Credited']).toBe(1200);
      expect(aud).not.toHaveProperty('c.Invoice_Credited');
    });

    it('says nothing of a page limit when the query read every invoice', () => {
      expect(root(element).querySelector('.newest-only')).toBeNull();
    });

    it('shows a partially paid invoice with its payment', () => {
      const detail = detailFor(element, 'INV-0101');
      expect(badgeOf(detail).dataset.status).toBe('partiallyPaid');
      const payments = detail.shadowRoot.querySelectorAll('li.payment');
      expect(payments).toHaveLength(1);
      expect(payments[0].textContent).toContain('ACME PO 7781 part 1');
      expect(detail.shadowRoot.querySelector('.days-overdue')).toBeNull();
      // 500 of account credit from CN-0014 applied here; the deleted allocation is left out
      const credits = detail.shadowRoot.querySelectorAll('li.applied-credit');
      expect(credits).toHaveLength(1);
      expect(credits[0].textContent).toContain('c.Credit_Applied_From');
      expect(credits[0].querySelector('lightning-formatted-number').value).toBe(500);
      expect(detail.shadowRoot.querySelector('a.xero-link').href).toBe(
        'https://in.xero.com/Invoices/View/9c1e6c2a-0101',
      );
    });

    it('shows an overdue invoice with its days overdue', () => {
      const detail = detailFor(element, 'INV-0102');
      expect(badgeOf(detail).dataset.status).toBe('overdue');
      expect(detail.shadowRoot.querySelector('.days-overdue').textContent).toBe('43 days overdue');
      expect(detail.shadowRoot.querySelector('lightning-formatted-date-time.due-date').value).toBe('2026-10-15');
    });

    it('shows a voided invoice as voided', () => {
      const detail = detailFor(element, 'INV-0096');
      expect(badgeOf(detail).dataset.status).toBe('voided');
      expect(detail.shadowRoot.querySelector('a.xero-link')).toBeNull();
    });

    it('starts settled invoices collapsed and open ones expanded', async () => {
      const expanded = (number) => toggleOf(detailFor(element, number)).getAttribute('aria-expanded');
      expect(['INV-0101', 'INV-0102', 'INV-0099', 'INV-0097', 'INV-0096', 'INV-000103'].map(expanded)).toEqual([
        'true',
        'true',
        'false',
        'false',
        'false',
        'true',
      ]);
      const paid = detailFor(element, 'INV-0097');
      expect(paid.shadowRoot.querySelector('.collapsed-summary lightning-formatted-number').value).toBe(1000.2);
      expect(paid.shadowRoot.querySelector('dl.figures')).toBeNull();
      await expand(paid);
      expect(toggleOf(paid).getAttribute('aria-expanded')).toBe('true');
      expect(paid.shadowRoot.querySelector('dl.figures')).not.toBeNull();
      await expand(detailFor(element, 'INV-0101'));
      expect(expanded('INV-0101')).toBe('false');
    });

    it('shows a credited invoice with its credit note and allocation', async () => {
      const detail = detailFor(element, 'INV-0099');
      await expand(detail);
      expect(badgeOf(detail).dataset.status).toBe('credited');
      expect(amountOf(detail, 'credited').value).toBe(1200);
      const note = detail.shadowRoot.querySelector('li.credit-note');
      expect(note.textContent).toContain('CN-0012');
      const allocation = note.querySelector('li.allocation');
      expect(allocation.textContent).toContain('c.Credit_Allocated_To_This_Invoice');
      expect(allocation.querySelector('lightning-formatted-number').value).toBe(1200);
      // the same allocation seen from the invoice is not listed twice
      expect(detail.shadowRoot.querySelectorAll('li.applied-credit')).toHaveLength(0);
    });

    it('leaves reversed payments out', async () => {
      const detail = detailFor(element, 'INV-0097');
      await expand(detail);
      expect(detail.shadowRoot.querySelectorAll('li.payment')).toHaveLength(2);
      expect(detail.shadowRoot.textContent).not.toContain('Duplicate, reversed');
    });

    it('shows a draft waiting for approval and still syncing', () => {
      const detail = detailFor(element, 'INV-000103');
      expect(badgeOf(detail).dataset.status).toBe('awaitingApproval');
      expect(detail.shadowRoot.querySelector('[data-approval]').textContent).toBe('c.Approval_Status_Pending');
      expect(detail.shadowRoot.querySelector('.sync').dataset.sync).toBe('Pending');
      expect(detail.shadowRoot.textContent).toContain('c.Sync_Status_Pending');
    });

    it('explains a sync error in plain words and offers Retry', () => {
      const detail = detailFor(element, 'INV-0102');
      expect(detail.shadowRoot.querySelector('.sync-problem').textContent).toBe('c.Sync_Error_Rejected');
      expect(detail.shadowRoot.querySelector('.sync-message').textContent).toContain("Account code '4000'");
      const retry = detail.shadowRoot.querySelector('lightning-button.retry');
      expect(retry.label).toBe('c.Sync_Retry');
      expect(detailFor(element, 'INV-0101').shadowRoot.querySelector('lightning-button.retry')).toBeNull();
    });

    it('is accessible', async () => {
      await expect(element).toBeAccessible();
    });
  });

  it('keeps a settled invoice with a sync error expanded', async () => {
    const data = JSON.parse(JSON.stringify(INVOICES));
    const paid = data.uiapi.query.Invoice__c.edges[3].node;
    paid.Sync_Status__c.value = 'Error';
    paid.Sync_Message__c.value = 'Xero API 401: token expired';
    const element = render();
    graphql.emit(data);
    await flushPromises();
    const detail = detailFor(element, 'INV-0097');
    expect(toggleOf(detail).getAttribute('aria-expanded')).toBe('true');
    expect(detail.shadowRoot.querySelector('.sync-problem').textContent).toBe('c.Sync_Error_Connection');
  });

  it("shows a synced draft's notes for finance as a note, not an error (a line billed at its Total Price)", async () => {
    const data = JSON.parse(JSON.stringify(INVOICES));
    const draft = data.uiapi.query.Invoice__c.edges[5].node;
    const note =
      'Check before approving:\nline 1 (Seats): its Total Price 10000.00 is not 300 × 33.33 (9999.00); sent to Xero as 1 × 10000.00, the quantity and price in its description';
    draft.Sync_Status__c.value = 'Synced';
    draft.Sync_Message__c.value = note;
    const element = render();
    graphql.emit(data);
    await flushPromises();
    const detail = detailFor(element, 'INV-000103');
    expect(detail.shadowRoot.querySelector('.sync').dataset.sync).toBe('Synced');
    expect(detail.shadowRoot.textContent).toContain('c.Sync_Status_Synced');
    const shown = detail.shadowRoot.querySelector('.sync-note');
    expect(shown).not.toBeNull();
    expect(shown.querySelector('.sync-note-text').textContent).toBe(note);
    expect(shown.querySelector('lightning-icon').iconName).toBe('utility:info');
    expect(shown.querySelector('lightning-icon').variant).not.toBe('error');
    // Not an error: no error box, no Retry.
    expect(detail.shadowRoot.querySelector('.sync-error')).toBeNull();
    expect(detail.shadowRoot.querySelector('lightning-button.retry')).toBeNull();
    // A synced invoice with nothing to say shows no note.
    expect(detailFor(element, 'INV-0101').shadowRoot.querySelector('.sync-note')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('says the list and the totals are of the newest 50 when the deal has more invoices (a 5-year monthly deal)', async () => {
    const more = JSON.parse(JSON.stringify(INVOICES));
    more.uiapi.query.Invoice__c.pageInfo.hasNextPage = true;
    const element = render();
    graphql.emit(more);
    await flushPromises();
    const note = root(element).querySelector('.newest-only');
    expect(note.textContent).toBe('The list and the totals are of the newest 50 invoices only.');
    // Said where the totals are, before them.
    expect(note.compareDocumentPosition(root(element).querySelector('.totals'))).toBe(Node.DOCUMENT_POSITION_FOLLOWING);
    await expect(element).toBeAccessible();
  });

  describe('when the query fails', () => {
    it('shows the error', async () => {
      const element = render();
      graphql.emitErrors(QUERY_ERRORS);
      await flushPromises();
      const error = root(element).querySelector('.load-error');
      expect(error.textContent).toContain('c.Invoices_Load_Error');
      expect(error.textContent).toContain("Field 'Invoice__c' in type 'Query' is undefined");
      expect(details(element)).toHaveLength(0);
    });

    it('is accessible', async () => {
      const element = render();
      graphql.emitErrors(QUERY_ERRORS);
      await flushPromises();
      await expect(element).toBeAccessible();
    });
  });

  describe('Retry', () => {
    async function renderAndRetry() {
      const element = render();
      const refresh = jest.fn(() => Promise.resolve());
      graphql.emit(INVOICES, undefined, refresh);
      await flushPromises();
      const toasts = [];
      element.addEventListener('lightning__showtoast', (event) => toasts.push(event.detail));
      const detail = detailFor(element, 'INV-0102');
      detail.shadowRoot.querySelector('lightning-button.retry').click();
      return { element, refresh, toasts, detail };
    }

    it('asks for a resync, says so and refreshes', async () => {
      requestResync.mockResolvedValue(undefined);
      const { refresh, toasts, detail } = await renderAndRetry();
      await Promise.resolve();
      expect(detail.shadowRoot.querySelector('lightning-button.retry').disabled).toBe(true);
      await flushPromises();
      expect(requestResync).toHaveBeenCalledWith({ invoiceId: 'a0B5g00000AbCd2EAF' });
      expect(toasts).toEqual([
        expect.objectContaining({ variant: 'success', message: 'INV-0102 will be sent to Xero again.' }),
      ]);
      expect(refresh).toHaveBeenCalledTimes(1);
      expect(detail.shadowRoot.querySelector('lightning-button.retry').disabled).toBe(false);
    });

    it("shows Apex's own words when it has them: in read-only mode the request waits", async () => {
      const waits =
        'Queued for Xero. Ledgerline is in read-only mode, so INV-0102 is sent when your Salesforce admin turns read-only mode off.';
      requestResync.mockResolvedValue(waits);
      const { toasts } = await renderAndRetry();
      await flushPromises();
      expect(toasts).toEqual([expect.objectContaining({ variant: 'success', message: waits })]);
    });

    it('shows why a resync could not be requested', async () => {
      requestResync.mockRejectedValue(RESYNC_ERROR);
      const { refresh, toasts } = await renderAndRetry();
      await flushPromises();
      expect(toasts).toEqual([
        expect.objectContaining({
          variant: 'error',
          title: 'c.Sync_Retry_Failed',
          message: 'You do not have permission to send invoice requests to Xero.',
        }),
      ]);
      expect(refresh).not.toHaveBeenCalled();
    });
  });

  describe('Get customer link', () => {
    const LINKED = 'https://in.xero.com/Invoices/View/9c1e6c2a-0105';
    const SAID = 'Asked Xero for the customer link of INV-000105. It appears on the invoice in a few seconds.';
    const requestLinkOf = (detail) => detail.shadowRoot.querySelector('lightning-button.request-link');

    async function renderPending() {
      const element = render();
      const refresh = jest.fn(() => Promise.resolve());
      graphql.emit(LINK_PENDING, undefined, refresh);
      isLiveRefreshEnabled.emit(true);
      await flushPromises();
      const toasts = [];
      element.addEventListener('lightning__showtoast', (event) => toasts.push(event.detail));
      return { element, refresh, toasts, detail: detailFor(element, 'INV-0105') };
    }

    it('is offered on an authorised invoice without a link, and nowhere a link is shown or Xero has none', async () => {
      const { element, detail } = await renderPending();
      const button = requestLinkOf(detail);
      expect(button.label).toBe('c.Invoice_Customer_Link_Get');
      expect(button.title).toBe('Ask Xero for the link of INV-0105');
      expect(detail.shadowRoot.querySelector('a.xero-link')).toBeNull();
      // a draft: Xero has no online invoice for it
      expect(requestLinkOf(detailFor(element, 'INV-000103'))).toBeNull();
      // a paid invoice with its link: the link, no button
      const paid = detailFor(element, 'INV-0097');
      await expand(paid);
      expect(paid.shadowRoot.querySelector('a.xero-link').href).toBe('https://in.xero.com/Invoices/View/9c1e6c2a-0097');
      expect(requestLinkOf(paid)).toBeNull();
      await expect(element).toBeAccessible();
    });

    it('is not offered on the usual card: every approved invoice there has its link, the voided one has none to get', async () => {
      const element = render();
      graphql.emit(INVOICES);
      await flushPromises();
      const collapsed = details(element).filter((detail) => toggleOf(detail).getAttribute('aria-expanded') === 'false');
      collapsed.forEach((detail) => toggleOf(detail).click());
      await Promise.resolve();
      for (const detail of details(element)) {
        expect(detail.shadowRoot.querySelector('.sync')).not.toBeNull(); // the body is open
        expect(requestLinkOf(detail)).toBeNull();
      }
    });

    it('asks Apex for the link, says it appears in a few seconds, and shows it when the bridge has written it', async () => {
      requestOnlineLink.mockResolvedValue(SAID);
      const { element, refresh, toasts, detail } = await renderPending();
      requestLinkOf(detail).click();
      await Promise.resolve();
      expect(requestLinkOf(detail).disabled).toBe(true);
      await flushPromises();
      expect(requestOnlineLink).toHaveBeenCalledWith({ invoiceId: 'a0B5g00000AbCd7EAF' });
      expect(toasts).toEqual([
        expect.objectContaining({ variant: 'success', title: 'c.Invoice_Customer_Link_Requested', message: SAID }),
      ]);
      expect(requestLinkOf(detail)).toBeNull();
      expect(detail.shadowRoot.querySelector('.link-pending').textContent).toContain('c.Invoice_Customer_Link_Pending');
      await expect(element).toBeAccessible();
      // The bridge writes the link and publishes Sync_Update__e naming the invoice: the card reads again.
      await jestMockPublish(CHANNEL, SYNC_UPDATES.customerLinkWritten);
      expect(refresh).toHaveBeenCalledTimes(1);
      const linked = JSON.parse(JSON.stringify(LINK_PENDING));
      linked.uiapi.query.Invoice__c.edges[0].node.Online_Invoice_URL__c.value = LINKED;
      graphql.emit(linked);
      await flushPromises();
      const now = detailFor(element, 'INV-0105');
      expect(now.shadowRoot.querySelector('a.xero-link').href).toBe(LINKED);
      expect(now.shadowRoot.querySelector('.link-pending')).toBeNull();
      expect(requestLinkOf(now)).toBeNull();
    });

    it('falls back to its own words when Apex says nothing', async () => {
      requestOnlineLink.mockResolvedValue(undefined);
      const { toasts, detail } = await renderPending();
      requestLinkOf(detail).click();
      await flushPromises();
      expect(toasts).toEqual([
        expect.objectContaining({
          variant: 'success',
          message: 'The customer link for INV-0105 appears on the invoice in a few seconds.',
        }),
      ]);
    });

    it('shows why the link could not be asked for, and offers the button again', async () => {
      requestOnlineLink.mockRejectedValue(RESYNC_ERROR);
      const { toasts, detail } = await renderPending();
      requestLinkOf(detail).click();
      await flushPromises();
      expect(toasts).toEqual([
        expect.objectContaining({
          variant: 'error',
          mode: 'sticky',
          title: 'c.Invoice_Customer_Link_Failed',
          message: 'You do not have permission to send invoice requests to Xero.',
        }),
      ]);
      expect(requestLinkOf(detail).disabled).toBe(false);
      expect(detail.shadowRoot.querySelector('.link-pending')).toBeNull();
    });
  });

  describe('live refresh', () => {
    async function renderSubscribed({ liveRefresh = true } = {}) {
      const element = render();
      const refresh = jest.fn(() => Promise.resolve());
      graphql.emit(INVOICES, undefined, refresh);
      if (liveRefresh instanceof Error) isLiveRefreshEnabled.error(liveRefresh);
      else isLiveRefreshEnabled.emit(liveRefresh);
      await flushPromises();
      return { element, refresh };
    }

    it('subscribes to Sync_Update__e when connected', async () => {
      await renderSubscribed();
      expect(subscribe).toHaveBeenCalledWith(CHANNEL, -1, expect.any(Function));
    });

    it('subscribes only once the setting says live refresh is on', async () => {
      render();
      graphql.emit(INVOICES);
      await flushPromises();
      expect(subscribe).not.toHaveBeenCalled();
      isLiveRefreshEnabled.emit(true);
      await flushPromises();
      expect(subscribe).toHaveBeenCalledTimes(1);
    });

    it('refreshes when an update names this opportunity', async () => {
      const { refresh } = await renderSubscribed();
      await jestMockPublish(CHANNEL, SYNC_UPDATES.thisOpportunity);
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('refreshes when an update names one of its invoices by a 15-character id', async () => {
      const { refresh } = await renderSubscribed();
      await jestMockPublish(CHANNEL, SYNC_UPDATES.thisInvoiceOnly);
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('ignores updates for other records', async () => {
      const { refresh } = await renderSubscribed();
      await jestMockPublish(CHANNEL, SYNC_UPDATES.otherRecord);
      expect(refresh).not.toHaveBeenCalled();
    });

    it('refreshes from the refresh button', async () => {
      const { element, refresh } = await renderSubscribed();
      root(element).querySelector('lightning-button-icon.refresh').click();
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('unsubscribes when disconnected', async () => {
      const { element } = await renderSubscribed();
      document.body.removeChild(element);
      await flushPromises();
      expect(unsubscribe).toHaveBeenCalledWith(expect.objectContaining({ channel: CHANNEL }), expect.any(Function));
    });

    it('unsubscribes while the page is hidden, and subscribes and reads again once when it is shown', async () => {
      const { refresh } = await renderSubscribed();
      await setVisibility('hidden');
      expect(unsubscribe).toHaveBeenCalledTimes(1);
      expect(await jestMockPublish(CHANNEL, SYNC_UPDATES.thisOpportunity)).toBe(false); // nobody listening
      expect(refresh).not.toHaveBeenCalled();
      await setVisibility('visible');
      await focusWindow(); // a tab coming back gets focus too: still one refresh
      expect(subscribe).toHaveBeenCalledTimes(2);
      expect(refresh).toHaveBeenCalledTimes(1);
      await jestMockPublish(CHANNEL, SYNC_UPDATES.thisOpportunity);
      expect(refresh).toHaveBeenCalledTimes(2);
    });

    it('does not subscribe from a page opened in a background tab until it is shown', async () => {
      visibility = 'hidden';
      const { refresh } = await renderSubscribed();
      expect(subscribe).not.toHaveBeenCalled();
      await setVisibility('visible');
      expect(subscribe).toHaveBeenCalledTimes(1);
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('does not read again on focus while it has been listening all along', async () => {
      const { refresh } = await renderSubscribed();
      await focusWindow();
      expect(refresh).not.toHaveBeenCalled();
    });

    it('with live refresh off, never subscribes and reads again on focus and when shown', async () => {
      const { refresh } = await renderSubscribed({ liveRefresh: false });
      expect(subscribe).not.toHaveBeenCalled();
      await focusWindow();
      expect(refresh).toHaveBeenCalledTimes(1);
      jest.setSystemTime(new Date(NOW.getTime() + 60000));
      await setVisibility('hidden');
      await setVisibility('visible');
      expect(refresh).toHaveBeenCalledTimes(2);
      expect(subscribe).not.toHaveBeenCalled();
    });

    it('treats an unreadable setting as off', async () => {
      const { refresh } = await renderSubscribed({ liveRefresh: new Error('no access to LiveRefreshController') });
      expect(subscribe).not.toHaveBeenCalled();
      await focusWindow();
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('falls back to reading again on focus where streaming is unavailable', async () => {
      isEmpEnabled.mockResolvedValueOnce(false);
      const { refresh } = await renderSubscribed();
      await focusWindow();
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('stops listening to the page and window when disconnected', async () => {
      const { element, refresh } = await renderSubscribed({ liveRefresh: false });
      document.body.removeChild(element);
      await focusWindow();
      await setVisibility('hidden');
      await setVisibility('visible');
      expect(refresh).not.toHaveBeenCalled();
    });
  });

  describe('with a billing plan', () => {
    it('shows the plan above the invoices it raised, read and refreshed by the same query', async () => {
      const element = render();
      const refresh = jest.fn(() => Promise.resolve());
      graphql.emit(WITH_PLAN, undefined, refresh);
      await flushPromises();
      const plan = root(element).querySelector('c-billing-plan');
      expect(plan).not.toBeNull();
      expect(plan.planNode.Name.value).toBe('BP-000042');
      // The plan comes first, then the invoices.
      const body = root(element).querySelector('c-billing-plan').parentElement;
      expect([...body.children].map((child) => child.tagName.toLowerCase())[0]).toBe('c-billing-plan');
      expect(details(element).map((detail) => detail.shadowRoot.querySelector('h3').textContent)).toEqual([
        'INV-0188',
        'INV-0142',
        'INV-0101',
      ]);
      root(element).querySelector('lightning-button-icon.refresh').click();
      await flushPromises();
      expect(refresh).toHaveBeenCalledTimes(1);
    });

    it('before the first invoice, says when the plan raises it instead of waiting for the deal to close', async () => {
      const element = render();
      graphql.emit(PLANNED);
      await flushPromises();
      const empty = root(element).querySelector('.empty-state');
      expect(empty.textContent).toContain('c.Invoices_Planned_Title');
      expect(empty.querySelector('.planned-help').textContent).toContain('c.Invoices_Planned_Help');
      expect(empty.querySelector('.planned-help lightning-formatted-date-time').value).toBe('2025-01-01');
      expect(empty.textContent).not.toContain('c.Invoices_Empty_Help');
      expect(root(element).querySelector('c-billing-plan')).not.toBeNull();
      await expect(element).toBeAccessible();
    });

    it('shows no plan section for a deal without one', async () => {
      const element = render();
      graphql.emit(NO_INVOICES);
      await flushPromises();
      expect(root(element).querySelector('c-billing-plan')).toBeNull();
    });
  });
});
