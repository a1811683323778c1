/**
 * Package metadata as tests check the records the bridge writes against it: an object's fields from
 * force-app/main/default/objects, with their picklist values.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

const OBJECTS = join(__dirname, '..', '..', '..', '..', 'force-app', 'main', 'default', 'objects');
const parser = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'value' });

/** The fields of a package object from its metadata: name → picklist values (empty for other types). */
export function fieldsOf(object: string): Map<string, string[]> {
  const dir = join(OBJECTS, object, 'fields');
  return new Map(
    readdirSync(dir).map((file) => {
      const field = (
        parser.parse(readFileSync(join(dir, file), 'utf8')) as {
          CustomField: { valueSet?: { valueSetDefinition?: { value?: { fullName: string }[] } } };
        }
      ).CustomField;
      return [
        file.replace('.field-meta.xml', ''),
        (field.valueSet?.valueSetDefinition?.value ?? []).map((v) => v.fullName),
      ];
    }),
  );
}

/** Every custom key is a field of the object; every picklist value is one of its values (standard Name is skipped). */
export function expectFitsMetadata(object: string, record: Record<string, unknown>): void {
  const fields = fieldsOf(object);
  for (const [key, value] of Object.entries(record)) {
    if (key === 'Name') continue;
    expect([object, key, fields.has(key)]).toEqual([object, key, true]);
    const values = fields.get(key)!;
    if (values.length > 0 && value !== null) expect([key, values.includes(String(value))]).toEqual([key, true]);
  }
}
