/**
 * Who may do what: each user's profile and permission sets, the permission sets the project ships (the package's,
 * without the standard-object permissions an install drops, and the org-owned ones of force-app-unpackaged/:
 * schema/metadata-loader.ts loadPermissionSets), and the few profiles the seed uses. The org consults it where the
 * platform does and the package relies on it: the approval lock (Modify All on the object, or Modify All Data, may
 * edit a locked record), custom permissions (FeatureManagement.checkPermission), object permissions an Apex mirror
 * checks, and object permissions and field-level security on REST calls (`apiObjectAccess`, `apiFieldAccess`) for a
 * user whose profile the emulator models whole (`knowsAccessOf`).
 */
import type { FieldAccess, FieldDef, ObjectAccess, ObjectDef, PermissionSetDef } from './schema/types';

const NONE: ObjectAccess = { create: false, read: false, edit: false, delete: false, viewAll: false, modifyAll: false };
const ALL: ObjectAccess = { create: true, read: true, edit: true, delete: true, viewAll: true, modifyAll: true };
const CRED: ObjectAccess = { ...ALL, viewAll: false, modifyAll: false };

/**
 * The standard profiles the seed gives its users, reduced to what the emulator consults. Standard User has no access
 * to package objects (that comes from the package's permission sets), System Administrator has Modify All Data.
 */
export const PROFILES = {
  'System Administrator': { userPermissions: ['ModifyAllData', 'ViewAllData'], standardObjects: ALL, modelled: true },
  // its field-level security and what the install gave it on the package's objects are the org's choice: unknown
  'Standard User': { userPermissions: [], standardObjects: CRED, modelled: false },
  // no object or field access at all: everything comes from permission sets
  'Minimum Access - API Only Integrations': { userPermissions: [], standardObjects: NONE, modelled: true },
} as const;

/** Fields field-level security never hides: the record id, audit fields, owner, currency and the record name. */
const ALWAYS_VISIBLE = new Set([
  'id',
  'isdeleted',
  'name',
  'createddate',
  'createdbyid',
  'lastmodifieddate',
  'lastmodifiedbyid',
  'systemmodstamp',
  'ownerid',
  'currencyisocode',
]);

/**
 * Standard fields without field-level security beyond the above, required and master-detail fields (the same list
 * as src/salesforce/field-access.test.ts NOT_PERMISSIONABLE, which says which of them are unsure).
 */
const NOT_PERMISSIONABLE = new Set([
  'opportunity.isclosed',
  'opportunity.iswon',
  'opportunitylineitem.unitprice',
  'opportunitylineitem.hasschedule',
  'opportunitylineitem.sortorder',
  'opportunitylineitem.product2id',
  'opportunitylineitem.totalprice',
]);

/**
 * Standard objects with no object permissions of their own: their access follows another object's (Object
 * Reference): opportunity products and their schedules need Read on Opportunity to be read and Edit on it to be
 * written; price book entries follow Product2 (read) and Pricebook2 (write).
 */
const FOLLOWS: Record<string, { read: string; write: string }> = {
  opportunitylineitem: { read: 'opportunity', write: 'opportunity' },
  opportunitylineitemschedule: { read: 'opportunity', write: 'opportunity' },
  pricebookentry: { read: 'product2', write: 'pricebook2' },
};

/**
 * Setup objects every user reads and no API user writes (users, the org, currencies and rates, approval history);
 * their fields have no field-level security, nor have the schedule's and the price book entry's.
 */
const READ_BY_ALL = new Set([
  'user',
  'organization',
  'currencytype',
  'datedconversionrate',
  'processinstance',
  'processinstancestep',
  'processinstanceworkitem',
]);
const NO_FIELD_SECURITY = new Set([...READ_BY_ALL, 'opportunitylineitemschedule', 'pricebookentry']);
const READ_ONLY: ObjectAccess = { ...NONE, read: true };
export type ProfileName = keyof typeof PROFILES;

interface Grant {
  profile: ProfileName;
  permissionSets: PermissionSetDef[];
}

export class UserAccess {
  private readonly grants = new Map<string, Grant>();

  constructor(readonly permissionSets: Map<string, PermissionSetDef>) {}

  /** Gives a user (by username) a profile and permission sets; an unknown permission set is an error. */
  assign(username: string, profile: ProfileName, permissionSets: readonly string[]): void {
    const sets = permissionSets.map((name) => {
      const set = this.permissionSets.get(name);
      if (!set) {
        throw new Error(
          `permission set ${name} (assigned to ${username}) is not in the project; known: ${[...this.permissionSets.keys()].join(', ') || 'none'}`,
        );
      }
      return set;
    });
    this.grants.set(username.toLowerCase(), { profile, permissionSets: sets });
  }

  private grant(username: string): Grant | undefined {
    return this.grants.get(username.toLowerCase());
  }

  hasUserPermission(username: string, permission: string): boolean {
    const g = this.grant(username);
    if (!g) return false;
    return (
      (PROFILES[g.profile].userPermissions as readonly string[]).includes(permission) ||
      g.permissionSets.some((s) => s.userPermissions.has(permission))
    );
  }

  /** The user's profile and permission set names, as an External Client App's policy sees them (pre-authorisation). */
  assignment(username: string): { profile: ProfileName | undefined; permissionSets: string[] } {
    const g = this.grant(username);
    return { profile: g?.profile, permissionSets: g?.permissionSets.map((s) => s.name) ?? [] };
  }

  /** FeatureManagement.checkPermission: custom permissions come from permission sets. */
  hasCustomPermission(username: string, permission: string): boolean {
    return !!this.grant(username)?.permissionSets.some((s) => s.customPermissions.has(permission));
  }

  /** Whether the emulator models the user's access whole (its profile's field-level security is known). */
  knowsAccessOf(username: string): boolean {
    const g = this.grant(username);
    return !!g && PROFILES[g.profile].modelled;
  }

  /**
   * What the user may do with an object over the API: its object permissions, or those of the object its access
   * follows; a custom metadata type or custom setting is read with its access entry; a platform event's Read is
   * subscribe and Create publish.
   */
  apiObjectAccess(username: string, def: ObjectDef): ObjectAccess {
    if (this.hasUserPermission(username, 'ModifyAllData')) return ALL;
    const key = def.name.toLowerCase();
    const sets = this.grant(username)?.permissionSets ?? [];
    if (def.kind === 'metadata') return sets.some((s) => s.customMetadataTypes.has(key)) ? READ_ONLY : NONE;
    if (def.kind === 'setting') return sets.some((s) => s.customSettings.has(key)) ? READ_ONLY : NONE;
    if (READ_BY_ALL.has(key)) return READ_ONLY;
    const follows = FOLLOWS[key];
    if (follows) {
      const canRead = this.objectAccess(username, follows.read, true).read;
      const canWrite = canRead && this.objectAccess(username, follows.write, true).edit;
      return { ...NONE, read: canRead, create: canWrite, edit: canWrite, delete: canWrite };
    }
    return this.objectAccess(username, def.name, def.kind === 'standard');
  }

  /**
   * Field-level security of one field for the user: the profile's (System Administrator sees and edits every field,
   * the API-only profile none) and the permission sets' grants; fields without field-level security follow the object.
   */
  apiFieldAccess(username: string, def: ObjectDef, field: FieldDef): FieldAccess {
    const object = def.name.toLowerCase();
    const name = field.name.toLowerCase();
    const unguarded =
      def.kind === 'metadata' ||
      def.kind === 'setting' ||
      def.kind === 'event' ||
      ALWAYS_VISIBLE.has(name) ||
      field.required ||
      field.masterDetail ||
      (!field.custom && (NO_FIELD_SECURITY.has(object) || NOT_PERMISSIONABLE.has(`${object}.${name}`)));
    if (unguarded || this.hasUserPermission(username, 'ModifyAllData')) return { read: true, edit: true };
    const access = { read: false, edit: false };
    for (const set of this.grant(username)?.permissionSets ?? []) {
      const f = set.fields.get(`${object}.${name}`);
      access.read ||= !!f?.read;
      access.edit ||= !!f?.edit;
    }
    return access;
  }

  /** The union of the profile's and the permission sets' access to an object; Modify All Data grants everything. */
  objectAccess(username: string, objectName: string, standard: boolean): ObjectAccess {
    const g = this.grant(username);
    if (!g) return NONE;
    if (this.hasUserPermission(username, 'ModifyAllData')) return ALL;
    const access: ObjectAccess = { ...(standard ? PROFILES[g.profile].standardObjects : NONE) };
    for (const set of g.permissionSets) {
      const o = set.objects.get(objectName.toLowerCase());
      if (!o) continue;
      for (const key of Object.keys(access) as (keyof ObjectAccess)[]) access[key] ||= o[key];
    }
    return access;
  }
}
