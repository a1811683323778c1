import { createElement } from 'lwc';
import FinanceCockpit from 'c/financeCockpit';
import { refreshApex } from '@salesforce/apex';
import getCockpit from '@salesforce/apex/FinanceCockpitController.getCockpit';

// Fixtures computed by the domain and mapped as the Apex maps them (kpi-records.test.ts holds them equal).
const GROUP = require('./data/FinanceCockpitController.getCockpit.group.json');
const ENTITY = require('./data/FinanceCockpitController.getCockpit.entity.json');
const MISSING_RATES = require('./data/FinanceCockpitController.getCockpit.missingRates.json');
const EMPTY = require('./data/FinanceCockpitController.getCockpit.empty.json');
const ERROR = require('./data/FinanceCockpitController.getCockpit.error.json');

jest.mock(
  '@salesforce/apex/FinanceCockpitController.getCockpit',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), { virtual: true });
// Labels with placeholders get their real text, so the values they carry can be checked.
jest.mock('@salesforce/label/c.Cockpit_ARR', () => ({ default: 'ARR {0}' }), { virtual: true });
jest.mock('@salesforce/label/c.Cockpit_As_Of', () => ({ default: '{0}, open: figures to {1}' }), { virtual: true });
jest.mock('@salesforce/label/c.Cockpit_Forecast_As_Of', () => ({ default: 'As forecast on {0}' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Cockpit_Closed', () => ({ default: '{0}, closed' }), { virtual: true });
jest.mock('@salesforce/label/c.Cockpit_Days', () => ({ default: '{0} days' }), { virtual: true });
jest.mock('@salesforce/label/c.Cockpit_FX_Effect', () => ({ default: 'FX effect {0}' }), { virtual: true });
jest.mock('@salesforce/label/c.Cockpit_GRR', () => ({ default: 'GRR {0}' }), { virtual: true });
jest.mock('@salesforce/label/c.Cockpit_In_Currency', () => ({ default: 'In {0}' }), { virtual: true });
jest.mock('@salesforce/label/c.Cockpit_Missing_Rates', () => ({ default: 'No exchange rate for {0} in {1}.' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Cockpit_MRR_Bridge', () => ({ default: 'MRR bridge, {0}' }), { virtual: true });
jest.mock('@salesforce/label/c.Cockpit_Overdue', () => ({ default: '{0} overdue' }), { virtual: true });
jest.mock(
  '@salesforce/label/c.Cockpit_Rate_Row',
  () => ({ default: '1 {0} = {1} {2} at month end (dated {3}, {4}); month average {5}' }),
  { virtual: true },
);
jest.mock('@salesforce/label/c.Cockpit_Rates_Summary', () => ({ default: 'Rates: {0}, oldest dated {1}' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Cockpit_Rate_Source_Dated', () => ({ default: 'dated exchange rates' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Cockpit_Renewal_Reporting', () => ({ default: 'In {0}' }), { virtual: true });
jest.mock('@salesforce/label/c.Cockpit_Chart_Bridge', () => ({ default: 'MRR bridge from {0} to {1}' }), {
  virtual: true,
});

// eslint-disable-next-line @lwc/lwc/no-async-operation
const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

async function renderWith(answer, { error = false } = {}) {
  const element = createElement('c-finance-cockpit', { is: FinanceCockpit });
  document.body.appendChild(element);
  if (answer) {
    if (error) getCockpit.error(answer.body, answer.status, answer.statusText);
    else getCockpit.emit(answer);
  }
  await flushPromises();
  return element;
}

const root = (element) => element.shadowRoot;
const text = (element, selector) => root(element).querySelector(selector)?.textContent.trim();
const tile = (element, key) => text(element, `[data-tile="${key}"] .value`);
const tileDetail = (element, key) => text(element, `[data-tile="${key}"] dd:last-of-type`);

describe('c-finance-cockpit', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
  });

  it("shows a spinner until the cockpit arrives, asking for the group as of the user's today", async () => {
    const element = await renderWith(undefined);
    expect(root(element).querySelector('lightning-spinner')).not.toBeNull();
    expect(getCockpit.getLastConfig()).toEqual({ scope: 'GROUP', asOf: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    await expect(element).toBeAccessible();
  });

  it('says why it could not load', async () => {
    const element = await renderWith(ERROR, { error: true });
    expect(root(element).querySelector('.load-error').getAttribute('role')).toBe('alert');
    expect(text(element, '.load-error')).toContain('inaccessible field KPI_Snapshot__c.MRR__c');
  });

  it('explains an empty cockpit: the bridge has written no snapshot yet', async () => {
    const element = await renderWith(EMPTY);
    expect(root(element).querySelector('.empty-state')).not.toBeNull();
    expect(root(element).querySelector('.tiles')).toBeNull();
    await expect(element).toBeAccessible();
  });

  it('shows the group in the reporting currency with the rates used, the month open to its as-of day', async () => {
    const element = await renderWith(GROUP);
    expect(text(element, '.currency')).toBe('In GBP');
    expect(text(element, '.month')).toBe('· Mar 2026, open: figures to Mar 15, 2026');
    expect(text(element, '.rate-line span')).toBe('Rates: dated exchange rates, oldest dated Feb 15, 2026');
    expect(tile(element, 'mrr')).toBe('£5,300.00');
    expect(tileDetail(element, 'mrr')).toBe('ARR £63,600.00');
    expect(tile(element, 'receivables')).toBe('£2,992.31');
    expect(tile(element, 'dso')).toBe('34.5 days');
    expect(tile(element, 'nrr')).toBe('106.17 %'); // cohort A, D, E, F: 4,607.69 ÷ 4,340.00
    expect(root(element).querySelector('.missing-rates')).toBeNull();
    // The rates, shown on demand, with their dates and sources.
    const toggle = root(element).querySelector('.rates-toggle');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    await flushPromises();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(text(element, '.rates li')).toBe(
      '1 USD = 0.769231 GBP at month end (dated Feb 15, 2026, dated exchange rates); month average 0.769231',
    );
    await expect(element).toBeAccessible();
  });

  it("draws the latest month's MRR bridge from opening to closing, each step listed", async () => {
    const element = await renderWith(GROUP);
    const rects = root(element).querySelectorAll('.bridge rect');
    expect(rects).toHaveLength(8);
    expect(root(element).querySelector('.bridge-broken')).toBeNull();
    const steps = [...root(element).querySelectorAll('.steps dd')].map((d) => d.textContent);
    expect(steps).toEqual(['£5,300.00', '£0.00', '£0.00', '£0.00', '£0.00', '£0.00', '£0.00', '£5,300.00']);
    expect(text(element, '.bridge h3')).toBe('MRR bridge, Mar 2026');
    // Back to February, closed: its movements as the domain's worked case has them (kpi.cases.json).
    root(element).querySelector('.previous-month').click();
    await flushPromises();
    expect(text(element, '.bridge h3')).toBe('MRR bridge, Feb 2026');
    expect(text(element, '.month')).toBe('· Feb 2026, closed');
    expect([...root(element).querySelectorAll('.steps dd')].map((d) => d.textContent)).toEqual([
      '£4,640.00',
      '-£30.77',
      '£692.31',
      '£667.69',
      '£100.00',
      '£0.00',
      '-£769.23',
      '£5,300.00',
    ]);
    expect(root(element).querySelector('.next-month').disabled).toBe(false);
    expect(tile(element, 'receivables')).toBe('£4,592.31');
  });

  it('lists the forecast by month, ages receivables and draws the DSO trend', async () => {
    const element = await renderWith(GROUP);
    const rows = root(element).querySelectorAll('.forecast-table tbody tr');
    expect(rows).toHaveLength(GROUP.forecast.length);
    expect([...rows[1].querySelectorAll('td')].map((td) => td.textContent)).toEqual(['£11,492', '£0', '£12,600', '£0']);
    expect(root(element).querySelectorAll('.forecast rect').length).toBe(GROUP.forecast.length * 4);
    // 15 Mar: INV-2 (due 3 Mar) and INV-3 (900.00 USD, due 7 Mar) are both 1–30 days past due.
    expect(text(element, '[data-bucket="current"] dd')).toBe('£0.00');
    expect(text(element, '[data-bucket="days1to30"] dd')).toBe('£2,992.31');
    expect(root(element).querySelectorAll('.dso circle')).toHaveLength(GROUP.months.length);
  });

  it('lists the renewals due with their value in their own currency and in the reporting one', async () => {
    const element = await renderWith(GROUP);
    const rows = [...root(element).querySelectorAll('.renewal-table tbody tr')];
    expect(rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent.trim()))).toEqual([
      ['Acme Holdings Ltd', 'UK Ltd', 'Apr 1, 2026', '£12,600.00', '5.00 %', '£12,600.00'],
      ['Initech Inc', 'US Inc', 'May 15, 2026', '$5,001.60', '4.20 %', '£3,847.39'],
    ]);
  });

  it('names the currencies without a rate and leaves what needs them blank', async () => {
    const element = await renderWith(MISSING_RATES);
    expect(text(element, '.missing-rates')).toContain('No exchange rate for USD in Mar 2026.');
    expect(root(element).querySelector('.missing-rates').getAttribute('role')).toBe('alert');
    expect(tile(element, 'mrr')).toBe('—');
    expect(tile(element, 'receivables')).toBe('—');
    expect(tile(element, 'cash')).toBe('£1,580.00');
    await expect(element).toBeAccessible();
  });

  it('shows one entity when picked, and refreshes on demand', async () => {
    const element = await renderWith(GROUP);
    const picker = root(element).querySelector('select');
    expect([...picker.options].map((o) => o.value)).toEqual(['GROUP', 'UK_Ltd', 'US_Inc']);
    expect(picker.value).toBe('GROUP');
    picker.value = 'UK_Ltd';
    picker.dispatchEvent(new CustomEvent('change'));
    await flushPromises();
    expect(getCockpit.getLastConfig().scope).toBe('UK_Ltd');
    getCockpit.emit(ENTITY);
    await flushPromises();
    expect(tile(element, 'mrr')).toBe('£4,300.00');
    expect(root(element).querySelectorAll('.renewal-table tbody tr')).toHaveLength(1);
    root(element).querySelector('lightning-button-icon.refresh').click();
    await flushPromises();
    expect(refreshApex).toHaveBeenCalledTimes(1);
  });
});
