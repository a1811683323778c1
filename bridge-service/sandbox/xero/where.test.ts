import Big from 'big.js';
import { compileOrder, compileWhere, QueryError } from './where';
import { amount, msDate } from './wire';

const rows = [
  {
    InvoiceNumber: 'INV-1',
    Status: 'AUTHORISED',
    Total: amount(new Big('120.00')),
    Reference: 'PO 1',
    Contact: { ContactID: 'aaaaaaaa-0000-4000-8000-000000000001', Name: 'Acme' },
    Date: msDate(Date.UTC(2026, 0, 5)),
  },
  {
    InvoiceNumber: 'INV-2',
    Status: 'DRAFT',
    Total: amount(new Big('9.99')),
    Reference: 'PO 2',
    Contact: { ContactID: 'bbbbbbbb-0000-4000-8000-000000000002', Name: 'Globex' },
    Date: msDate(Date.UTC(2026, 1, 5)),
  },
  {
    InvoiceNumber: 'INV-3',
    Status: 'PAID',
    Total: amount(new Big('10.00')),
    Reference: 'Renewal',
    Contact: { ContactID: 'aaaaaaaa-0000-4000-8000-000000000001', Name: 'Acme' },
    Date: msDate(Date.UTC(2026, 2, 5)),
  },
];
const numbers = (where: string) => rows.filter(compileWhere(where)).map((r) => r.InvoiceNumber);

describe('where and order', () => {
  it('reads the forms the bridge uses', () => {
    expect(numbers('Status=="AUTHORISED"')).toEqual(['INV-1']);
    expect(numbers('Contact.ContactID==guid("AAAAAAAA-0000-4000-8000-000000000001")')).toEqual(['INV-1', 'INV-3']);
    expect(numbers('Reference=="PO 2"')).toEqual(['INV-2']);
    expect(numbers('Status=="DRAFT" OR Status=="PAID"')).toEqual(['INV-2', 'INV-3']);
    expect(numbers('Contact.Name=="Acme" AND Total>=10')).toEqual(['INV-1', 'INV-3']);
    expect(numbers('(Status=="DRAFT" || Status=="PAID") && Total<10')).toEqual(['INV-2']);
    expect(numbers('Total==10')).toEqual(['INV-3']);
    expect(numbers('NOT Status=="DRAFT"')).toEqual(['INV-1', 'INV-3']);
    expect(numbers('Status!="DRAFT"')).toEqual(['INV-1', 'INV-3']);
    expect(numbers('Date>=DateTime(2026, 02, 01) AND Date<DateTime(2026,03,01)')).toEqual(['INV-2']);
    expect(numbers('Reference.StartsWith("po") AND Contact.Name.Contains("lob")')).toEqual(['INV-2']);
  });

  it('rejects what it cannot read', () => {
    expect(() => compileWhere('Status=="AUTHORISED" AND (')).toThrow(QueryError);
    expect(() => compileWhere('Status=="open')).toThrow(QueryError);
    expect(() => compileWhere('Status ~ 1')).toThrow(QueryError);
    expect(() => compileOrder('Total SIDEWAYS')).toThrow(QueryError);
  });

  it('orders by one or more keys', () => {
    expect([...rows].sort(compileOrder('Total DESC')).map((r) => r.InvoiceNumber)).toEqual(['INV-1', 'INV-3', 'INV-2']);
    expect([...rows].sort(compileOrder('Contact.Name ASC, Date DESC')).map((r) => r.InvoiceNumber)).toEqual([
      'INV-3',
      'INV-1',
      'INV-2',
    ]);
  });
});
