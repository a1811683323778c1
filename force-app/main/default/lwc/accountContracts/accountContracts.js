import { LightningElement, api } from 'lwc';
import { NavigationMixin } from 'lightning/navigation';
import { formatLabel, unwrapNode } from 'c/ledgerlineUtils';
import { contractedByCurrency } from 'c/billingCalc';
import { fromCents } from 'c/receivablesCalc';
import { LABELS } from './labels';

/**
 * An account's contracted revenue inside the Account receivables card (which reads the plans in its own GraphQL
 * query): per currency, never added across currencies, what its open billing plans are worth, what is invoiced and
 * what is still to invoice (c/billingCalc, in integer cents, held to the domain by contracted.cases.json); and its
 * next billings, the five earliest planned instalments with their deal.
 */
export default class AccountContracts extends NavigationMixin(LightningElement) {
  labels = LABELS;
  plans = [];
  nextBillings = [];

  /** Billing_Plan__c nodes (Planned or Active) as the UI API returns them. */
  @api
  get planNodes() {
    return this.plans;
  }
  set planNodes(nodes) {
    this.plans = (nodes ?? []).map(unwrapNode);
  }

  /** Billing_Instalment__c nodes (Planned), earliest first, as the UI API returns them. */
  @api
  get nextBillingNodes() {
    return this.rawNext;
  }
  set nextBillingNodes(nodes) {
    this.rawNext = nodes ?? [];
    this.nextBillings = this.rawNext.map((node) => ({ node, row: unwrapNode(node) }));
  }

  rawNext = [];

  get currencies() {
    return contractedByCurrency(
      this.plans.map((plan) => ({
        currencyCode: plan.Currency_Code__c,
        status: plan.Status__c,
        contractValue: plan.Contract_Value__c,
        invoiced: plan.Invoiced_Amount__c,
      })),
    ).map((entry) => ({
      currencyCode: entry.currencyCode,
      headingId: `contracts-${entry.currencyCode}`,
      plansText: entry.plans === 1 ? LABELS.plan : formatLabel(LABELS.plans, entry.plans),
      contracted: fromCents(entry.contractedCents),
      invoiced: fromCents(entry.invoicedCents),
      remaining: fromCents(entry.remainingCents),
    }));
  }

  get hasContracts() {
    return this.currencies.length > 0;
  }

  get hasNextBillings() {
    return this.nextBillings.length > 0;
  }

  get nextBillingRows() {
    return this.nextBillings.map(({ node, row }) => ({
      key: row.Id,
      issueDate: row.Issue_Date__c,
      amount: Math.abs(row.Amount__c ?? 0),
      isCredit: row.Document_Type__c === 'Credit Note',
      kind: node.Document_Type__c?.displayValue ?? row.Document_Type__c,
      currencyCode: row.Currency_Code__c,
      deal: row.Billing_Plan__r?.Opportunity__r?.Name ?? '',
      dealId: row.Billing_Plan__r?.Opportunity__c,
    }));
  }

  handleOpenDeal(event) {
    event.preventDefault();
    this[NavigationMixin.Navigate]({
      type: 'standard__recordPage',
      attributes: { recordId: event.currentTarget.dataset.id, actionName: 'view' },
    });
  }
}
