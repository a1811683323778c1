import { createElement } from 'lwc';
import ContactMatchReview from 'c/contactMatchReview';
import { refreshApex } from '@salesforce/apex';
import getReviews from '@salesforce/apex/ContactMatchController.getReviews';
import decide from '@salesforce/apex/ContactMatchController.decide';

const REVIEWS = require('./data/ContactMatchController.getReviews.json');
const EMPTY = require('./data/ContactMatchController.getReviews.empty.json');
const LOAD_ERROR = require('./data/ContactMatchController.getReviews.error.json');
const DECIDED = require('./data/ContactMatchController.decide.json');
const DECIDE_ERROR = require('./data/ContactMatchController.decide.error.json');

jest.mock(
  '@salesforce/apex/ContactMatchController.getReviews',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
jest.mock('@salesforce/apex/ContactMatchController.decide', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), { virtual: true });
jest.mock('@salesforce/i18n/locale', () => ({ default: 'en-GB' }), { virtual: true });
jest.mock('@salesforce/i18n/timeZone', () => ({ default: 'Europe/London' }), { virtual: true });
// Labels with placeholders get their real text, so the values they carry can be checked.
jest.mock('@salesforce/label/c.Match_Review_Entity', () => ({ default: 'Billing entity {0}' }), { virtual: true });
jest.mock('@salesforce/label/c.Match_Review_Matched_On', () => ({ default: 'Matched on {0}' }), { virtual: true });
jest.mock('@salesforce/label/c.Match_Review_Differs', () => ({ default: 'Differs: {0}' }), { virtual: true });
jest.mock('@salesforce/label/c.Match_Review_Decided_By', () => ({ default: '{0} by {1} on {2}' }), { virtual: true });
jest.mock('@salesforce/label/c.Match_Review_Chosen', () => ({ default: 'Contact: {0}' }), { virtual: true });
jest.mock(
  '@salesforce/label/c.Match_Review_Saved',
  () => ({ default: '{0}: Ledgerline applies it in Xero within a minute.' }),
  { virtual: true },
);
jest.mock('@salesforce/label/c.Match_Review_Sync_Error', () => ({ default: 'Ledgerline could not apply it: {0}' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Match_Review_Signal_Name', () => ({ default: 'the same name' }), { virtual: true });
jest.mock(
  '@salesforce/label/c.Match_Review_Signal_Name_Form',
  () => ({ default: 'the name apart from the company form' }),
  { virtual: true },
);

const ACCOUNT_ID = '0015g00000AcCt01AA';
const UK = 'a0C5g00000RvW001AA';
const US = 'a0C5g00000RvW002AA';
// eslint-disable-next-line @lwc/lwc/no-async-operation
const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

async function render(reviews = REVIEWS) {
  const element = createElement('c-contact-match-review', { is: ContactMatchReview });
  element.recordId = ACCOUNT_ID;
  document.body.appendChild(element);
  if (reviews) getReviews.emit(reviews);
  await flushPromises();
  return element;
}

const root = (element) => element.shadowRoot;
const review = (element, id) => root(element).querySelector(`section.review[data-id="${id}"]`);
const button = (section, name) => section.querySelector(`lightning-button.${name}`);
async function change(input, value) {
  input.value = value;
  input.dispatchEvent(new CustomEvent('change', { detail: { value } }));
  await flushPromises();
}
async function click(target) {
  target.click();
  await flushPromises();
}

describe('c-contact-match-review', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
  });

  it('lists each open review with its reason and candidates, then the decided ones', async () => {
    const element = await render();
    expect(getReviews.getLastConfig()).toEqual({ accountId: ACCOUNT_ID });
    const uk = review(element, UK);
    expect(uk.querySelector('h3').textContent).toBe('Billing entity UK_Ltd');
    expect(uk.querySelector('.reason').textContent).toContain('Several contacts match equally.');
    const candidates = [...uk.querySelectorAll('.candidate')];
    expect(candidates.map((c) => c.querySelector('.candidate-name').textContent)).toEqual([
      'INITECH LIMITED',
      'Initech Ltd',
    ]);
    expect(candidates[0].querySelector('.matched-on').textContent.trim()).toBe('Matched on the same name');
    expect(candidates[0].querySelector('.details').textContent.trim()).toBe('accounts@initech.example · GB123456789');
    expect(candidates[1].querySelector('.archived')).not.toBeNull();
    expect(candidates[1].querySelector('.conflict').textContent.trim()).toBe(
      'Differs: account number CUST-42 in Salesforce, 0042 in Xero',
    );
    expect(review(element, US).querySelector('.matched-on').textContent.trim()).toBe(
      'Matched on the name apart from the company form',
    );

    const decided = [...root(element).querySelectorAll('li.decided-review')];
    expect(decided.map((d) => d.querySelector('.slds-badge').textContent)).toEqual(['Confirmed', 'Created New']);
    expect(decided[0].textContent).toContain('EU_BV by Fran Finance on 26 Nov 2026');
    expect(decided[0].querySelector('.chosen').textContent).toBe('Contact: Initech Europe');
    expect(decided[1].querySelector('.sync').textContent).toBe(
      'Ledgerline could not apply it: Xero refused the new contact: Contact name "Initech Ltd" already exists.',
    );
    await expect(element).toBeAccessible();
  });

  it('confirms the chosen candidate: one call, a toast, the list read again', async () => {
    const element = await render();
    const toasts = [];
    element.addEventListener('lightning__showtoast', (event) => toasts.push(event.detail));
    decide.mockResolvedValue(DECIDED);
    const uk = review(element, UK);
    const first = uk.querySelector('.candidate input');
    first.checked = true;
    first.dispatchEvent(new CustomEvent('change'));
    await flushPromises();
    await change(uk.querySelector('lightning-textarea.note'), ' Same VAT number ');
    await click(button(uk, 'confirm'));

    expect(decide).toHaveBeenCalledWith({
      reviewId: UK,
      decision: 'CONFIRM',
      contactId: '9c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5',
      note: 'Same VAT number',
    });
    expect(toasts).toEqual([
      {
        title: 'c.Match_Review_Saved_Title',
        message: 'Confirmed: Ledgerline applies it in Xero within a minute.',
        variant: 'success',
      },
    ]);
    expect(refreshApex).toHaveBeenCalledTimes(1);
  });

  it('confirms another contact by its ContactID, and asks for a new contact without one', async () => {
    const element = await render();
    decide.mockResolvedValue(DECIDED);
    const uk = review(element, UK);
    await change(uk.querySelector('lightning-input.other'), ' 11111111-2222-4333-8444-555555555555 ');
    await click(button(uk, 'confirm'));
    await click(button(review(element, US), 'create-new'));
    expect(decide.mock.calls.map(([args]) => [args.decision, args.contactId])).toEqual([
      ['CONFIRM', '11111111-2222-4333-8444-555555555555'],
      ['CREATE_NEW', null],
    ]);
  });

  it('checks before calling: a contact to confirm, a note to reject', async () => {
    const element = await render();
    const uk = review(element, UK);
    await click(button(uk, 'confirm'));
    expect(uk.querySelector('.decision-error').textContent).toBe('c.Match_Review_Choose_First');
    await change(uk.querySelector('lightning-input.other'), 'not-a-contact-id');
    await click(button(uk, 'confirm'));
    await click(button(review(element, US), 'reject'));
    expect(review(element, US).querySelector('.decision-error').textContent).toBe(
      'c.Match_Review_Error_Reject_Needs_Note',
    );
    expect(decide).not.toHaveBeenCalled();
  });

  it('shows the refusal under the review it concerns', async () => {
    const element = await render();
    decide.mockRejectedValue(DECIDE_ERROR);
    const us = review(element, US);
    await change(us.querySelector('lightning-textarea.note'), 'Test account');
    await click(button(us, 'reject'));
    expect(decide).toHaveBeenCalledWith({ reviewId: US, decision: 'REJECT', contactId: null, note: 'Test account' });
    expect(us.querySelector('.decision-error').textContent).toBe(DECIDE_ERROR.body.message);
    expect(review(element, UK).querySelector('.decision-error')).toBeNull();
    expect(refreshApex).not.toHaveBeenCalled();
  });

  it('says when there is nothing to review, and shows a load error in words', async () => {
    const empty = await render(EMPTY);
    expect(root(empty).querySelector('.empty-state').textContent).toBe('c.Match_Review_Empty');
    await expect(empty).toBeAccessible();
    document.body.removeChild(empty);
    const failed = await render(null);
    getReviews.error(LOAD_ERROR.body, LOAD_ERROR.status);
    await flushPromises();
    expect(root(failed).querySelector('.load-error').textContent).toContain(LOAD_ERROR.body.message);
  });
});
