/** Describe shapes (global and per object), reduced to what clients read: fields, picklists, relationships. */
import type { SalesforceOrg } from '../salesforce-org';
import type { FieldDef, ObjectDef } from '../schema/types';

export function describeField(org: SalesforceOrg, f: FieldDef): Record<string, unknown> {
  const picklistValues = f.name === 'CurrencyIsoCode' ? org.activeCurrencies() : (f.picklist?.values ?? []);
  return {
    name: f.name,
    label: f.label,
    type: f.autoNumber ? 'string' : f.type,
    autoNumber: !!f.autoNumber,
    calculated: !!(f.formula || f.summary),
    custom: f.custom,
    length: f.length ?? 0,
    precision: f.precision ?? 0,
    scale: f.scale ?? 0,
    nillable: !f.required && f.type !== 'boolean' && f.name !== 'Id',
    unique: f.unique,
    externalId: f.externalId,
    caseSensitive: f.caseSensitive,
    createable: f.createable,
    updateable: f.updateable,
    defaultValue: f.defaultValue ?? null,
    restrictedPicklist: !!f.picklist?.restricted,
    picklistValues: picklistValues.map((v) => ({
      active: true,
      defaultValue: f.picklist?.defaultValue === v,
      label: v,
      value: v,
      validFor: null,
    })),
    referenceTo: f.referenceTo ?? [],
    relationshipName: f.relationshipName ?? null,
    cascadeDelete: !!f.masterDetail,
  };
}

export function describeObject(org: SalesforceOrg, def: ObjectDef, apiVersion: string): Record<string, unknown> {
  return {
    ...globalEntry(def, apiVersion),
    fields: [...def.fields.values()].map((f) => describeField(org, f)),
    childRelationships: def.childRelationships.map((r) => ({
      childSObject: r.childObject,
      field: r.field,
      relationshipName: r.relationshipName,
      cascadeDelete: r.cascadeDelete,
    })),
  };
}

export function globalEntry(def: ObjectDef, apiVersion: string): Record<string, unknown> {
  const writable = def.kind === 'standard' || def.kind === 'custom' || def.kind === 'setting';
  return {
    name: def.name,
    label: def.label,
    keyPrefix: def.keyPrefix,
    custom: def.custom,
    customSetting: def.kind === 'setting',
    queryable: def.kind !== 'event',
    createable: writable || def.kind === 'event',
    updateable: writable,
    deletable: writable,
    urls: {
      sobject: `/services/data/v${apiVersion}/sobjects/${def.name}`,
      describe: `/services/data/v${apiVersion}/sobjects/${def.name}/describe`,
    },
  };
}
