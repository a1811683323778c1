import { LightningElement, api, wire } from 'lwc';
import { refreshApex } from '@salesforce/apex';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import LOCALE from '@salesforce/i18n/locale';
import getRemainder from '@salesforce/apex/PartialInvoiceController.getRemainder';
import raise from '@salesforce/apex/PartialInvoiceController.raise';
import isLiveRefreshEnabled from '@salesforce/apex/LiveRefreshController.isEnabled';
import { createLiveRefresh, formatLabel, reduceErrors, syncUpdateNames } from 'c/ledgerlineUtils';
import { LABELS } from './labels';
import { MODES, partialAmountCents, toCents } from './partialCalc';

const ERROR_LABELS = {
  positive: LABELS.errorPositive,
  decimals: LABELS.errorDecimals,
  percent: LABELS.errorPercent,
  nothingRemains: LABELS.errorNothingRemains,
};

/**
 * A partial or milestone invoice from a won opportunity: the deal value, what has been invoiced and what remains (from
 * PartialInvoiceController.getRemainder), and a request for an amount or a percentage of what remains or of the deal.
 * The amount is previewed in integer cents by the rules the bridge applies (./partialCalc, held to the domain by
 * partial-invoice.cases.json) and never sent above what remains. The request goes to the bridge as CREATE_PARTIAL;
 * the draft then goes through finance approval like every invoice. While the page is visible it reads what remains
 * again when Sync_Update__e names the opportunity (the bridge wrote its draft, an invoice was voided), as the other cards
 * do (c/ledgerlineUtils createLiveRefresh: only while visible, and only when Live_Refresh__c is on; otherwise on show
 * and focus).
 */
export default class PartialInvoice extends LightningElement {
  @api recordId;

  labels = LABELS;
  remainder;
  loadError;
  wiredRemainder;

  mode = MODES.amount;
  requested = '';
  purpose = '';
  sending = false;
  sendError;

  liveRefresh = createLiveRefresh({
    onMessage: (message) => this.handleSyncUpdate(message),
    refresh: () => this.refresh(),
  });

  @wire(getRemainder, { opportunityId: '$recordId' })
  wired(result) {
    this.wiredRemainder = result;
    if (result.data) {
      this.remainder = result.data;
      this.loadError = undefined;
    } else if (result.error) {
      this.remainder = undefined;
      this.loadError = result.error;
    }
  }

  /** Live refresh on or off for this user (Ledgerline_Settings__c.Live_Refresh__c). Unreadable: off, costs nothing. */
  @wire(isLiveRefreshEnabled)
  wiredLiveRefresh({ data, error }) {
    if (data !== undefined) this.liveRefresh.setEnabled(data);
    else if (error) this.liveRefresh.setEnabled(false);
  }

  connectedCallback() {
    this.liveRefresh.connect();
  }

  disconnectedCallback() {
    this.liveRefresh.disconnect();
  }

  handleSyncUpdate(message) {
    if (syncUpdateNames(message, [this.recordId])) this.refresh();
  }

  refresh() {
    return this.wiredRemainder ? refreshApex(this.wiredRemainder) : undefined;
  }

  get isLoading() {
    return !this.remainder && !this.loadError;
  }

  get loadErrorText() {
    return reduceErrors(this.loadError).join(' ');
  }

  get currencyCode() {
    return this.remainder?.currencyCode;
  }

  /** Currency figures; plain numbers when there is no code (never the user's currency). */
  get figureStyle() {
    return this.currencyCode ? 'currency' : 'decimal';
  }

  get figureDigits() {
    return this.currencyCode ? undefined : 2;
  }

  get blockedReason() {
    return this.remainder?.blockedReason;
  }

  get canRaise() {
    return !!this.remainder && !this.blockedReason;
  }

  get modeOptions() {
    return [
      { label: LABELS.modeAmount, value: MODES.amount },
      { label: LABELS.modePercentRemaining, value: MODES.percentOfRemaining },
      { label: LABELS.modePercentDeal, value: MODES.percentOfDeal },
    ];
  }

  get isAmount() {
    return this.mode === MODES.amount;
  }

  /** "Amount (GBP)"; just "Amount" when the figures carry no currency code. */
  get amountLabel() {
    return this.currencyCode ? formatLabel(LABELS.amount, this.currencyCode) : LABELS.amountNoCurrency;
  }

  /** The amount asked, or why it cannot be sent; nothing until a value is typed. */
  get check() {
    if (!this.remainder || String(this.requested).trim() === '') return null;
    return partialAmountCents({
      dealValueCents: toCents(this.remainder.dealValue),
      remainingCents: toCents(this.remainder.remaining),
      mode: this.mode,
      value: this.requested,
    });
  }

  get previewText() {
    const check = this.check;
    if (!check || check.error) return null;
    const remainingCents = toCents(this.remainder.remaining);
    return formatLabel(LABELS.preview, this.money(check.cents), this.money(remainingCents - check.cents));
  }

  get checkError() {
    const check = this.check;
    if (!check?.error) return null;
    if (check.error === 'tooMuch') {
      return formatLabel(LABELS.errorTooMuch, this.money(check.cents), this.money(toCents(this.remainder.remaining)));
    }
    return ERROR_LABELS[check.error];
  }

  get raiseDisabled() {
    return this.sending || !this.check || !!this.check.error;
  }

  /** The amount in the deal's currency; without a currency code (which Intl refuses), the number alone. */
  money(cents) {
    const options = this.currencyCode
      ? { style: 'currency', currency: this.currencyCode }
      : { minimumFractionDigits: 2, maximumFractionDigits: 2 };
    return new Intl.NumberFormat(LOCALE, options).format(cents / 100);
  }

  handleMode(event) {
    this.mode = event.detail.value;
    this.sendError = undefined;
  }

  handleValue(event) {
    this.requested = event.detail.value;
    this.sendError = undefined;
  }

  handlePurpose(event) {
    this.purpose = event.detail.value;
  }

  async handleRaise() {
    if (this.raiseDisabled) return;
    this.sending = true;
    this.sendError = undefined;
    try {
      const message = await raise({
        opportunityId: this.recordId,
        mode: this.mode,
        value: Number(this.requested),
        purpose: this.purpose,
      });
      this.dispatchEvent(new ShowToastEvent({ title: LABELS.requestedTitle, message, variant: 'success' }));
      this.requested = '';
      this.purpose = '';
      await refreshApex(this.wiredRemainder);
    } catch (error) {
      this.sendError = reduceErrors(error).join(' ');
    } finally {
      this.sending = false;
    }
  }

  handleRefresh() {
    this.refresh();
  }
}
