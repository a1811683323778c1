import { explainValidationMessage, isLockRefusal, lockRefusalOf, XeroApiError } from './errors';

describe("Xero's lock-date refusals in words a finance user acts on", () => {
  const emulator =
    'The date 15 Feb 2026 is on or before the period lock date (28 Feb 2026). Transactions in a locked period cannot be posted or changed.';

  it('reads the lock, its date and the refused date when Xero writes them', () => {
    expect(lockRefusalOf(emulator)).toEqual({ lock: 'period', lockDate: '28 Feb 2026', day: '15 Feb 2026' });
    expect(lockRefusalOf('Invoice # must be unique.')).toBeUndefined();
    expect(explainValidationMessage('updateInvoiceStatuses', 'Invoice # must be unique.')).toBe(
      'Invoice # must be unique.',
    );
  });

  it('says what to do by the operation refused, and explains a message once', () => {
    const approve = explainValidationMessage('updateInvoiceStatuses', emulator);
    expect(approve).toBe(
      "Xero's books are locked up to 28 Feb 2026 (the period lock date), and this is dated 15 Feb 2026: change the " +
        "invoice's date in Xero to a day after 28 Feb 2026 (or have your Xero adviser move the lock date back), then " +
        'submit it for approval again',
    );
    expect(explainValidationMessage('updateInvoiceStatuses', approve)).toBe(approve);
    expect(isLockRefusal(approve)).toBe(true);
    expect(explainValidationMessage('updateInvoiceStatus', emulator)).toMatch(/cannot be voided in a locked period/);
  });

  it("keeps Xero's own words when they name no date (the reference gives no wording)", () => {
    expect(explainValidationMessage('updateInvoiceStatuses', 'The document date cannot be before the lock date.')).toBe(
      "Xero's books are locked for that date (Xero: The document date cannot be before the lock date.): change the " +
        "invoice's date in Xero to a day after the lock date (or have your Xero adviser move the lock date back), " +
        'then submit it for approval again',
    );
  });

  it('marks a XeroApiError that refuses for a lock date, and words its messages', () => {
    const err = new XeroApiError({
      status: 400,
      body: { Type: 'ValidationException', Elements: [{ ValidationErrors: [{ Message: emulator }] }] },
      operation: 'updateInvoiceStatus',
    });
    expect(err.lockDateRefusal).toBe(true);
    expect(err.message).toMatch(
      /^Xero updateInvoiceStatus rejected \(400\): Xero's books are locked up to 28 Feb 2026/,
    );
    expect(new XeroApiError({ status: 400, body: {}, operation: 'x' }).lockDateRefusal).toBe(false);
  });
});
