/**
 * Holds the emulator's go-live controller mirrors (golive-controllers.ts) to the package Apex: the actions they send,
 * the key each request carries, the ids on the event and the Payload__c keys, read from ContactMatchController.cls and
 * PartialInvoiceController.cls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BILLED_ON_SIGNATURE, PARTIAL_REFUSALS } from '../../../src/domain/partial-invoice';
import { loadLabels } from './custom-labels';
import {
  BILLED_ON_SIGNATURE as MIRRORED_BILLED_ON_SIGNATURE,
  CONTACT_MATCH_PAYLOAD_KEYS,
  CREATE_PARTIAL_PAYLOAD_KEYS,
} from './golive-controllers';
import { ACTIONS } from './invoice-request-publisher';

const CLASSES = join(__dirname, '..', '..', '..', '..', 'force-app', 'main', 'default', 'classes');
const apex = (name: string): string =>
  readFileSync(join(CLASSES, `${name}.cls`), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/\s+/g, ' ');
const payloadKeys = (src: string) => {
  const map = /String payload = JSON\.serialize\( new Map<String, Object>\{([^}]*)\}/.exec(src);
  return [...(map?.[1] ?? '').matchAll(/'(\w+)' =>/g)].map((m) => m[1]);
};

describe('go-live Apex parity', () => {
  it('the publisher knows both actions, and the emulator publishes them', () => {
    const publisher = apex('InvoiceRequestPublisher');
    expect(publisher).toContain("public static final String CONTACT_MATCH = 'CONTACT_MATCH';");
    expect(publisher).toContain("public static final String CREATE_PARTIAL = 'CREATE_PARTIAL';");
    expect(ACTIONS).toEqual(expect.arrayContaining(['CONTACT_MATCH', 'CREATE_PARTIAL']));
  });

  it('ContactMatchController: CONTACT_MATCH:<review id>:<epoch millis>, no opportunity or invoice, the same payload keys', () => {
    const src = apex('ContactMatchController');
    expect(src).toContain(
      'InvoiceRequestPublisher.requestKey( InvoiceRequestPublisher.CONTACT_MATCH, review.Id, String.valueOf(System.now().getTime()) )',
    );
    expect(src).toContain(
      'InvoiceRequestPublisher.build( InvoiceRequestPublisher.CONTACT_MATCH, null, null, review.Request_Key__c, payload )',
    );
    expect(payloadKeys(src)).toEqual(CONTACT_MATCH_PAYLOAD_KEYS);
  });

  it('PartialInvoiceController: CREATE_PARTIAL:<opportunity id>:<invoices>-<cents>, the opportunity, the same payload keys', () => {
    const src = apex('PartialInvoiceController');
    expect(src).toContain(
      "InvoiceRequestPublisher.requestKey( InvoiceRequestPublisher.CREATE_PARTIAL, opportunity.Id, remainder.invoiceCount + '-' + (toInvoice * 100).intValue() )",
    );
    expect(src).toContain(
      'InvoiceRequestPublisher.build( InvoiceRequestPublisher.CREATE_PARTIAL, opportunity.Id, null, requestKey, payload )',
    );
    expect(payloadKeys(src)).toEqual(CREATE_PARTIAL_PAYLOAD_KEYS);
  });

  it('PartialInvoiceController refuses what the bridge refuses, in the same words, and reads plans as they are written', () => {
    const src = apex('PartialInvoiceController');
    const labels = loadLabels(join(CLASSES, '..', '..', '..'));
    expect({
      amendment: labels('Partial_Invoice_Error_Amendment'),
      noProducts: labels('Partial_Invoice_Error_No_Products'),
      billingPlan: labels('Partial_Invoice_Error_Billing_Plan'),
    }).toEqual(PARTIAL_REFUSALS);
    for (const label of ['Amendment', 'No_Products', 'Billing_Plan']) {
      expect(src).toContain(`Label.Partial_Invoice_Error_${label}`);
    }
    // Terms_Source__c: plan-writer.ts writes it, the Apex, its mirror and the bridge's rule read it.
    expect(src).toContain(`public static final String BILLED_ON_SIGNATURE = '${BILLED_ON_SIGNATURE}';`);
    expect(MIRRORED_BILLED_ON_SIGNATURE).toBe(BILLED_ON_SIGNATURE);
    const writer = readFileSync(join(__dirname, '..', '..', '..', 'src', 'sync', 'billing', 'plan-writer.ts'), 'utf8');
    expect(writer).toMatch(new RegExp(`Terms_Source__c: plan\\.signature\\s*\\?\\s*'${BILLED_ON_SIGNATURE}'`));
  });

  it('the mirrors use the labels the Apex uses', () => {
    const used = (name: string) => [...apex(name).matchAll(/Label\.(\w+)/g)].map((m) => m[1]).sort();
    const mirror = readFileSync(join(__dirname, 'golive-controllers.ts'), 'utf8');
    const mirrored = [...mirror.matchAll(/labels\(\s*'(\w+)'/g)].map((m) => m[1]);
    const apexLabels = [...new Set([...used('ContactMatchController'), ...used('PartialInvoiceController')])];
    // The emulator models no field security (no no-access message), and getReviews is a query, read through SOQL.
    expect(apexLabels.filter((l) => !mirrored.includes(l))).toEqual([
      'Match_Review_Error_No_Access',
      'Match_Review_Error_No_Account',
    ]);
    expect(mirrored.filter((l) => !apexLabels.includes(l!))).toEqual([]);
  });
});
