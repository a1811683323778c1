'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { addNamespace, prepare, parseArgs } = require('./deploy-approval');

test('adds the namespace to custom object and field names only, once', () => {
  expect(addNamespace('<field>Invoice__c.Status__c</field>', 'ldgr')).toBe(
    '<field>ldgr__Invoice__c.ldgr__Status__c</field>',
  );
  expect(addNamespace('<field>Approval_Status__c</field><name>Ledgerline_Finance</name>', 'ldgr')).toBe(
    '<field>ldgr__Approval_Status__c</field><name>Ledgerline_Finance</name>',
  );
  expect(addNamespace('ldgr__Invoice__c.ldgr__Status__c', 'ldgr')).toBe('ldgr__Invoice__c.ldgr__Status__c');
  expect(addNamespace('<field>Name</field><field>Owner</field>', 'ldgr')).toBe(
    '<field>Name</field><field>Owner</field>',
  );
  expect(addNamespace('Invoice__c.Status__c', '')).toBe('Invoice__c.Status__c');
  // a permission set's field on a standard object: the object stays, the package's field is prefixed
  expect(addNamespace('<field>Account.Amount_Due__c</field><field>Account.BillingCity</field>', 'ldgr')).toBe(
    '<field>Account.ldgr__Amount_Due__c</field><field>Account.BillingCity</field>',
  );
});

test('prepares a deployable project with prefixed file names and references', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ldgr-approval-test-'));
  try {
    const files = prepare({ namespace: 'ldgr', outDir: out });
    expect(files).toEqual(
      expect.arrayContaining([
        'approval/main/default/approvalProcesses/ldgr__Invoice__c.Finance_Approval.approvalProcess-meta.xml',
        'approval/main/default/approvalProcesses/ldgr__Credit_Note__c.Finance_Approval.approvalProcess-meta.xml',
        'approval/main/default/workflows/ldgr__Invoice__c.workflow-meta.xml',
        'approval/main/default/workflows/ldgr__Credit_Note__c.workflow-meta.xml',
        'approval/main/default/approvalProcesses/ldgr__Month_End_Close__c.Finance_Approval.approvalProcess-meta.xml',
        'approval/main/default/workflows/ldgr__Month_End_Close__c.workflow-meta.xml',
        'approval/main/default/queues/Ledgerline_Finance.queue-meta.xml',
      ]),
    );
    const approval = fs.readFileSync(
      path.join(
        out,
        'approval/main/default/approvalProcesses/ldgr__Invoice__c.Finance_Approval.approvalProcess-meta.xml',
      ),
      'utf8',
    );
    expect(approval).toContain('<field>ldgr__Invoice__c.ldgr__Status__c</field>');
    expect(approval).toContain('<field>ldgr__Total__c</field>');
    expect(approval).toContain('<name>Ledgerline_Invoice_Approval_Approved</name>');
    expect(approval).not.toMatch(/[^_]\bInvoice__c/);
    const queue = fs.readFileSync(
      path.join(out, 'approval/main/default/queues/Ledgerline_Finance.queue-meta.xml'),
      'utf8',
    );
    // the queue holds every object it approves (an approval assigned to a queue needs the queue to support it)
    for (const object of ['Invoice__c', 'Credit_Note__c', 'Month_End_Close__c']) {
      expect(queue).toContain(`<sobjectType>ldgr__${object}</sobjectType>`);
    }
    expect(queue).not.toMatch(/<sobjectType>(?!ldgr__)/);
    // the bridge user's standard-object access ships beside the package, unprefixed: it names only standard objects
    // and fields (a packaged permission set cannot grant them), so the prefixing leaves it as it is
    const standardAccess =
      'approval/main/default/permissionsets/Ledgerline_Integration_Standard_Access.permissionset-meta.xml';
    expect(files).toContain(standardAccess);
    const prepared = fs.readFileSync(path.join(out, standardAccess), 'utf8');
    expect(prepared).toBe(
      fs.readFileSync(
        path.join(
          __dirname,
          '../../force-app-unpackaged/main/default/permissionsets/Ledgerline_Integration_Standard_Access.permissionset-meta.xml',
        ),
        'utf8',
      ),
    );
    for (const object of ['Opportunity', 'Account', 'Contact', 'Product2', 'Pricebook2']) {
      expect(prepared).toContain(`<object>${object}</object>`);
    }
    const project = JSON.parse(fs.readFileSync(path.join(out, 'sfdx-project.json'), 'utf8'));
    expect(project.packageDirectories).toEqual([{ path: 'approval', default: true }]);
    expect(project.namespace).toBeUndefined();
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('parses its flags and refuses unknown ones', () => {
  expect(parseArgs(['--target-org', 'prod', '--dry-run'])).toEqual({
    targetOrg: 'prod',
    dryRun: true,
    prepareOnly: false,
  });
  expect(parseArgs(['--namespace', '']).namespace).toBe('');
  expect(() => parseArgs(['--force'])).toThrow(/Unknown option '--force'/);
});
