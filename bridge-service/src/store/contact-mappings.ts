/** Which Xero contact stands for a Salesforce Account, per tenant. */
export interface ContactMappingRepository {
  getContactMapping(tenantId: string, accountId: string): Promise<string | null>;
  saveContactMapping(tenantId: string, accountId: string, contactId: string): Promise<void>;
}
