// The OpenAPI conformance check must run on a clean clone anywhere, and never skip silently (issue 13 item 13).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openApiChecker, SPEC_FILE } from './openapi-check';

describe('the Xero OpenAPI conformance check', () => {
  it('reads the spec vendored in this repository, with its MIT licence beside it', () => {
    expect(SPEC_FILE).toBe(path.join(__dirname, 'openapi', 'xero_accounting.yaml'));
    expect(existsSync(SPEC_FILE)).toBe(true);
    expect(readFileSync(path.join(__dirname, 'openapi', 'LICENSE'), 'utf8')).toMatch(/MIT License/);
    expect(readFileSync(path.join(__dirname, 'openapi', 'README.md'), 'utf8')).toMatch(/XeroAPI\/Xero-OpenAPI/);
  });

  it('fails instead of skipping when the spec is missing in CI', () => {
    expect(() => openApiChecker({ specFile: '/nowhere/xero_accounting.yaml', env: { CI: 'true' } })).toThrow(
      /\/nowhere\/xero_accounting\.yaml.*CI=true/s,
    );
  });

  it('outside CI, says loudly on stderr that it skipped', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(openApiChecker({ specFile: '/nowhere/xero_accounting.yaml', env: {} })).toEqual({
        skipped: expect.stringContaining('/nowhere/xero_accounting.yaml'),
      });
      expect(write).toHaveBeenCalledWith(expect.stringMatching(/SKIPPED.*\/nowhere\/xero_accounting\.yaml/));
    } finally {
      write.mockRestore();
    }
  });
});
