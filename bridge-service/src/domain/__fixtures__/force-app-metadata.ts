/**
 * Package metadata as tests check the records the bridge writes against it: an object's fields from
 * force-app/main/default/objects, with their picklist values.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

const OBJECTS = join(__dirname, '..', '..', '..', '..', 'force-app', 'main', 'default', 'objects');
const parser = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'value' });

interface FieldMeta {
  valueSet?: { valueSetDefinition?: { value?: { fullName: string }[] } };
  length?: string;
}

function fieldMetaOf(object: string): Map<string, FieldMeta> {
  const dir = join(OBJECTS, object, 'fields');
  return new Map(
    readdirSync(dir).map((file) => [
      file.replace('.field-meta.xml', ''),
      (parser.parse(readFileSync(join(dir, file), 'utf8')) as { CustomField: FieldMeta }).CustomField,
    ]),
  );
}

const picklistValues = (field: FieldMeta) => (field.valueSet?.valueSetDefinition?.value ?? []).map((v) => v.fullName);

/** The fields of a package object from its metadata: name → picklist values (empty for other types). */
export function fieldsOf(object: string): Map<string, string[]> {
  return new Map([...fieldMetaOf(object)].map(([name, field]) => [name, picklistValues(field)]));
}

/**
 * Every custom key is a field of the object; every picklist value is one of its values; no text is longer than its
 * field (Salesforce refuses the record with STRING_TOO_LONG). Standard Name is skipped.
 */
export function expectFitsMetadata(object: string, record: Record<string, unknown>): void {
  const fields = fieldMetaOf(object);
  for (const [key, value] of Object.entries(record)) {
    if (key === 'Name') continue;
    expect([object, key, fields.has(key)]).toEqual([object, key, true]);
    const field = fields.get(key)!;
    const values = picklistValues(field);
    if (values.length > 0 && value !== null) expect([key, values.includes(String(value))]).toEqual([key, true]);
    if (field.length !== undefined && typeof value === 'string') {
      expect([key, value.length <= Number(field.length)]).toEqual([key, true]);
    }
  }
}
