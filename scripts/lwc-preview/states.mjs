// Every state the preview renders, built from the SAME fixtures the Jest tests use
// (force-app/main/default/lwc/<component>/__tests__/data/), so the pictures show exactly what the tests assert.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const LWC = path.resolve(import.meta.dirname, '../../force-app/main/default/lwc');
const fixture = (component, file) =>
  JSON.parse(readFileSync(path.join(LWC, component, '__tests__', 'data', file), 'utf8'));

/** The moment every state is rendered at, as in the Jest tests: 27 Nov 2026, 10:00 in Los Angeles. */
export const NOW = '2026-11-27T18:00:00Z';
export const TIME_ZONE = 'America/Los_Angeles';

const OPPORTUNITY_ID = '0065g00000OpPtY1AA';
const ACCOUNT_ID = '0015g00000AcCt01AA';
const SIDEBAR = 400; // a record page sidebar column
const PHONE = 375; // the Salesforce mobile app on a small phone

const opp = (file) => fixture('opportunityInvoices', file);
/** The worked status cases the domain and the badge are both tested against. */
const STATUS_CASES = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../../bridge-service/src/domain/receivables.cases.json'), 'utf8'),
).displayStatus;
const acct = (file) => fixture('accountReceivables', file);
const oppEvents = opp('empApi.Sync_Update__e.json');
const acctEvents = acct('empApi.Sync_Update__e.json');

const review = (file) => fixture('contactMatchReview', file);
const cockpitData = (name) => ({ data: fixture('financeCockpit', `FinanceCockpitController.getCockpit.${name}.json`) });
const DESKTOP = 1200; // the main region of a Lightning app page on a laptop

/** The finance cockpit, answering per scope as FinanceCockpitController does (fixtures computed by the domain). */
const cockpit = (state) => ({
  component: 'c-finance-cockpit',
  width: DESKTOP,
  waitFor: '.tiles',
  locale: 'en-GB',
  timeZone: 'Europe/London',
  apex: {
    'FinanceCockpitController.getCockpit': {
      byParam: { name: 'scope', answers: { GROUP: cockpitData('group'), UK_Ltd: cockpitData('entity') } },
    },
  },
  ...state,
});
const cockpitStates = (state) => [
  cockpit(state),
  cockpit({ ...state, name: `${state.name}-phone`, title: `${state.title}, on a phone`, width: PHONE, phone: true }),
];
const PICK_UK = [{ select: ['select', 'UK_Ltd'] }, { waitFor: '.tiles' }];
const partial = (file) => fixture('partialInvoice', file);

const matchReview = (state) => ({
  component: 'c-contact-match-review',
  recordId: ACCOUNT_ID,
  width: SIDEBAR,
  waitFor: 'section.review',
  apex: {
    'ContactMatchController.getReviews': { data: review('ContactMatchController.getReviews.json') },
    'ContactMatchController.decide': { data: review('ContactMatchController.decide.json') },
  },
  ...state,
});

const partialInvoice = (state) => ({
  component: 'c-partial-invoice',
  recordId: OPPORTUNITY_ID,
  width: SIDEBAR,
  waitFor: 'dd.remaining',
  locale: 'en-GB',
  apex: {
    'PartialInvoiceController.getRemainder': { data: partial('PartialInvoiceController.getRemainder.json') },
    'PartialInvoiceController.raise': { data: partial('PartialInvoiceController.raise.json') },
  },
  ...state,
});

const opportunity = (state) => ({
  component: 'c-opportunity-invoices',
  recordId: OPPORTUNITY_ID,
  width: SIDEBAR,
  waitFor: 'c-invoice-detail',
  graphql: { opportunityInvoices: { data: opp('graphql.opportunityInvoices.json') } },
  apex: { 'InvoiceActions.requestResync': { data: null }, 'LiveRefreshController.isEnabled': { data: true } },
  ...state,
});

const account = (state) => ({
  component: 'c-account-receivables',
  recordId: ACCOUNT_ID,
  width: SIDEBAR,
  waitFor: 'section.currency',
  apex: {
    'ReceivablesController.getSummary': { data: acct('ReceivablesController.getSummary.json') },
    'LiveRefreshController.isEnabled': { data: true },
  },
  graphql: { accountReceivables: { data: acct('graphql.accountReceivables.json') } },
  ...state,
});

export const STATES = [
  {
    name: 'status-badges',
    title: 'Every status badge: its own SLDS theme and icon, in words (the worked cases in receivables.cases.json)',
    component: 'badges',
    width: SIDEBAR,
    waitFor: 'c-invoice-status-badge',
    badges: STATUS_CASES.map((worked) => ({
      caption: worked.name,
      today: worked.today,
      invoice: {
        status: worked.status,
        approvalStatus: worked.approvalStatus,
        dueDate: worked.dueDate,
        amountPaid: worked.xero.amountPaid,
        amountCredited: worked.xero.amountCredited,
        amountDue: worked.xero.amountDue,
      },
    })),
  },
  opportunity({
    name: 'opportunity-invoices',
    title: 'Several currencies: partially paid + credit, overdue + sync error, credited, paid, voided, draft',
  }),
  opportunity({
    name: 'opportunity-invoices-expanded',
    title: 'Settled invoices (paid, credited, voided) opened with their toggle',
    action: 'expand',
  }),
  opportunity({ name: 'opportunity-invoices-phone', title: 'The same invoices on a phone', width: PHONE, phone: true }),
  opportunity({
    name: 'opportunity-invoices-wide',
    title: 'The same invoices in the main column',
    width: 760,
  }),
  opportunity({
    name: 'opportunity-no-invoices',
    title: 'No invoices yet',
    graphql: { opportunityInvoices: { data: opp('graphql.opportunityInvoices.empty.json') } },
    waitFor: '.empty-state',
  }),
  opportunity({
    name: 'opportunity-wire-error',
    title: 'The GraphQL query failed',
    graphql: { opportunityInvoices: { errors: opp('graphql.opportunityInvoices.errors.json') } },
    waitFor: '.load-error',
  }),
  opportunity({
    name: 'opportunity-loading',
    title: 'Waiting for the query',
    graphql: {},
    waitFor: 'lightning-spinner',
  }),
  opportunity({
    name: 'opportunity-retry',
    title: 'Retry clicked on INV-0102: RESYNC requested, toast shown, list refreshed',
    action: 'retry',
  }),
  opportunity({
    name: 'opportunity-retry-refused',
    title: 'Retry clicked, but the request was refused',
    apex: {
      'InvoiceActions.requestResync': { error: opp('InvoiceActions.requestResync.error.json') },
      'LiveRefreshController.isEnabled': { data: true },
    },
    action: 'retry',
  }),
  opportunity({
    name: 'opportunity-customer-link',
    title: 'An authorised invoice without its customer link: Get customer link (Xero is read on request only)',
    graphql: { opportunityInvoices: { data: opp('graphql.opportunityInvoices.linkPending.json') } },
  }),
  opportunity({
    name: 'opportunity-customer-link-requested',
    title: 'Get customer link clicked on INV-0105: requested, toast shown, the link appears there in a few seconds',
    graphql: { opportunityInvoices: { data: opp('graphql.opportunityInvoices.linkPending.json') } },
    apex: {
      'InvoiceActions.requestOnlineLink': {
        data: 'Asked Xero for the customer link of INV-000105. It appears on the invoice in a few seconds.',
      },
      'LiveRefreshController.isEnabled': { data: true },
    },
    steps: [{ click: 'lightning-button.request-link button' }, { waitFor: '#toasts .slds-notify' }],
  }),
  opportunity({
    name: 'opportunity-sync-update-this-record',
    title: 'Sync_Update__e naming this opportunity arrives: refreshed',
    events: [oppEvents.thisOpportunity],
    action: 'events',
  }),
  opportunity({
    name: 'opportunity-hidden-then-shown',
    title: 'Live refresh on: the tab was hidden (unsubscribed) and shown again: resubscribed, refreshed once',
    action: 'hide-show',
  }),
  opportunity({
    name: 'opportunity-live-refresh-off-focus',
    title: 'Live refresh off (Live_Refresh__c): no subscription; the window got focus: refreshed once',
    apex: { 'InvoiceActions.requestResync': { data: null }, 'LiveRefreshController.isEnabled': { data: false } },
    action: 'focus',
  }),
  opportunity({
    name: 'opportunity-sync-update-other-record',
    title: 'Sync_Update__e for another record arrives: ignored',
    events: [oppEvents.otherRecord],
    action: 'events',
  }),
  opportunity({
    name: 'opportunity-billing-plan',
    title: 'A 3-year deal billed annually, upsold and partly cancelled: its plan above the invoices it raised',
    graphql: { opportunityInvoices: { data: opp('graphql.opportunityInvoices.plan.json') } },
    waitFor: 'c-billing-plan',
    locale: 'en-GB',
  }),
  opportunity({
    name: 'opportunity-billing-plan-replaced',
    title: 'The same plan with the instalments the changes replaced shown',
    graphql: { opportunityInvoices: { data: opp('graphql.opportunityInvoices.plan.json') } },
    waitFor: 'c-billing-plan',
    locale: 'en-GB',
    steps: [{ click: 'button.toggle-replaced' }],
  }),
  opportunity({
    name: 'opportunity-billing-plan-phone',
    title: 'The same plan on a phone',
    graphql: { opportunityInvoices: { data: opp('graphql.opportunityInvoices.plan.json') } },
    waitFor: 'c-billing-plan',
    locale: 'en-GB',
    width: PHONE,
    phone: true,
  }),
  opportunity({
    name: 'opportunity-billing-plan-planned',
    title: 'Won, planned, nothing invoiced yet: when the first invoice comes',
    graphql: { opportunityInvoices: { data: opp('graphql.opportunityInvoices.planned.json') } },
    waitFor: '.empty-state',
    locale: 'en-GB',
  }),
  opportunity({
    name: 'opportunity-billing-plan-error',
    title: 'The bridge could not re-plan after a change: why, in words',
    graphql: { opportunityInvoices: { data: opp('graphql.opportunityInvoices.planError.json') } },
    waitFor: 'c-billing-plan',
    locale: 'en-GB',
  }),
  account({ name: 'account-receivables', title: 'EUR, GBP, USD with rates: ageing, DSO, corporate total' }),
  account({
    name: 'account-contracts',
    title: 'Contracted revenue in GBP and USD and the next five billings, below the receivables',
    graphql: { accountReceivables: { data: acct('graphql.accountReceivables.contracts.json') } },
    waitFor: 'c-account-contracts',
  }),
  account({
    name: 'account-contracts-phone',
    title: 'The same contracted revenue on a phone',
    graphql: { accountReceivables: { data: acct('graphql.accountReceivables.contracts.json') } },
    waitFor: 'c-account-contracts',
    width: PHONE,
    phone: true,
  }),
  account({
    name: 'account-credit',
    title: 'Customer credit in GBP beside 3,950.00 due (never netted) and a prepayment in AUD with nothing due',
    graphql: { accountReceivables: { data: acct('graphql.accountReceivables.credit.json') } },
    waitFor: 'c-account-credit',
  }),
  account({
    name: 'account-credit-phone',
    title: 'The same customer credit on a phone',
    graphql: { accountReceivables: { data: acct('graphql.accountReceivables.credit.json') } },
    waitFor: 'c-account-credit',
    width: PHONE,
    phone: true,
  }),
  account({
    name: 'account-credit-nothing-outstanding',
    title: 'Nothing outstanding, but the customer holds credit',
    apex: {
      'ReceivablesController.getSummary': { data: acct('ReceivablesController.getSummary.empty.json') },
      'LiveRefreshController.isEnabled': { data: true },
    },
    graphql: { accountReceivables: { data: acct('graphql.accountReceivables.creditOnly.json') } },
    waitFor: '.empty-state',
  }),
  account({ name: 'account-receivables-phone', title: 'The same receivables on a phone', width: PHONE, phone: true }),
  account({
    name: 'account-receivables-de-DE',
    title: 'The same receivables for a user with the de-DE locale',
    locale: 'de-DE',
    timeZone: 'Europe/Berlin',
  }),
  account({
    name: 'account-no-rates',
    title: 'NZD has no conversion rate: no corporate total, the currency is named',
    apex: {
      'ReceivablesController.getSummary': { data: acct('ReceivablesController.getSummary.noRates.json') },
      'LiveRefreshController.isEnabled': { data: true },
    },
  }),
  account({
    name: 'account-nothing-outstanding',
    title: 'Nothing outstanding',
    apex: {
      'ReceivablesController.getSummary': { data: acct('ReceivablesController.getSummary.empty.json') },
      'LiveRefreshController.isEnabled': { data: true },
    },
    graphql: { accountReceivables: { data: acct('graphql.accountReceivables.empty.json') } },
    waitFor: '.empty-state',
  }),
  account({
    name: 'account-wire-error',
    title: 'The Apex summary failed',
    apex: {
      'ReceivablesController.getSummary': { error: acct('ReceivablesController.getSummary.error.json') },
      'LiveRefreshController.isEnabled': { data: true },
    },
    waitFor: '.load-error',
  }),
  account({
    name: 'account-invoices-query-error',
    title: 'The open-invoice query failed; the totals still show',
    graphql: { accountReceivables: { errors: acct('graphql.accountReceivables.errors.json') } },
    waitFor: '.invoices-error',
  }),
  account({
    name: 'account-sync-update-this-record',
    title: 'Sync_Update__e naming this account arrives: refreshed',
    events: [acctEvents.thisAccount],
    action: 'events',
  }),
  account({
    name: 'account-sync-update-other-record',
    title: 'Sync_Update__e for another account arrives: ignored',
    events: [acctEvents.otherAccount],
    action: 'events',
  }),
  matchReview({
    name: 'match-review',
    title: 'Two open reviews (ambiguous; company form only) with their candidates, two decided (applied; failed)',
  }),
  matchReview({ name: 'match-review-phone', title: 'The same reviews on a phone', width: PHONE, phone: true }),
  matchReview({
    name: 'match-review-confirm',
    title: 'Finance picks INITECH LIMITED, notes why and confirms: decision sent, toast shown, list read again',
    steps: [
      { click: 'section.review .candidate label' },
      { fill: ['section.review lightning-textarea.note textarea', 'Same VAT number'] },
      { click: 'section.review lightning-button.confirm button' },
      { waitFor: '#toasts .slds-notify' },
    ],
  }),
  matchReview({
    name: 'match-review-choose-first',
    title: 'Confirm clicked with no contact chosen: said so, nothing sent',
    steps: [{ click: 'section.review lightning-button.confirm button' }, { waitFor: '.decision-error' }],
  }),
  matchReview({
    name: 'match-review-refused',
    title: 'None of these, with a note, but the review was decided meanwhile: the refusal under the review',
    apex: {
      'ContactMatchController.getReviews': { data: review('ContactMatchController.getReviews.json') },
      'ContactMatchController.decide': { error: review('ContactMatchController.decide.error.json') },
    },
    steps: [
      { fill: ['section.review lightning-textarea.note textarea', 'Test account, never billed'] },
      { click: 'section.review lightning-button.reject button' },
      { waitFor: '.decision-error' },
    ],
  }),
  matchReview({
    name: 'match-review-empty',
    title: 'Nothing to review',
    apex: { 'ContactMatchController.getReviews': { data: review('ContactMatchController.getReviews.empty.json') } },
    waitFor: '.empty-state',
  }),
  matchReview({
    name: 'match-review-load-error',
    title: 'The reviews could not be read',
    apex: { 'ContactMatchController.getReviews': { error: review('ContactMatchController.getReviews.error.json') } },
    waitFor: '.load-error',
  }),
  partialInvoice({ name: 'partial-invoice', title: 'A won deal of £12,000.00 with £3,600.00 invoiced' }),
  partialInvoice({
    name: 'partial-invoice-percent',
    title: '30 % of what remains: £2,520.00 previewed, £5,880.00 to remain',
    steps: [
      { click: 'lightning-radio-group.mode label:has-text("A percentage of what remains")' },
      { fill: ['lightning-input.value input', '30'] },
      { fill: ['lightning-input.purpose input', 'Milestone 2: design sign-off'] },
      { waitFor: '.preview' },
    ],
  }),
  partialInvoice({
    name: 'partial-invoice-too-much',
    title: 'One penny more than remains: said so, the button stays off',
    steps: [{ fill: ['lightning-input.value input', '8400.01'] }, { waitFor: '.check-error' }],
  }),
  partialInvoice({
    name: 'partial-invoice-raised',
    title: '30 % of what remains requested: toast with the Apex message, the remainder read again',
    steps: [
      { click: 'lightning-radio-group.mode label:has-text("A percentage of what remains")' },
      { fill: ['lightning-input.value input', '30'] },
      { click: 'lightning-button.raise button' },
      { waitFor: '#toasts .slds-notify' },
    ],
  }),
  partialInvoice({
    name: 'partial-invoice-nothing-remains',
    title: 'Everything is invoiced: why no partial invoice can be raised',
    apex: {
      'PartialInvoiceController.getRemainder': { data: partial('PartialInvoiceController.getRemainder.blocked.json') },
    },
    waitFor: '.blocked',
  }),
  partialInvoice({
    name: 'partial-invoice-load-error',
    title: 'The amounts could not be read',
    apex: {
      'PartialInvoiceController.getRemainder': { error: partial('PartialInvoiceController.getRemainder.error.json') },
    },
    waitFor: '.load-error',
  }),
  ...cockpitStates({
    name: 'cockpit-group',
    title: 'The group in GBP: March open to 15 Mar, MRR bridge, forecast, ageing, DSO, renewals, rates shown',
    steps: [{ click: '.rates-toggle' }, { waitFor: '.rates li' }],
  }),
  ...cockpitStates({
    name: 'cockpit-group-february',
    title: 'February, closed, one step back: FX, new, expansion, reactivation and churn from 4,640.00 to 5,300.00',
    steps: [{ click: 'lightning-button-icon.previous-month button' }, { waitFor: '.bar-decrease' }],
  }),
  ...cockpitStates({
    name: 'cockpit-exposure',
    title: 'Currency exposure in February: UK Ltd holds 666.67 USD, -20.52 GBP unrealised, -10.25 GBP realised',
    steps: [{ click: 'lightning-button-icon.previous-month button' }, { waitFor: '.exposure-table' }],
  }),
  ...cockpitStates({
    name: 'cockpit-exposure-none',
    title: 'December: no foreign invoice open or paid yet, the exposure says so',
    steps: [
      ...Array.from({ length: 3 }, () => ({ click: 'lightning-button-icon.previous-month button' })),
      { waitFor: '.exposure-none' },
    ],
  }),
  ...cockpitStates({ name: 'cockpit-entity', title: 'One entity (UK Ltd) picked in the scope list', steps: PICK_UK }),
  ...cockpitStates({
    name: 'cockpit-missing-rates',
    title: 'No USD rate: the figures that need one are blank, the currency named',
    apex: { 'FinanceCockpitController.getCockpit': cockpitData('missingRates') },
  }),
  ...cockpitStates({
    name: 'cockpit-empty',
    title: 'No snapshot yet: what happens next',
    apex: { 'FinanceCockpitController.getCockpit': cockpitData('empty') },
    waitFor: '.empty-state',
  }),
  ...cockpitStates({
    name: 'cockpit-loading',
    title: 'Waiting for the snapshots',
    apex: {},
    waitFor: 'lightning-spinner',
  }),
  cockpit({
    name: 'cockpit-load-error',
    title: 'The user may not read the KPI snapshots',
    apex: {
      'FinanceCockpitController.getCockpit': {
        error: fixture('financeCockpit', 'FinanceCockpitController.getCockpit.error.json'),
      },
    },
    waitFor: '.load-error',
  }),
];
