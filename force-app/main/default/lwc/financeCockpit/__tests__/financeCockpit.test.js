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
jest.mock('@salesforce/label/c.Cockpit_Exposure_Entity', () => ({ default: '{0}, in its base currency {1}' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Cockpit_Exposure_At_Closing_Rate', () => ({ default: 'At rates of {0}' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Cockpit_Exposure_Realised', () => ({ default: 'Realised in {0}' }), { virtual: true });
jest.mock('@salesforce/label/c.Cockpit_Exposure_Rate_Value', () => ({ default: '1 {0} = {1} {2}, dated {3} ({4})' }), {
  virtual: true,
});
jest.mock(
  '@salesforce/label/c.Cockpit_Exposure_Reporting',
  () => ({ default: 'Every entity shown, in {0}: unrealised {1} at closing rates, realised {2} at the month average' }),
  { virtual: true },
);
jest.mock('@salesforce/label/c.Cockpit_Exposure_None', () => ({ default: 'Nothing foreign in {0}.' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Cockpit_Exposure_Unavailable', () => ({ default: 'No readable exposure in {0}.' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Cockpit_Exposure_No_Rate', () => ({ default: 'No rate' }), { virtual: true });
jest.mock('@salesforce/label/c.Cockpit_Exposure', () => ({ default: 'Currency exposure' }), { virtual: true });
jest.mock('@salesforce/label/c.Cockpit_Exposure_Total', () => ({ default: 'Total' }), { virtual: true });

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
const cells = (row) => [...row.querySelectorAll('th, td')].map((c) => c.textContent.trim());
const exposureRows = (element, entity) =>
  [...root(element).querySelectorAll(`[data-entity="${entity}"] tr[data-currency]`)].map(cells);
const stepBack = async (element, months) => {
  for (let i = 0; i < months; i++) {
    root(element).querySelector('.previous-month').click();
    // eslint-disable-next-line no-await-in-loop
    await flushPromises();
  }
};

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
      ['Initech Inc', 'US Inc', 'May 15, 2026', '$5,001.60', '4.20 %', '£3,847.38'], // 5,001.60 ÷ 1.30
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
  describe('currency exposure', () => {
    it("shows each entity's open foreign receivables at invoice and closing rates, with the rate's date and source", async () => {
      const element = await renderWith(GROUP);
      expect(text(element, '.exposure h3')).toBe('Currency exposure');
      expect(text(element, '[data-entity="UK_Ltd"] caption')).toBe('UK Ltd, in its base currency GBP');
      const headers = [...root(element).querySelectorAll('[data-entity="UK_Ltd"] thead th')].map((th) =>
        th.textContent.trim(),
      );
      expect(headers[4]).toBe('At rates of Mar 15, 2026');
      expect(headers[6]).toBe('Realised in Mar 2026');
      // INV-9: 1,000.00 USD at 1.25 (800.00 GBP), 333.33 paid on 10 Feb at 1.30; 666.67 USD open (fx-exposure.ts).
      expect(exposureRows(element, 'UK_Ltd')).toEqual([
        [
          'USD',
          '1',
          '$666.67',
          '£533.34',
          '£512.82',
          '-£20.52',
          '£0.00',
          '1 USD = 0.769231 GBP, dated Feb 15, 2026 (dated exchange rates)',
        ],
        ['Total', '1', '', '£533.34', '£512.82', '-£20.52', '£0.00', ''],
      ]);
      // The entity's total ties to the snapshot's Unrealised_FX__c and Realised_FX__c (GBP is also the reporting one).
      expect(text(element, '.exposure-reporting')).toBe(
        'Every entity shown, in GBP: unrealised -£20.52 at closing rates, realised £0.00 at the month average',
      );
      await expect(element).toBeAccessible();
    });

    it('shows the loss realised in February, when a third of the USD invoice was paid at a weaker rate', async () => {
      const element = await renderWith(GROUP);
      await stepBack(element, 1);
      const [usd] = exposureRows(element, 'UK_Ltd');
      // 333.33 USD relieved 266.66 GBP at the invoice's 1.25 and brought in 256.41 GBP at 1.30: a loss of 10.25.
      expect(usd.slice(3, 7)).toEqual(['£533.34', '£512.82', '-£20.52', '-£10.25']);
      expect(text(element, '.exposure-reporting')).toContain('realised -£10.25');
    });

    it('says so when nothing foreign is open or realised in the month', async () => {
      const element = await renderWith(GROUP);
      await stepBack(element, 3); // December: INV-9 is dated 10 Jan, so its USD row holds only zeros
      expect(text(element, '.month')).toBe('· Dec 2025, closed');
      expect(root(element).querySelector('.exposure-table')).toBeNull();
      expect(text(element, '.exposure-none')).toBe('Nothing foreign in Dec 2025.');
      await expect(element).toBeAccessible();
    });

    it('leaves the closing-rate figures and totals blank without a rate, and names the missing rate', async () => {
      const element = await renderWith(MISSING_RATES);
      const [usd, total] = exposureRows(element, 'UK_Ltd');
      expect(usd).toEqual(['USD', '1', '$666.67', '£533.34', '—', '—', '£0.00', 'No rate']);
      expect(total).toEqual(['Total', '1', '', '£533.34', '—', '—', '£0.00', '']);
      expect(root(element).querySelector('[data-entity="UK_Ltd"] td.rate').classList).toContain(
        'slds-text-color_error',
      );
      await expect(element).toBeAccessible();
    });

    it('says the exposure is unavailable when the snapshot holds none readable, rather than showing none', async () => {
      const months = GROUP.months.map((m) => ({ ...m, exposure: null }));
      const element = await renderWith({ ...GROUP, months });
      expect(text(element, '.exposure-unavailable')).toBe('No readable exposure in Mar 2026.');
      expect(root(element).querySelector('.exposure-none')).toBeNull();
    });

    it("shows only the picked entity's exposure", async () => {
      const element = await renderWith(ENTITY);
      expect([...root(element).querySelectorAll('.exposure-entity')].map((e) => e.dataset.entity)).toEqual(['UK_Ltd']);
      expect(exposureRows(element, 'UK_Ltd')[0][4]).toBe('£512.82');
    });
  });
});
