import { LightningElement, api } from 'lwc';
import { formatLabel, unwrapNode } from 'c/ledgerlineUtils';
import { invoicedPercent } from 'c/billingCalc';
import { LABELS } from './labels';

/** A picklist's label as the user reads it (the node's displayValue), else its value. */
const shown = (node, field) => node?.[field]?.displayValue ?? node?.[field]?.value ?? null;

const STATUS_THEMES = { Planned: 'slds-badge_lightest', Active: 'slds-theme_info', Completed: 'slds-theme_success' };
const INSTALMENT_ICONS = { Planned: 'utility:clock', Raised: 'utility:send', Cancelled: 'utility:ban' };

/**
 * A deal's billing plan inside the Opportunity invoices card (which reads it in its own GraphQL query, so one refresh
 * reads both): its terms, how much is invoiced and what is next and when, every instalment with its status (raised
 * ones with their invoice or credit note; replaced ones on request), and the revenue summary the bridge keeps
 * (recognised, deferred and unbilled as of a date). Every figure is the bridge's own (Billing_Plan__c); the only one
 * worked out here is the percentage on the progress bar (c/billingCalc, held to the domain by contracted.cases.json).
 */
export default class BillingPlan extends LightningElement {
  labels = LABELS;
  raw;
  plan;
  showReplaced = false;

  /** The Billing_Plan__c node as the UI API returns it (`{ value, displayValue }` fields, instalment edges). */
  @api
  get planNode() {
    return this.raw;
  }
  set planNode(node) {
    this.raw = node;
    this.plan = node ? unwrapNode(node) : undefined;
  }

  get hasPlan() {
    return !!this.plan;
  }
  get currencyCode() {
    return this.plan?.Currency_Code__c;
  }

  get terms() {
    return [shown(this.raw, 'Billing_Frequency__c'), shown(this.raw, 'Billing_Timing__c')].filter(Boolean).join(', ');
  }

  get statusText() {
    return shown(this.raw, 'Status__c');
  }

  get statusClass() {
    return `plan-status slds-badge ${STATUS_THEMES[this.plan?.Status__c] ?? ''}`;
  }

  get percent() {
    return invoicedPercent(this.plan?.Invoiced_Amount__c ?? 0, this.plan?.Contract_Value__c ?? 0);
  }

  get progressText() {
    return formatLabel(LABELS.progress, this.percent);
  }

  get hasNext() {
    return !!this.plan?.Next_Instalment_Date__c;
  }

  get nextLabel() {
    return (this.plan?.Next_Instalment_Amount__c ?? 0) < 0 ? LABELS.nextCredit : LABELS.nextInvoice;
  }

  get nextAmount() {
    return Math.abs(this.plan?.Next_Instalment_Amount__c ?? 0);
  }

  get syncFailed() {
    return this.plan?.Sync_Status__c === 'Error';
  }

  get flags() {
    return (this.plan?.Flags__c ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((text, index) => ({ key: `flag-${index}`, text }));
  }

  get hasFlags() {
    return this.flags.length > 0;
  }

  /** Each instalment as the list shows it: raised and planned ones, replaced ones only when asked for. */
  get instalmentViews() {
    const raw = this.raw?.Instalments__r?.edges ?? [];
    return (this.plan?.Instalments__r ?? [])
      .map((instalment, index) => {
        const node = raw[index]?.node;
        const status = instalment.Status__c;
        const isCredit = instalment.Document_Type__c === 'Credit Note';
        const document = isCredit ? instalment.Credit_Note__r : instalment.Invoice__r;
        const documentNode = isCredit ? node?.Credit_Note__r : node?.Invoice__r;
        const number = isCredit ? document?.Credit_Note_Number__c : document?.Invoice_Number__c;
        return {
          key: instalment.Id,
          status,
          replaced: status === 'Cancelled',
          className: `instalment instalment-${String(status).toLowerCase()} slds-p-vertical_xx-small${
            status === 'Cancelled' ? ' slds-text-color_weak' : ''
          }`,
          icon: INSTALMENT_ICONS[status] ?? 'utility:clock',
          statusText: shown(node, 'Status__c'),
          kind: isCredit ? LABELS.creditNote : LABELS.invoice,
          issueDate: instalment.Issue_Date__c,
          amount: Math.abs(instalment.Amount__c ?? 0),
          isCredit,
          hasService: !!instalment.Service_Start_Date__c && !!instalment.Service_End_Date__c,
          serviceStart: instalment.Service_Start_Date__c,
          serviceEnd: instalment.Service_End_Date__c,
          message: status === 'Planned' || status === 'Cancelled' ? instalment.Status_Message__c : null,
          document:
            status === 'Raised' && (number || document) ? { number, status: shown(documentNode, 'Status__c') } : null,
        };
      })
      .filter((view) => this.showReplaced || !view.replaced);
  }

  get replacedCount() {
    return (this.plan?.Instalments__r ?? []).filter((i) => i.Status__c === 'Cancelled').length;
  }

  get hasReplaced() {
    return this.replacedCount > 0;
  }

  get replacedText() {
    return formatLabel(LABELS.replaced, this.replacedCount);
  }

  get replacedToggleLabel() {
    return this.showReplaced ? LABELS.hideReplaced : LABELS.showReplaced;
  }

  get replacedExpanded() {
    return String(this.showReplaced);
  }

  handleToggleReplaced() {
    this.showReplaced = !this.showReplaced;
  }
}
