import { LightningElement, api } from 'lwc';
import { NavigationMixin } from 'lightning/navigation';
import RENEWAL_OBJECT from '@salesforce/schema/KPI_Renewal__c';
import RENEWALS_DUE from '@salesforce/label/c.Kpi_Link_Renewals';

// The package's namespace prefix as the platform resolves the object ('ldgr__' when installed, '' in the project), so the
// child relationship name is right in both: Account.KPI_Renewals__r, Opportunity.KPI_Renewals__r.
const PREFIX = RENEWAL_OBJECT.objectApiName.slice(0, -'KPI_Renewal__c'.length);

/**
 * A link to the renewals due of the record it sits on (an Account's, or an Opportunity's contract): the related list
 * of KPI_Renewal__c, where each renewal shows its date, its value with uplift and the value in the reporting
 * currency. The Account and Opportunity cards put it in their footer.
 */
export default class KpiLink extends NavigationMixin(LightningElement) {
  @api recordId;
  @api objectApiName;

  label = RENEWALS_DUE;
  url;

  get pageReference() {
    return {
      type: 'standard__recordRelationshipPage',
      attributes: {
        recordId: this.recordId,
        objectApiName: this.objectApiName,
        relationshipApiName: `${PREFIX}KPI_Renewals__r`,
        actionName: 'view',
      },
    };
  }

  async connectedCallback() {
    if (this.recordId) this.url = await this[NavigationMixin.GenerateUrl](this.pageReference);
  }

  handleClick(event) {
    event.preventDefault();
    this[NavigationMixin.Navigate](this.pageReference);
  }
}
