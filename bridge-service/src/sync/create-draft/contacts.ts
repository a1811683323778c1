/**
 * Step 3: the Xero contact of each Account in one tenant: from the stored mapping, else created in Xero (50 a call).
 * An Account Xero will not take is refused with Xero's reason, so only its own deals fail.
 */
import { buildXeroContact } from '../../domain/contact';
import type { AccountRow } from '../../domain/records';
import type { Logger } from '../../lib/logger';
import type { ContactMappingRepository } from '../../store/types';
import type { XeroClient } from '../../xero/client';
import { batchKey, XERO_BATCH } from './draft';

export interface ContactDeps {
  xero: Pick<XeroClient, 'createContacts' | 'findContactByNumber'>;
  contactMappings: ContactMappingRepository;
  log: Pick<Logger, 'info'>;
}

export interface TenantContacts {
  /** Account id → Xero ContactID. */
  ids: Map<string, string>;
  /** Account id → why Xero refused its contact. */
  refused: Map<string, string>;
}

export async function contactsFor(
  deps: ContactDeps,
  tenantId: string,
  accounts: readonly AccountRow[],
  emails: ReadonlyMap<string, string>,
): Promise<TenantContacts> {
  const ids = new Map<string, string>();
  const refused = new Map<string, string>();
  const missing: AccountRow[] = [];
  for (const account of accounts) {
    const known = await deps.contactMappings.getContactMapping(tenantId, account.Id);
    if (known) ids.set(account.Id, known);
    else if (!missing.some((m) => m.Id === account.Id)) missing.push(account);
  }
  const contactOf = (account: AccountRow) => buildXeroContact(account, [], emails.get(account.Id));
  // A contact request's Idempotency-Key is the hash of what it sends: a retry after a crash replays the same body
  // under the same key, and an Account edited in between makes a new request rather than one Xero refuses
  // ("Idempotency-Key already used with a different request"). Duplicates are caught by ContactNumber below.
  const create = (chunk: AccountRow[], keyPrefix: string, withAccountId = false) => {
    const inputs = chunk.map((account) => {
      const contact = contactOf(account);
      return withAccountId ? { ...contact, name: `${contact.name} (${account.Id})` } : contact;
    });
    return deps.xero.createContacts(
      tenantId,
      inputs,
      batchKey(
        `${keyPrefix}:${tenantId}`,
        inputs.map((input) => JSON.stringify(input)),
      ),
    );
  };
  missing.sort((a, b) => a.Id.localeCompare(b.Id));
  for (let i = 0; i < missing.length; i += XERO_BATCH) {
    const chunk = missing.slice(i, i + XERO_BATCH);
    const results = await create(chunk, 'contacts');
    for (const [index, result] of results.entries()) {
      const account = chunk[index]!;
      let contactId = result.ok ? result.id : undefined;
      // Refused because the contact already exists (an earlier attempt made it): find it by its ContactNumber,
      // the Account id.
      contactId ??= (await deps.xero.findContactByNumber(tenantId, contactOf(account).contactNumber))?.contactID;
      if (!contactId && !result.ok && result.errors.some((e) => /contact name .* already assigned/i.test(e))) {
        // Another customer has this name in Xero (names must be unique there; two Accounts may share one): never
        // bill the wrong one, so this account's contact carries its Account id in the name.
        const [renamed] = await create([account], 'contact-renamed', true);
        if (renamed?.ok) {
          contactId = renamed.id ?? undefined;
          deps.log.info(
            { tenantId, accountId: account.Id },
            'Xero has another contact of this name; created it with the Account id',
          );
        }
      }
      if (!contactId) {
        refused.set(
          account.Id,
          `Xero refused contact ${account.Name}: ${result.ok ? 'no id' : result.errors.join('; ')}`,
        );
        continue;
      }
      await deps.contactMappings.saveContactMapping(tenantId, account.Id, contactId);
      ids.set(account.Id, contactId);
    }
  }
  return { ids, refused };
}
