/**
 * Object permissions and field-level security on REST calls, for the bridge's user (API-only profile, its two
 * permission sets) and a System Administrator, against the project's own force-app: what an org refuses, the emulator
 * refuses in the org's words.
 */
import type { Connection } from 'jsforce';
import type { SalesforceEmulator } from './server';
import { ADMIN, API_VERSION, INTEGRATION, connect, startTestEmulator } from './test-helpers';

/** jsforce throws HttpApiError: Salesforce's errorCode and message. */
async function refusal(p: PromiseLike<unknown>): Promise<{ errorCode: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { errorCode: string; message: string };
    return { errorCode: e.errorCode, message: e.message };
  }
  throw new Error('expected the call to fail');
}

type Rec = Record<string, unknown> & { Id: string };

describe('object permissions and field-level security on REST calls', () => {
  let em: SalesforceEmulator;
  let bridge: Connection;
  let admin: Connection;
  let accountId: string;
  beforeAll(async () => {
    em = await startTestEmulator();
    bridge = connect(em, INTEGRATION);
    admin = connect(em, ADMIN);
    accountId = (await admin.query<Rec>('SELECT Id FROM Account LIMIT 1')).records[0]!.Id;
  });
  afterAll(() => em.close());

  it('refuses a query of a standard field the bridge has no read on, as an org does (no such column)', async () => {
    expect(await refusal(bridge.query('SELECT Id, Phone FROM Account'))).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringContaining("No such column 'Phone' on entity 'Account'"),
    });
    expect(await refusal(bridge.query('SELECT Id, Account.Phone FROM Opportunity'))).toMatchObject({
      errorCode: 'INVALID_FIELD',
      message: expect.stringContaining("No such column 'Phone' on entity 'Account'"),
    });
    // what its standard-access set grants reads fine, and so does every field for an administrator
    await expect(bridge.query('SELECT Id, Name, BillingCity FROM Account')).resolves.toMatchObject({ done: true });
    await expect(admin.query('SELECT Id, Phone FROM Account')).resolves.toMatchObject({ done: true });
  });

  it('leaves out of a retrieve the fields the bridge cannot read, and refuses them when named', async () => {
    const row = (await bridge.sobject('Account').retrieve(accountId)) as Rec;
    expect(row).toHaveProperty('BillingCity');
    expect(row).not.toHaveProperty('Phone');
    expect(
      await refusal(bridge.request(`/services/data/v${API_VERSION}/sobjects/Account/${accountId}?fields=Phone`)),
    ).toMatchObject({ errorCode: 'INVALID_FIELD' });
  });

  it('fails only the record that writes a field without edit access in an sObject Collection', async () => {
    const [plain, billing] = (await bridge.requestPatch(`/services/data/v${API_VERSION}/composite/sobjects`, {
      allOrNone: false,
      records: [
        { attributes: { type: 'Account' }, id: accountId, Amount_Due__c: 10 },
        { attributes: { type: 'Account' }, id: accountId, BillingCity: 'Leeds' },
      ],
    })) as { success: boolean; errors: { statusCode: string; message: string; fields: string[] }[] }[];
    expect(plain).toMatchObject({ success: true });
    expect(billing).toMatchObject({
      success: false,
      errors: [{ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['BillingCity'] }],
    });
  });

  it('refuses a create on an object the bridge reads but may not create, in a Composite subrequest too', async () => {
    expect(await refusal(bridge.sobject('Account').create({ Name: 'Not the bridge’s to make' }))).toMatchObject({
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
    });
    const { compositeResponse } = (await bridge.requestPost(`/services/data/v${API_VERSION}/composite`, {
      allOrNone: false,
      compositeRequest: [
        {
          method: 'POST',
          url: `/services/data/v${API_VERSION}/sobjects/Contact`,
          referenceId: 'contact',
          body: { LastName: 'Nope' },
        },
      ],
    })) as { compositeResponse: { httpStatusCode: number; body: { errorCode: string }[] }[] };
    expect(compositeResponse[0]).toMatchObject({
      httpStatusCode: 400,
      body: [{ errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY' }],
    });
  });
});

describe('a bridge user holding only the packaged set (the standard entries an install drops)', () => {
  it("cannot query Opportunity at all: the org does not support the type for it; the org-owned set's holder can", async () => {
    const em = await startTestEmulator();
    try {
      const username = 'packaged-only@ledgerline.example';
      em.org.insert(
        'User',
        { Username: username, LastName: 'Packaged', Email: username, Alias: 'pkg' },
        { userId: em.control.integrationUserId },
      );
      em.org.access.assign(username, 'Minimum Access - API Only Integrations', ['Ledgerline_Integration']);
      expect(await refusal(connect(em, username).query('SELECT Id FROM Opportunity'))).toMatchObject({
        errorCode: 'INVALID_TYPE',
        message: expect.stringContaining("sObject type 'Opportunity' is not supported"),
      });
      // a package object in a subquery is still fine, the standard parent is not
      await expect(connect(em, username).query('SELECT Id FROM Invoice__c')).resolves.toMatchObject({ done: true });
      await expect(connect(em, INTEGRATION).query('SELECT Id FROM Opportunity')).resolves.toMatchObject({ done: true });
    } finally {
      await em.close();
    }
  });
});

describe('the switch', () => {
  it('enforceUserAccess: false lets the bridge user read and write what its grants do not give', async () => {
    const em = await startTestEmulator({ enforceUserAccess: false });
    try {
      const bridge = connect(em, INTEGRATION);
      await expect(bridge.query('SELECT Id, Phone FROM Account')).resolves.toMatchObject({ done: true });
      await expect(bridge.sobject('Account').create({ Name: 'Lenient Ltd' })).resolves.toMatchObject({ success: true });
    } finally {
      await em.close();
    }
  });
});
