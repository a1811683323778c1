import { laneOf } from './calls';

describe('which scheduler lane a Xero call takes', () => {
  it('puts drafting (the one backlog) behind the calls someone waits on', () => {
    expect(laneOf('createInvoices')).toBe('backlog');
    expect(laneOf('createContacts')).toBe('backlog');
    // A webhook's read, an approval, an email, a poll, a credit note a person asked for.
    for (const op of ['getInvoices', 'updateInvoiceStatuses', 'emailInvoice', 'getPayments', 'createCreditNotes'])
      expect(laneOf(op)).toBe('waited-on');
  });
});
