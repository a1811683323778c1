/**
 * Step 3: the Xero contact of each Account in one billing entity, matched before anything is created
 * (services/contact-links.ts): the Account's link; else a certain match, linked now; else a review finance decides
 * while the Account's drafts wait; only an Account no contact resembles gets a new contact (50 a call), linked as
 * Created. A duplicate is never created silently. An Account Xero will not take is refused with Xero's reason, so only
 * its own deals fail.
 */
import { buildXeroContact } from '../../domain/contact';
import type { AccountRow } from '../../domain/records';
import type { Logger } from '../../lib/logger';
import type { XeroClient } from '../../xero/client';
import type { ContactDirectory } from '../services/contact-directory';
import type { ContactLinks, EntityRef, KnownLinks, LinkWrites } from '../services/contact-links';
import { batchKey, XERO_BATCH } from './draft';

export interface ContactDeps {
  xero: Pick<XeroClient, 'createContacts' | 'findContactByNumber'>;
  contactLinks: Pick<ContactLinks, 'resolve' | 'addLinks'>;
  directory: Pick<ContactDirectory, 'add'>;
  log: Pick<Logger, 'info'>;
}

export interface TenantContacts {
  /** Account id → Xero ContactID. */
  ids: Map<string, string>;
  /** Account id → why Xero refused its contact, or why finance's answer keeps it from being invoiced. */
  refused: Map<string, string>;
  /** Account id → what it waits for (a contact match review). */
  waiting: Map<string, string>;
}

/**
 * The contacts of these Accounts in the entity. Links and reviews decided here go in `writes` (the write-back queues
 * them); `known` holds what the batch's load read about the Accounts' links and reviews.
 */
export async function contactsFor(
  deps: ContactDeps,
  entity: EntityRef,
  accounts: readonly AccountRow[],
  emails: ReadonlyMap<string, string>,
  writes: LinkWrites,
  known?: KnownLinks,
): Promise<TenantContacts> {
  const tenantId = entity.xeroTenantId;
  const ids = new Map<string, string>();
  const refused = new Map<string, string>();
  const waiting = new Map<string, string>();
  const resolved = await deps.contactLinks.resolve(
    entity,
    accounts.map((a) => ({
      accountId: a.Id,
      name: a.Name,
      accountNumber: a.AccountNumber ?? null,
      taxNumber: a.Tax_Number__c ?? null,
      billingEmail: a.Billing_Email__c?.trim() || emails.get(a.Id) || null,
    })),
    writes,
    known,
  );
  const missing: AccountRow[] = [];
  for (const account of accounts) {
    const contact = resolved.get(account.Id);
    if (contact?.kind === 'linked') ids.set(account.Id, contact.contactId);
    else if (contact?.kind === 'waiting') waiting.set(account.Id, contact.message);
    else if (contact?.kind === 'rejected') refused.set(account.Id, contact.message);
    else if (!missing.some((m) => m.Id === account.Id)) missing.push(account);
  }
  const contactOf = (account: AccountRow) => buildXeroContact(account, [], emails.get(account.Id));
  missing.sort((a, b) => a.Id.localeCompare(b.Id));
  for (let i = 0; i < missing.length; i += XERO_BATCH) {
    const chunk = missing.slice(i, i + XERO_BATCH);
    const inputs = chunk.map(contactOf);
    // The key is the hash of what is sent: a retry after a crash replays the same body under the same key; an Account
    // edited in between makes a new request rather than one Xero refuses. Duplicates are caught by ContactNumber.
    const results = await deps.xero.createContacts(
      tenantId,
      inputs,
      batchKey(
        `contacts:${tenantId}`,
        inputs.map((input) => JSON.stringify(input)),
      ),
    );
    const created: Parameters<ContactLinks['addLinks']>[2][number][] = [];
    for (const [index, result] of results.entries()) {
      const account = chunk[index]!;
      let contactId = result.ok ? result.id : undefined;
      // Refused because an earlier attempt made it: found by its ContactNumber, the Account id.
      contactId ??= await activeByNumber(deps.xero, tenantId, contactOf(account).contactNumber);
      if (!contactId) {
        refused.set(
          account.Id,
          `Xero refused contact ${account.Name}: ${result.ok ? 'no id' : result.errors.join('; ')}`,
        );
        continue;
      }
      const input = inputs[index]!;
      deps.directory.add(tenantId, {
        contactId,
        name: input.name,
        status: 'ACTIVE',
        contactNumber: input.contactNumber,
      });
      created.push({ accountId: account.Id, contactId, contactName: input.name, method: 'created' });
      ids.set(account.Id, contactId);
    }
    deps.contactLinks.addLinks(writes, entity, created);
    if (created.length > 0) deps.log.info({ tenantId, created: created.length }, 'Xero contacts created and linked');
  }
  return { ids, refused, waiting };
}

/**
 * The contact holding this ContactNumber, if it is active: the bridge's own earlier create, refused this time as a
 * duplicate. An archived one (a contact finance asked to replace, or one merged away) is not one to invoice.
 */
export async function activeByNumber(
  xero: Pick<XeroClient, 'findContactByNumber'>,
  tenantId: string,
  contactNumber: string,
): Promise<string | undefined> {
  const found = await xero.findContactByNumber(tenantId, contactNumber);
  return found && String(found.contactStatus ?? 'ACTIVE') === 'ACTIVE' ? found.contactID : undefined;
}
