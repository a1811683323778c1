import { join } from 'node:path';
import { loadSchema, qualify } from './metadata-loader';
import { FIXTURE_FORCE_APP } from '../test-helpers';

const REAL_FORCE_APP = join(__dirname, '..', '..', '..', '..', 'force-app');

describe('schema loader: field-type edge cases (fixture metadata)', () => {
  const schema = loadSchema({ forceAppDir: FIXTURE_FORCE_APP });
  const widget = schema.objects.get('widget__c')!;
  const f = (name: string) => widget.fields.get(name.toLowerCase())!;

  it('reads text, currency and checkbox fields with their limits and defaults', () => {
    expect(f('Code__c')).toMatchObject({
      type: 'string',
      length: 10,
      unique: true,
      externalId: true,
      caseSensitive: false,
    });
    expect(f('Price__c')).toMatchObject({ type: 'currency', precision: 5, scale: 2, required: true });
    expect(f('Active__c')).toMatchObject({ type: 'boolean', defaultValue: true });
    expect(f('Launched__c').type).toBe('date');
  });

  it('reads restricted, global-value-set and multi-select picklists', () => {
    expect(f('Colour__c').picklist).toEqual({ values: ['Red', 'Blue'], restricted: true, defaultValue: 'Red' });
    expect(f('Size__c').picklist).toMatchObject({ values: ['Small', 'Large'], restricted: true });
    expect(f('Tags__c')).toMatchObject({
      type: 'multipicklist',
      picklist: { values: ['New', 'Sale'], restricted: true },
    });
  });

  it('reads lookups, master-detail and roll-up summaries, and derives both relationship names', () => {
    expect(f('Account__c')).toMatchObject({
      type: 'reference',
      referenceTo: ['Account'],
      relationshipName: 'Account__r',
      masterDetail: false,
    });
    const part = schema.objects.get('widget_part__c')!;
    expect(part.fields.get('widget__c')).toMatchObject({ masterDetail: true, required: true, updateable: false });
    expect(part.fields.has('ownerid')).toBe(false);
    expect(widget.fields.has('ownerid')).toBe(true);
    expect(part.fields.get('name')?.autoNumber).toEqual({ format: 'WP-{0000}' });
    expect(widget.childRelationships).toContainEqual({
      relationshipName: 'Parts__r',
      childObject: 'Widget_Part__c',
      field: 'Widget__c',
      cascadeDelete: true,
    });
    expect(schema.objects.get('account')!.childRelationships).toContainEqual(
      expect.objectContaining({ relationshipName: 'Widgets__r', childObject: 'Widget__c' }),
    );
    expect(f('Parts_Total__c').summary).toEqual({
      operation: 'sum',
      childObject: 'Widget_Part__c',
      foreignKey: 'Widget__c',
      childField: 'Cost__c',
      summarizedField: 'Cost__c',
    });
  });

  it('merges custom fields into standard objects, and knows events, settings and custom metadata', () => {
    expect(schema.objects.get('account')!.fields.get('tier__c')).toMatchObject({ length: 5, custom: true });
    expect(schema.objects.get('account')!.fields.get('name')).toMatchObject({ required: true, length: 255 });
    expect(schema.objects.get('alert__e')).toMatchObject({
      kind: 'event',
      keyPrefix: 'e00',
      event: { publishImmediately: true, retentionMs: 24 * 3_600_000 },
    });
    expect(schema.objects.get('ping__e')).toMatchObject({
      kind: 'event',
      keyPrefix: 'e01',
      event: { publishImmediately: false, retentionMs: 72 * 3_600_000 },
    });
    expect(schema.objects.get('widget_setting__c')).toMatchObject({ kind: 'setting' });
    expect(schema.customMetadata.get('Widget_Config__mdt')).toEqual([
      expect.objectContaining({ DeveloperName: 'Default', Label: 'Default Config', Limit__c: 42 }),
    ]);
  });

  it('prefixes package names with the namespace, and leaves standard names alone', () => {
    const ns = loadSchema({ forceAppDir: FIXTURE_FORCE_APP, namespace: 'ldgr' });
    expect(ns.objects.has('ldgr__widget__c')).toBe(true);
    expect(ns.objects.get('account')!.fields.get('ldgr__tier__c')?.name).toBe('ldgr__Tier__c');
    expect(ns.objects.get('ldgr__widget__c')!.childRelationships[0]?.relationshipName).toBe('ldgr__Parts__r');
    expect(ns.objects.get('ldgr__widget_part__c')!.fields.get('ldgr__widget__c')?.referenceTo).toEqual([
      'ldgr__Widget__c',
    ]);
    expect(qualify('Invoice__c.Amount__c', 'ldgr')).toBe('ldgr__Invoice__c.ldgr__Amount__c');
    expect(qualify('ldgr__Invoice__c', 'ldgr')).toBe('ldgr__Invoice__c');
    expect(qualify('StageName', 'ldgr')).toBe('StageName');
  });
});

describe('schema loader: the real package in force-app', () => {
  const schema = loadSchema({ forceAppDir: REAL_FORCE_APP });
  const obj = (name: string) => {
    const def = schema.objects.get(name.toLowerCase());
    if (!def) throw new Error(`force-app has no ${name}`);
    return def;
  };

  it('has the invoice model with its external ids and restricted picklists', () => {
    const invoice = obj('Invoice__c');
    expect(invoice.fields.get('xero_invoice_id__c')).toMatchObject({ externalId: true, unique: true });
    expect(invoice.fields.get('request_key__c')).toMatchObject({ externalId: true, unique: true });
    expect(invoice.fields.get('status__c')?.picklist).toMatchObject({
      restricted: true,
      values: ['Draft', 'Awaiting Approval', 'Approved', 'Authorised', 'Partially Paid', 'Paid', 'Voided', 'Deleted'],
    });
    expect(invoice.fields.get('approval_status__c')?.picklist).toMatchObject({
      restricted: true,
      values: ['Not Submitted', 'Pending', 'Approved', 'Rejected'],
    });
    expect(invoice.fields.get('opportunity__c')).toMatchObject({ type: 'reference', referenceTo: ['Opportunity'] });
    expect(invoice.fields.get('total__c')).toMatchObject({ precision: 16, scale: 2 });
  });

  it('has the child relationships the bridge queries', () => {
    const rels = (name: string) => obj(name).childRelationships.map((r) => r.relationshipName);
    expect(rels('Invoice__c')).toEqual(expect.arrayContaining(['Invoice_Lines__r', 'Payments__r', 'Credit_Notes__r']));
    expect(rels('Credit_Note__c')).toEqual(expect.arrayContaining(['Allocations__r']));
    expect(rels('Opportunity')).toEqual(expect.arrayContaining(['OpportunityLineItems']));
    expect(obj('Invoice_Line__c').fields.get('invoice__c')?.masterDetail).toBe(true);
    expect(obj('Payment__c').fields.get('invoice__c')?.masterDetail).toBe(true);
    expect(obj('Credit_Allocation__c').fields.get('credit_note__c')?.masterDetail).toBe(true);
    expect(obj('Credit_Note__c').fields.get('invoice__c')?.masterDetail).toBe(false);
  });

  it('has both platform events with the contract fields, custom metadata records and the settings', () => {
    const names = (o: string) =>
      [...obj(o).fields.values()]
        .filter((f) => f.custom)
        .map((f) => f.name)
        .sort();
    expect(names('Invoice_Request__e')).toEqual([
      'Action__c',
      'Invoice_Id__c',
      'Opportunity_Id__c',
      'Payload__c',
      'Request_Key__c',
      'Requested_By__c',
      'Requests__c',
    ]);
    expect(names('Sync_Update__e')).toEqual(
      expect.arrayContaining(['Record_Ids__c', 'Invoice_Id__c', 'Opportunity_Id__c', 'Account_Id__c', 'Change__c']),
    );
    expect(obj('Invoice_Request__e').kind).toBe('event');
    expect((schema.customMetadata.get('Billing_Entity__mdt') ?? []).map((r) => r.DeveloperName).sort()).toEqual([
      'EU_BV',
      'UK_Ltd',
      'US_Inc',
    ]);
    const settings = obj('Ledgerline_Settings__c');
    expect(settings.kind).toBe('setting');
    expect(settings.fields.get('auto_draft_on_close__c')?.defaultValue).toBe(true);
    expect(settings.fields.get('read_only_mode__c')?.defaultValue).toBe(false);
    expect(obj('Opportunity').fields.get('stagename')?.required).toBe(true);
    expect([...obj('Opportunity').fields.values()].some((f) => f.custom)).toBe(true);
    expect([...obj('Account').fields.values()].some((f) => f.custom)).toBe(true);
  });
});
